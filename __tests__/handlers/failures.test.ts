// Everything that can go wrong with a node that is down or misconfigured (it fails every request,
// the liveness probe included), through the bundled request function, with real sockets:
// fail-open returns the original request, fail-closed a clean 503, within node_timeout_ms (plus
// the probe's time when the node stalls) and a margin, with exactly one JSON log line saying
// what the probe got, and no thrown error.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { createServer } from "node:net";
import { PROBE_TIMEOUT_MS } from "../../handlers/inspect";
import { Behaviour, RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { base64Body, requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context } from "./lambda";

const TIMEOUT_MS = 400;
const MARGIN_MS = 150;
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
    const logs = captureLogs();
    const started = Date.now();
    let result: CloudFrontRequestResult;
    try {
      result = await handler(event, context);
    } finally {
      logs.restore();
    }
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(TIMEOUT_MS + (probe === "timeout" ? PROBE_TIMEOUT_MS : 0) + MARGIN_MS);
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
  });
});

test("a node that stalls is judged down after node_timeout_ms and the probe's time, not later", async () => {
  plain.setBehaviour({ kind: "hang" });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: plain.url,
    node_timeout_ms: 250,
  });
  const logs = captureLogs();
  const started = Date.now();
  await handler(requestEvent(), context).finally(() => logs.restore());
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(250 + PROBE_TIMEOUT_MS - 10);
  expect(elapsed).toBeLessThan(250 + PROBE_TIMEOUT_MS + MARGIN_MS);
  expect(logs.lines()).toEqual([expect.objectContaining({ event: "node_failure", reason: "timeout", probe: "timeout" })]);
});

test("a function timeout too short for node_timeout_ms: the wait shrinks so the probe and the answer fit", async () => {
  plain.setBehaviour({ kind: "hang" });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: plain.url,
    node_timeout_ms: 5000,
  });
  const deadline = Date.now() + 800; // a function timeout of 0.8 s with 5 s configured for the node
  const logs = captureLogs();
  const started = Date.now();
  await handler(requestEvent(), { ...context, getRemainingTimeInMillis: () => deadline - Date.now() }).finally(() => logs.restore());
  const elapsed = Date.now() - started;
  // 800 - 500 ms headroom for the node, then the probe: done before the deadline.
  expect(elapsed).toBeGreaterThanOrEqual(300 + PROBE_TIMEOUT_MS - 10);
  expect(elapsed).toBeLessThan(800);
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
