// The circuit breaker through the bundled function against a real socket: a node that accepts
// connections and never answers costs node_timeout_ms per request only until the breaker trips;
// then requests are answered by the fail policy without touching the node, one line logs the
// trip, one probe goes through after the cool-down and a healthy answer closes it.
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { breaker } from "../../handlers/breaker";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { requestEvent } from "./fixtures";
import { captureLogs, cleanup, coldStart, context } from "./lambda";

const TIMEOUT_MS = 150;
const COOLDOWN_MS = 400;
const THRESHOLD = 3;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let node: RecordingNode;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  node = await startRecordingNode();
});
afterAll(async () => {
  await node.stop();
  cleanup();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe.each([
  ["fail-open", true],
  ["fail-closed", false],
])("%s", (_label, failOpen) => {
  test("trips after the threshold, skips the node while open, probes once, closes on success", async () => {
    node.setBehaviour({ kind: "hang" });
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: node.url,
      node_timeout_ms: TIMEOUT_MS,
      fail_open: failOpen,
      circuit_breaker_threshold: THRESHOLD,
      circuit_breaker_cooldown_ms: COOLDOWN_MS,
    });
    const applied = (event: CloudFrontRequestEvent, result: CloudFrontRequestResult): void => {
      if (failOpen) expect(result).toBe(event.Records[0].cf.request);
      else expect(result).toMatchObject({ status: "503", headers: { "cache-control": [{ value: "no-store" }] } });
    };

    const before = node.requests.length;
    for (let i = 0; i < THRESHOLD; i++) {
      const event = requestEvent();
      applied(event, await handler(event, context));
    }
    expect(node.requests.length - before).toBe(THRESHOLD);
    const tripped = logs.lines().map((l) => l.event);
    expect(tripped).toEqual([...Array<string>(THRESHOLD).fill("node_failure"), "breaker_open"]);

    // Open: the fail policy at once, the node untouched, nothing logged per request.
    for (let i = 0; i < 20; i++) {
      const event = requestEvent();
      applied(event, await handler(event, context));
    }
    expect(node.requests.length - before).toBe(THRESHOLD);
    expect(logs.lines()).toHaveLength(THRESHOLD + 1);

    // After the cool-down one probe reaches the node; the node has recovered, the breaker closes.
    node.setBehaviour({ kind: "status", status: 200 });
    await sleep(COOLDOWN_MS + 50);
    const probe = requestEvent();
    expect(await handler(probe, context)).toBe(probe.Records[0].cf.request);
    expect(node.requests.length - before).toBe(THRESHOLD + 1);
    expect(logs.lines().slice(THRESHOLD)).toEqual([
      expect.objectContaining({ event: "breaker_open", failures: THRESHOLD, reason: "timeout", action: failOpen ? "pass" : "fail_closed" }),
      expect.objectContaining({ event: "breaker_closed", bypassed: 20 }),
    ]);
    const next = requestEvent();
    expect(await handler(next, context)).toBe(next.Records[0].cf.request);
    expect(node.requests.length - before).toBe(THRESHOLD + 2);
  });
});

test("a failed probe re-opens for another cool-down without a new log line", async () => {
  node.setBehaviour({ kind: "status", status: 500 });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    circuit_breaker_threshold: 1,
    circuit_breaker_cooldown_ms: 200,
  });
  const before = node.requests.length;
  await handler(requestEvent(), context); // trips
  await handler(requestEvent(), context); // skipped
  await sleep(250);
  await handler(requestEvent(), context); // probe, fails
  await handler(requestEvent(), context); // skipped again
  expect(node.requests.length - before).toBe(2);
  expect(logs.lines().map((l) => l.event)).toEqual(["node_failure", "breaker_open", "node_failure"]);
});

test.each([400, 413, 431])(
  "answers %p, which a viewer can provoke, never open the breaker: each request still goes to the node",
  async (status) => {
    node.setBehaviour({ kind: "status", status });
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: node.url,
      circuit_breaker_threshold: THRESHOLD,
      circuit_breaker_cooldown_ms: COOLDOWN_MS,
    });
    const before = node.requests.length;
    const calls = THRESHOLD * 3;
    for (let i = 0; i < calls; i++) await handler(requestEvent(), context);
    expect(node.requests.length - before).toBe(calls);
    expect(logs.lines()).toEqual(Array<unknown>(calls).fill(expect.objectContaining({ event: "node_failure", status, action: "pass" })));
  },
);

test("such an answer is one from a live node: it ends a run of 5xx failures", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    circuit_breaker_threshold: THRESHOLD,
    circuit_breaker_cooldown_ms: COOLDOWN_MS,
  });
  const statuses = [...Array<number>(THRESHOLD - 1).fill(500), 400, ...Array<number>(THRESHOLD - 1).fill(500)];
  for (const status of statuses) {
    node.setBehaviour({ kind: "status", status });
    await handler(requestEvent(), context);
  }
  expect(logs.lines().map((l) => l.event)).not.toContain("breaker_open");
  await handler(requestEvent(), context); // the THRESHOLD-th 500 in a row
  expect(logs.lines().map((l) => l.event)).toContain("breaker_open");
});

test("a node answering 503 (overloaded) opens the breaker like one that does not answer", async () => {
  node.setBehaviour({ kind: "status", status: 503 });
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    circuit_breaker_threshold: THRESHOLD,
    circuit_breaker_cooldown_ms: COOLDOWN_MS,
  });
  const before = node.requests.length;
  for (let i = 0; i < THRESHOLD * 3; i++) await handler(requestEvent(), context);
  expect(node.requests.length - before).toBe(THRESHOLD);
  expect(logs.lines().map((l) => l.event)).toEqual([...Array<string>(THRESHOLD).fill("node_failure"), "breaker_open"]);
});

test("the state machine: one probe at a time, a stale probe replaced, success resets the count", () => {
  const b = breaker(2, 1000);
  expect(b.failure(0)).toBeUndefined();
  expect(b.success(1)).toBeUndefined(); // closed: consecutive failures only
  expect(b.failure(2)).toBeUndefined();
  expect(b.failure(3)).toEqual({ state: "open", failures: 2 });
  expect([b.allow(500), b.allow(1002)]).toEqual([false, false]);
  expect(b.allow(1003)).toBe(true); // the probe
  expect(b.allow(1004)).toBe(false); // only one
  expect(b.allow(2004)).toBe(true); // a probe that never reported is replaced
  expect(b.success(2100)).toEqual({ state: "closed", openMs: 2097, bypassed: 3 });
  expect([b.allow(2101), b.allow(2102)]).toEqual([true, true]); // closed: every request goes
});
