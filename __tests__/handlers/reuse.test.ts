// Keep-alive reuse across a Lambda freeze. Lambda freezes the process as soon as the handler
// returns; async mode and the response function return once their request is written, before the
// node's answer. On thaw, timers armed before the freeze have expired, and Node runs the timers
// phase before the poll phase that reads the answer waiting in the socket. The freeze is emulated
// by blocking the event loop synchronously right after the handler returns. The recording node
// runs in this process, so the test first lets it read the request (a remote node would, frozen
// Lambda or not); it answers at once, and the block starts in that same tick, so the answer sits
// unread in the connector's socket through the "freeze", as one that arrived during a real freeze.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";
import { createServer, Server, Socket } from "node:net";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { DOC_ORIGIN_RESPONSE, requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context } from "./lambda";

const TIMEOUT_MS = 200; // node_timeout_ms
const FREEZE_MS = 300; // 1.5 x node_timeout_ms: every timer armed before the freeze has expired

/** The process frozen between invocations: nothing runs, the kernel still receives bytes. */
function freeze(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy-wait: the event loop is blocked as in a frozen Lambda instance
  }
}

/** The idle gap before the next invocation, which reaches a thawed instance through I/O. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let plain: RecordingNode;
let tlsNode: RecordingNode;
let caPem: string;
let logs: ReturnType<typeof captureLogs>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  const pki = makePki();
  caPem = pki.caPem;
  plain = await startRecordingNode();
  tlsNode = await startRecordingNode({ tls: { key: pki.key, cert: pki.cert } });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await Promise.all([plain.stop(), tlsNode.stop()]);
  cleanup();
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  expect(unhandled).toEqual([]);
});

describe("one connection across a freeze with the node's answer pending", () => {
  test.each([
    ["http", false],
    ["https", true],
  ] as const)("request function, async mode, %s node", async (_scheme, tls) => {
    const node = tls ? tlsNode : plain;
    node.setBehaviour({ kind: "status", status: 200 });
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: node.url,
      wallarm_mode: "async",
      node_timeout_ms: TIMEOUT_MS,
      ...(tls ? { node_ca_pem: caPem } : {}),
    });
    const connections = node.connections();
    const requests = node.requests.length;
    for (let i = 0; i < 3; i++) {
      const event = requestEvent();
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
      await node.waitForRequests(requests + i + 1);
      freeze(FREEZE_MS);
      await sleep(20);
    }
    expect(node.requests.length - requests).toBe(3);
    expect(node.connections() - connections).toBe(1);
    expect(logs.lines()).toEqual([]);
  });

  test("response function", async () => {
    plain.setBehaviour({ kind: "status", status: 200 });
    const report = await coldStart<CloudFrontResponseEvent, CloudFrontResponseResult>("response", {
      wallarm_node_url: plain.url,
      node_timeout_ms: TIMEOUT_MS,
    });
    const connections = plain.connections();
    const requests = plain.requests.length;
    for (let i = 0; i < 3; i++) {
      expect(await report(DOC_ORIGIN_RESPONSE, context)).toBe(DOC_ORIGIN_RESPONSE.Records[0].cf.response);
      await plain.waitForRequests(requests + i + 1);
      freeze(FREEZE_MS);
      await sleep(20);
    }
    expect(plain.requests.length - requests).toBe(3);
    expect(plain.connections() - connections).toBe(1);
    expect(logs.lines()).toEqual([]);
  });

  test("inline mode still reports the timeout at node_timeout_ms, then keeps its connections", async () => {
    plain.setBehaviour({ kind: "status", status: 403 });
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: plain.url,
      node_timeout_ms: TIMEOUT_MS,
    });
    const connections = plain.connections();
    const requests = plain.requests.length;
    // The loop is blocked while the handler waits: the 403 is unread in the socket when the deadline fires.
    const event = requestEvent();
    const pending = handler(event, context);
    await plain.waitForRequests(requests + 1);
    freeze(FREEZE_MS);
    // The verdict came too late; the node answers the liveness probe, so the request is refused.
    expect(await pending).toMatchObject({ status: "403" });
    expect(logs.lines()).toEqual([expect.objectContaining({ event: "request_refused", reason: "timeout", action: "block" })]);
    expect(plain.requests.length - requests).toBe(2); // the request and the probe
    // The probe leaves at once, while the timed-out exchange still drains: it may need a second
    // connection, never more, and the next request finds one kept alive.
    const opened = plain.connections() - connections;
    expect(opened).toBeLessThanOrEqual(2);

    await sleep(20);
    expect(await handler(requestEvent(), context)).toMatchObject({ status: "403" }); // in time
    expect(plain.connections() - connections).toBe(opened);
  });
});

describe("a node that never answers still loses the connection (no leak)", () => {
  let silent: Server;
  let url: string;
  const accepted: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => {
      accepted.push(socket);
      socket.on("error", () => undefined);
      socket.resume(); // read (and drop) the request, so the client's FIN is seen
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    accepted.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  const closed = (socket: Socket): Promise<number> => {
    const started = Date.now();
    return new Promise((resolve) => (socket.closed ? resolve(0) : socket.once("close", () => resolve(Date.now() - started))));
  };

  const received = async (socket: Socket): Promise<void> => {
    for (let i = 0; i < 100 && socket.bytesRead === 0; i++) await sleep(5);
  };

  test.each(["request (async)", "response"] as const)("%s function: closed right after the deferral", async (fn) => {
    const before = accepted.length;
    if (fn === "response") {
      const report = await coldStart<CloudFrontResponseEvent, CloudFrontResponseResult>("response", {
        wallarm_node_url: url,
        node_timeout_ms: TIMEOUT_MS,
      });
      await report(DOC_ORIGIN_RESPONSE, context);
    } else {
      const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
        wallarm_node_url: url,
        wallarm_mode: "async",
        node_timeout_ms: TIMEOUT_MS,
      });
      await handler(requestEvent(), context);
    }
    freeze(FREEZE_MS);
    for (let i = 0; i < 100 && accepted.length === before; i++) await sleep(5);
    expect(accepted.length - before).toBe(1);
    const socket = accepted[accepted.length - 1];
    await received(socket); // the request was fully written: the deferred path, not the plain one
    expect(socket.bytesRead).toBeGreaterThan(0);
    expect(await Promise.race([closed(socket), sleep(TIMEOUT_MS).then(() => "still open")])).toEqual(expect.any(Number));
    expect(logs.lines()).toEqual([]);
  });

  test("without a freeze, the background exchange is closed at node_timeout_ms", async () => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: url,
      wallarm_mode: "async",
      node_timeout_ms: TIMEOUT_MS,
    });
    const before = accepted.length;
    const started = Date.now();
    await handler(requestEvent(), context);
    for (let i = 0; i < 100 && accepted.length === before; i++) await sleep(5);
    await Promise.race([closed(accepted[accepted.length - 1]), sleep(TIMEOUT_MS + 1000)]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 150);
  });
});

describe("a new connection to a TLS node resumes the session", () => {
  test("after the node drops the connection, the next handshake uses the ticket (one round trip less)", async () => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: tlsNode.url,
      node_ca_pem: caPem,
      node_timeout_ms: 1000,
    });
    const before = tlsNode.requests.length;
    await handler(requestEvent(), context);
    // The node resets the connection instead of answering: the handler retries on a new one.
    tlsNode.setBehaviour({ kind: "reset" });
    await handler(requestEvent(), context);
    tlsNode.setBehaviour({ kind: "status", status: 200 });
    await handler(requestEvent(), context);
    const seen = tlsNode.requests.slice(before);
    const byConnection = new Map(seen.map((r) => [r.connection, r.tlsResumed]));
    expect(byConnection.size).toBeGreaterThanOrEqual(2);
    const [first, ...later] = [...byConnection.values()];
    expect(first).toBe(false);
    expect(later).not.toContain(false);
    expect(later.length).toBeGreaterThan(0);
  });
});
