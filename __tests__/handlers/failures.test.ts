// Everything that can go wrong with a node that is down or misconfigured (it fails every request,
// the liveness probe included), through the bundled request function, with real sockets:
// fail-open returns the original request, fail-closed a clean 503, with exactly one JSON log line
// saying what went wrong and what the probe got, and no thrown error. What ended each wait is
// read from behaviour (the log's reason, what the node received), never from elapsed time.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { createServer } from "node:net";
import { LIVENESS_PATH } from "../../handlers/protocol";
import { Behaviour, RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { base64Body, requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context } from "../support/lambda";

const TIMEOUT_MS = 400;
/** Far above node_timeout_ms plus the probe's time: only a handler ignoring its own timeouts takes this long. */
const HANG_GUARD_MS = 10_000;
const SECRET = "Bearer s3cr3t-token";
const BODY = "password=hunter2";

let plain: RecordingNode;
let tlsNode: RecordingNode;
let refusedUrl: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  plain = await startRecordingNode();
  const pki = makePki();
  tlsNode = await startRecordingNode({ tls: { key: pki.key, cert: pki.cert } });
  // A port that was free a moment ago and has no listener: connections are refused.
  refusedUrl = await new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await Promise.all([plain.stop(), tlsNode.stop()]);
  cleanup();
});
afterEach(() => expect(unhandled).toEqual([]));

interface Scenario {
  name: string;
  reason: string;
  status?: number;
  /** What the liveness probe got; none is sent when the node could not even be reached. */
  probe?: string;
  url: () => string;
  behaviour?: Behaviour;
}

const scenarios: Scenario[] = [
  { name: "connection refused", reason: "connection_refused", url: () => refusedUrl },
  { name: "DNS failure (.invalid host)", reason: "dns_failure", url: () => "http://wallarm-node.invalid:8080" },
  { name: "TLS failure (self-signed node, no node_ca_pem)", reason: "tls_failure", url: () => tlsNode.url },
  { name: "timeout (node never answers)", reason: "timeout", probe: "timeout", url: () => plain.url, behaviour: { kind: "hang" } },
  {
    name: "timeout (node answers too late)",
    reason: "timeout",
    probe: "timeout",
    url: () => plain.url,
    behaviour: { kind: "status", status: 200, delayMs: 2000 },
  },
  { name: "connection reset", reason: "connection_reset", probe: "connection_reset", url: () => plain.url, behaviour: { kind: "reset" } },
  // A node answering everything so is down (5xx, 429), misconfigured (404, 3xx) or broken.
  ...[500, 503, 400, 404, 408, 413, 414, 431, 429, 101, 301, 304].map((status) => ({
    name: `${status} from the node to every request`,
    reason: "node_status",
    status,
    probe: `status ${status}`,
    url: () => plain.url,
    behaviour: { kind: "status", status } as Behaviour,
  })),
  {
    name: "malformed answer (garbage bytes)",
    reason: "malformed_answer",
    probe: "malformed_answer",
    url: () => plain.url,
    behaviour: { kind: "garbage" },
  },
];

const isProbe = (target: string): boolean => target.endsWith(LIVENESS_PATH);

function sensitiveEvent(): CloudFrontRequestEvent {
  return requestEvent({
    method: "POST",
    headers: [
      ["Host", "shop.example.com"],
      ["Authorization", SECRET],
      ["Content-Type", "application/x-www-form-urlencoded"],
    ],
    body: base64Body(BODY),
  });
}

describe.each([
  ["fail-open", true],
  ["fail-closed", false],
])("%s", (_label, failOpen) => {
  test.each(scenarios)("$name", async ({ reason, status, probe, url, behaviour }) => {
    const node = url() === tlsNode.url ? tlsNode : plain;
    node.setBehaviour(behaviour ?? { kind: "status", status: 200 });
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: url(),
      node_timeout_ms: TIMEOUT_MS,
      fail_open: failOpen,
    });
    const event = sensitiveEvent();
    const before = node.requests.length;
    const logs = captureLogs();
    const started = Date.now();
    let result: CloudFrontRequestResult;
    try {
      result = await handler(event, context);
    } finally {
      logs.restore();
    }
    expect(Date.now() - started).toBeLessThan(HANG_GUARD_MS);

    if (failOpen) {
      expect(result).toBe(event.Records[0].cf.request);
    } else {
      const response = result as CloudFrontResultResponse;
      expect(response.status).toBe("503");
      expect(response.headers?.["cache-control"]).toEqual([{ key: "Cache-Control", value: "no-store" }]);
      expect(response.headers?.["content-type"]?.[0].value).toMatch(/^text\/plain/);
    }
    const lines = logs.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "error",
      event: "node_failure",
      request_id: event.Records[0].cf.config.requestId,
      reason,
      action: failOpen ? "pass" : "fail_closed",
    });
    expect(lines[0].status).toBe(status);
    expect(lines[0].probe).toBe(probe);
    expect(lines[0].elapsed_ms).toEqual(expect.any(Number));
    const text = JSON.stringify(lines);
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("hunter2");
    // What the node received: nothing when it could not be reached; else the request, then the probe.
    const received = node.requests.slice(before);
    expect(received.map((r) => isProbe(r.target))).toEqual(probe === undefined ? [] : [false, true]);
    // A timeout is the client giving up: the request's connection is abandoned, the probe takes a new one.
    if (reason === "timeout") expect(received[1].connection).not.toBe(received[0].connection);
  });
});

