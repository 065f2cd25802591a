// The circuit breaker through the bundled function against a real socket: a node that accepts
// connections and never answers (the liveness probe neither) costs node_timeout_ms plus the
// probe per request only until the breaker trips; then requests are answered by the fail policy
// without touching the node, one line logs the trip, one request goes through after the
// cool-down and a healthy answer closes it. Requests the node refuses while it answers the
// liveness probe never count.
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { breaker } from "../../handlers/breaker";
import { LIVENESS_PATH } from "../../handlers/protocol";
import { type Behaviour, RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context } from "../support/lambda";

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

const isProbe = (target: string): boolean => target.endsWith(LIVENESS_PATH);
/** Requests the node received since `before` (an index into node.requests), probes apart. */
const received = (before: number): { requests: number; probes: number } => {
  const targets = node.requests.slice(before).map((r) => r.target);
  return { requests: targets.filter((t) => !isProbe(t)).length, probes: targets.filter(isProbe).length };
};
/** A live node that answers `fault` to every request but the liveness probe. */
const refusesRequests =
  (fault: Behaviour) =>
  (req: { target: string }): Behaviour =>
    isProbe(req.target) ? { kind: "status", status: 200 } : fault;

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
    expect(received(before)).toEqual({ requests: THRESHOLD, probes: THRESHOLD });
    const tripped = logs.lines().map((l) => l.event);
    expect(tripped).toEqual([...Array<string>(THRESHOLD).fill("node_failure"), "breaker_open"]);

    // Open: the fail policy at once, the node untouched (no connection, no request), nothing
    // logged per request.
    const connections = node.connections();
    for (let i = 0; i < 20; i++) {
      const event = requestEvent();
      applied(event, await handler(event, context));
    }
    expect(node.connections()).toBe(connections);
    expect(received(before)).toEqual({ requests: THRESHOLD, probes: THRESHOLD });
    expect(logs.lines()).toHaveLength(THRESHOLD + 1);

    // After the cool-down one request reaches the node; the node has recovered, the breaker closes.
    node.setBehaviour({ kind: "status", status: 200 });
    await sleep(COOLDOWN_MS + 50); // past the cool-down: a slow run only waits longer
    const first = requestEvent();
    expect(await handler(first, context)).toBe(first.Records[0].cf.request);
    expect(received(before)).toEqual({ requests: THRESHOLD + 1, probes: THRESHOLD });
    expect(logs.lines().slice(THRESHOLD)).toEqual([
      expect.objectContaining({ event: "breaker_open", failures: THRESHOLD, reason: "timeout", action: failOpen ? "pass" : "fail_closed" }),
      expect.objectContaining({ event: "breaker_closed", bypassed: 20 }),
    ]);
    const next = requestEvent();
    expect(await handler(next, context)).toBe(next.Records[0].cf.request);
    expect(received(before)).toEqual({ requests: THRESHOLD + 2, probes: THRESHOLD });
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
  await sleep(250); // past the 200 ms cool-down: a slow run only waits longer
  await handler(requestEvent(), context); // goes through after the cool-down, fails
  await handler(requestEvent(), context); // skipped again
  expect(received(before)).toEqual({ requests: 2, probes: 2 });
  expect(logs.lines().map((l) => l.event)).toEqual(["node_failure", "breaker_open", "node_failure"]);
});

describe.each([
  ["400", { kind: "status", status: 400 }],
  ["413", { kind: "status", status: 413 }],
  ["431", { kind: "status", status: 431 }],
  ["500", { kind: "status", status: 500 }],
  ["a stall", { kind: "hang" }],
  ["a reset", { kind: "reset" }],
] as Array<[string, Behaviour]>)("requests answered with %s by a node that answers the liveness probe", (_label, fault) => {
  test.each([
    ["fail-open", true],
    ["fail-closed", false],
  ])("are blocked and never open the breaker (%s): each one still goes to the node", async (_mode, failOpen) => {
    node.setBehaviour(refusesRequests(fault));
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: node.url,
      node_timeout_ms: TIMEOUT_MS,
      fail_open: failOpen,
      circuit_breaker_threshold: THRESHOLD,
      circuit_breaker_cooldown_ms: COOLDOWN_MS,
    });
    const before = node.requests.length;
    const calls = THRESHOLD * 3;
    for (let i = 0; i < calls; i++) expect(await handler(requestEvent(), context)).toMatchObject({ status: "403" });
    // A reset on a kept-alive connection is sent once more on a fresh one (the node de-duplicates).
    const { requests, probes } = received(before);
    expect(probes).toBe(calls);
    expect(requests).toBeGreaterThanOrEqual(calls);
    expect(requests).toBeLessThanOrEqual(fault.kind === "reset" ? 2 * calls : calls);
    expect(logs.lines()).toEqual(
      Array<unknown>(calls).fill(expect.objectContaining({ level: "warn", event: "request_refused", action: "block" })),
    );
    // The node recovers for this viewer's next request: inspected as usual.
    node.setBehaviour({ kind: "status", status: 200 });
    const next = requestEvent();
    expect(await handler(next, context)).toBe(next.Records[0].cf.request);
    expect(received(before)).toEqual({ requests: requests + 1, probes: calls });
  });
});

test("such a refusal is an answer from a live node: it ends a run of failures", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    circuit_breaker_threshold: THRESHOLD,
    circuit_breaker_cooldown_ms: COOLDOWN_MS,
  });
  const down: Behaviour = { kind: "status", status: 500 }; // the probe too
  const refused: Behaviour = { kind: "status", status: 400 }; // this request only
  const phases = [...Array<Behaviour>(THRESHOLD - 1).fill(down), refused, ...Array<Behaviour>(THRESHOLD - 1).fill(down)];
  for (const fault of phases) {
    node.setBehaviour(fault === down ? down : refusesRequests(fault));
    await handler(requestEvent(), context);
  }
  expect(logs.lines().map((l) => l.event)).not.toContain("breaker_open");
  expect(logs.lines().map((l) => l.event)).toContain("request_refused");
  await handler(requestEvent(), context); // the THRESHOLD-th failure in a row
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
  expect(received(before)).toEqual({ requests: THRESHOLD, probes: THRESHOLD });
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
