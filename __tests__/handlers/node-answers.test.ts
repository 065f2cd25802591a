// The node's answers as the bundled in-line function meets them over TLS, written in pieces the
// client reads apart: interim answers, chunked bodies a byte at a time, Connection: close, bodies
// ended by the close, bytes after the answer, malformed answers, a node that closes without one.
// For each: the verdict, the log line, and whether the connection serves the next request.
// (http1-answers.test.ts checks the reader alone, byte by byte; this checks it on the wire.)
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { LIVENESS_PATH } from "../../handlers/protocol";
import { requestEvent } from "../../tools/cloudfront-events";
import { makePki } from "../../tools/pki";
import { type RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { watchHttp1Exchanges } from "../support/http1-exchanges";
import { captureLogs, cleanup, coldStart, context, type Handler } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;

let node: RecordingNode;
let handler: RequestHandler;
beforeAll(async () => {
  const pki = makePki();
  node = await startRecordingNode({ tls: pki });
  handler = await coldStart("request", {
    wallarm_node_url: node.url,
    node_ca_pem: pki.caPem,
    wallarm_mode: "inline",
    node_timeout_ms: 2000,
    metrics_enabled: false,
  });
});
afterAll(async () => {
  await node.stop();
  cleanup();
});

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
const bytes = (s: string): string[] => [...s];

interface Case {
  /** The answer to the inspected request, in pieces (latin1). */
  pieces: string[];
  gapMs?: number;
  close?: boolean;
  verdict: "pass" | "block";
  /** The log line's event and reason, when one is written. */
  logged?: { event: string; reason?: string; code?: string };
  /** Whether the next request goes on the same connection. */
  reused: boolean;
  /**
   * How often the node receives the inspected request (default 1). Every case after the first
   * starts on a connection that has served (the previous case's next request): one that closes
   * before any byte of the answer is the keep-alive race, and the request goes once more; one
   * that sent part of an answer is not.
   */
  sends?: number;
}

const CASES: Array<[string, Case]> = [
  ["200 with Content-Length, in one piece", { pieces: [OK], verdict: "pass", reused: true }],
  [
    "the status line split inside the status code",
    { pieces: ["HTTP/1.1 2", "00 OK\r\nContent-Le", "ngth: 3\r\n\r", "\nok\n"], verdict: "pass", reused: true },
  ],
  [
    "100 Continue, then 403, apart",
    {
      pieces: ["HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno\n"],
      verdict: "block",
      logged: { event: "blocked" },
      reused: true,
    },
  ],
  [
    "103 Early Hints with a header, then 200",
    { pieces: ["HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", OK], verdict: "pass", reused: true },
  ],
  [
    "chunked 200, a byte at a time, with an extension and a trailer",
    {
      pieces: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n1\r\n\n\r\n0\r\nX-T: 1\r\n\r\n"),
      gapMs: 1,
      verdict: "pass",
      reused: true,
    },
  ],
  [
    "200 with Connection: close",
    { pieces: ["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n"], verdict: "pass", reused: false },
  ],
  [
    "HTTP/1.0 200, its body ended by the close",
    { pieces: ["HTTP/1.0 200 OK\r\n\r\n", "ok\n"], close: true, verdict: "pass", reused: false },
  ],
  // In the same read: bytes arriving apart would be taken for the next request's answer (HTTP/1.1
  // cannot tell them apart, Node's client could not either).
  ["200, then bytes no request asked for", { pieces: [`${OK}HTTP/1.1 200 OK\r\n\r\n`], verdict: "pass", reused: false }],
  [
    "200 whose body the close cuts short",
    { pieces: ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok"], close: true, verdict: "pass", reused: false },
  ],
  [
    "a status that is not a number: refused by an alive node, blocked",
    {
      pieces: ["HTTP/1.1 2OO OK\r\nContent-Length: 3\r\n\r\nok\n"],
      verdict: "block",
      logged: { event: "request_refused", reason: "malformed_answer", code: "HPE_INVALID_STATUS" },
      reused: false,
    },
  ],
  [
    "both Transfer-Encoding and Content-Length: blocked",
    {
      pieces: ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nok\n\r\n0\r\n\r\n"],
      verdict: "block",
      logged: { event: "request_refused", reason: "malformed_answer", code: "HPE_UNEXPECTED_CONTENT_LENGTH" },
      reused: false,
    },
  ],
  [
    "a folded header line: blocked",
    {
      pieces: ["HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\nContent-Length: 3\r\n\r\nok\n"],
      verdict: "block",
      logged: { event: "request_refused", reason: "malformed_answer", code: "HPE_INVALID_HEADER_TOKEN" },
      reused: false,
    },
  ],
  [
    "part of a status line, then the close: blocked, not sent again",
    {
      pieces: ["HTTP/1.1 20"],
      close: true,
      verdict: "block",
      logged: { event: "request_refused", reason: "connection_reset", code: "ECONNRESET" },
      reused: false,
    },
  ],
  [
    "a close before any answer, twice: sent again once on a fresh connection, then blocked",
    {
      pieces: [],
      close: true,
      verdict: "block",
      logged: { event: "request_refused", reason: "connection_reset", code: "ECONNRESET" },
      reused: false,
      sends: 2,
    },
  ],
];

test.each(CASES)("%s", async (_name, c) => {
  const logs = captureLogs();
  const exchanges = watchHttp1Exchanges();
  try {
    const before = node.requests.length;
    // The liveness probe (after an answer that is no verdict) gets a plain 200: the node is alive.
    node.setBehaviour((req) =>
      req.target.endsWith(LIVENESS_PATH)
        ? { kind: "status", status: 200 }
        : { kind: "pieces", pieces: c.pieces, gapMs: c.gapMs, close: c.close },
    );
    const event = requestEvent();
    const result = await handler(event, context);
    if (c.verdict === "pass") expect(result).toBe(event.Records[0].cf.request);
    else expect((result as CloudFrontResultResponse).status).toBe("403");
    // Every exchange over: its answer read to the end and the connection pooled, or closed.
    await exchanges.over(exchanges.started());
    const inspected = node.requests[before];
    const sent = node.requests.slice(before).filter((r) => !r.target.endsWith(LIVENESS_PATH));
    expect(sent.length).toBe(c.sends ?? 1);

    node.setBehaviour({ kind: "status", status: 200 });
    const count = node.requests.length;
    const next = requestEvent();
    expect(await handler(next, context)).toBe(next.Records[0].cf.request);
    const [after] = (await node.waitForRequests(count + 1)).slice(count);
    expect(after.connection === inspected.connection).toBe(c.reused);

    const lines = logs.lines();
    if (c.logged) expect(lines).toEqual([expect.objectContaining(c.logged)]);
    else expect(lines).toEqual([]);
  } finally {
    exchanges.stop();
    logs.restore();
  }
});