test("a node that stalls is judged down only once node_timeout_ms, then the probe's time, have run out", async () => {
  plain.setBehaviour({ kind: "hang" });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: plain.url,
    node_timeout_ms: 1000,
  });
  const before = plain.requests.length;
  const logs = captureLogs();
  // Armed before the handler arms its 1000 ms timer, in the same turn, so it fires first whatever
  // the load: at that point the handler must still be waiting, with no probe sent yet.
  const halfway = new Promise<void>((resolve) => setTimeout(resolve, 500));
  let settled = false;
  const started = Date.now();
  const pending = handler(requestEvent(), context).finally(() => {
    settled = true;
    logs.restore();
  });
  await halfway;
  expect(settled).toBe(false);
  expect(plain.requests.slice(before).filter((r) => isProbe(r.target))).toEqual([]);
  await pending;
  expect(Date.now() - started).toBeLessThan(HANG_GUARD_MS);
  expect(logs.lines()).toEqual([expect.objectContaining({ event: "node_failure", reason: "timeout", probe: "timeout" })]);
  // The node held the request until the client gave up on it, then the probe on a new connection.
  const [request, liveness] = plain.requests.slice(before);
  expect([isProbe(request.target), isProbe(liveness.target)]).toEqual([false, true]);
  expect(liveness.connection).not.toBe(request.connection);
});

test("a function timeout too short for node_timeout_ms: the wait shrinks so the probe and the answer fit", async () => {
  // The node answers everything, the probe too, 400 ms after receiving it.
  plain.setBehaviour({ kind: "status", status: 200, delayMs: 400 });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: plain.url,
    node_timeout_ms: 5000,
  });
  const logs = captureLogs();
  // 0.8 s left, 0.5 s of it kept as headroom: the node gets 300 ms, not 5 s. The handler arms
  // that timer before the node arms its 400 ms one (on receipt), so it fires first whatever the
  // load: a handler that shrank its wait gives up; one that kept 5 s would get the 200 and pass.
  await handler(requestEvent(), { ...context, getRemainingTimeInMillis: () => 800 }).finally(() => logs.restore());
  // The probe (PROBE_TIMEOUT_MS, 300 ms) gives up before the node's 400 ms answer in the same way.
  expect(logs.lines()).toEqual([expect.objectContaining({ event: "node_failure", reason: "timeout", probe: "timeout" })]);
});

test("2xx statuses pass, even fail-closed", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: plain.url,
    fail_open: false,
  });
  for (const status of [200, 201, 204, 299]) {
    plain.setBehaviour({ kind: "status", status });
    const event = requestEvent();
    expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  }
});

describe("invalid configuration never throws and follows fail_open", () => {
  const cases: Array<[string, object | string | undefined, boolean, RegExp]> = [
    ["missing config.json", undefined, true, /cannot read .*config\.json/],
    ["unparseable JSON", "{ wallarm_node_url: ", true, /not valid JSON/],
    ["not an object", "[1,2]", true, /JSON object/],
    ["missing node URL", { wallarm_mode: "inline" }, true, /wallarm_node_url must be an http:\/\/ or https:\/\/ URL/],
    ["bad node URL", { wallarm_node_url: "not a url", fail_open: false }, false, /wallarm_node_url must be an http:\/\/ or https:\/\/ URL/],
    ["ftp node URL", { wallarm_node_url: "ftp://node.example" }, true, /http:\/\/ or https:\/\//],
    ["unknown mode", { wallarm_node_url: "http://127.0.0.1:1", wallarm_mode: "monitoring", fail_open: false }, false, /wallarm_mode/],
    ["timeout as a string", { wallarm_node_url: "http://127.0.0.1:1", node_timeout_ms: "1000" }, true, /node_timeout_ms/],
    ["block status 200", { wallarm_node_url: "http://127.0.0.1:1", block_status_code: 200, fail_open: false }, false, /block_status_code/],
    [
      "broken CA PEM",
      { wallarm_node_url: "https://127.0.0.1:1", node_ca_pem: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" },
      true,
      /node_ca_pem/,
    ],
    ["unreadable fail_open fails open", { wallarm_node_url: 42, fail_open: "no" }, true, /wallarm_node_url/],
  ];
  test.each(cases)("%s", async (_name, config, expectOpen, reason) => {
    const logs = captureLogs();
    try {
      const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", config);
      for (let i = 0; i < 2; i++) {
        const event = requestEvent();
        const result = await handler(event, context);
        if (expectOpen) expect(result).toBe(event.Records[0].cf.request);
        else expect(result).toMatchObject({ status: "503", headers: { "cache-control": [{ value: "no-store" }] } });
      }
    } finally {
      logs.restore();
    }
    const lines = logs.lines();
    expect(lines).toHaveLength(1); // once per cold start, not per request
    expect(lines[0]).toMatchObject({ level: "error", event: "config_invalid", action: expectOpen ? "pass" : "fail_closed" });
    expect(lines[0].reason).toMatch(reason);
  });
});
