// Nodes near every edge: the bundled request function, cold-started with AWS_REGION set as
// Lambda@Edge sets it for a replica, against two real TLS nodes behind a private CA: a near one
// listed for the region and the far wallarm_node_url. The near node is preferred while healthy;
// when it refuses connections or hangs, the request is judged by the far node in the same
// invocation (never passed by the fail policy while a node is up); its breaker then skips it
// until the cool-down, after which one verdict brings the traffic back. Each change is logged
// once, with both nodes.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { LIVENESS_PATH } from "../../handlers/protocol";
import { makePki, type Pki } from "../../tools/pki";
import { type RecordedRequest, type RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context } from "../support/lambda";

const REGION = "eu-west-1";
// Long enough for a first TLS handshake on a loaded machine; a hanging node costs it plus the probe.
const TIMEOUT_MS = 1000;
const COOLDOWN_MS = 400;
const THRESHOLD = 2;

let pki: Pki;
let near: RecordingNode;
let far: RecordingNode;
let logs: ReturnType<typeof captureLogs>;

/** The node blocks requests whose URI holds "attack", passes the rest, answers the probe. */
const judge = (req: RecordedRequest): { kind: "status"; status: number } => ({
  kind: "status",
  status: req.target.includes("attack") && !req.target.endsWith(LIVENESS_PATH) ? 403 : 200,
});

beforeAll(async () => {
  pki = makePki();
  near = await startRecordingNode({ tls: pki, behaviour: judge });
  far = await startRecordingNode({ tls: pki, behaviour: judge });
});
afterAll(async () => {
  await Promise.all([near.stop(), far.stop()]);
  cleanup();
});
beforeEach(() => {
  near.setBehaviour(judge);
  far.setBehaviour(judge);
  logs = captureLogs();
});
afterEach(() => logs.restore());

// The far node by name, the near one by address: the log lines tell them apart by host.
const farUrl = (): string => far.url.replace("127.0.0.1", "localhost");
const NEAR_HOST = (): string => new URL(near.url).host;
const FAR_HOST = (): string => new URL(farUrl()).host;

type RequestHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;

/** A function instance cold-started in `region` (AWS_REGION is read once, at init). */
async function instanceIn(region: string, settings: object = {}, nearUrl = near.url): Promise<RequestHandler> {
  const saved = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  try {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: farUrl(),
      node_urls_by_region: { [REGION]: [nearUrl] },
      node_ca_pem: pki.caPem,
      node_timeout_ms: TIMEOUT_MS,
      circuit_breaker_threshold: THRESHOLD,
      circuit_breaker_cooldown_ms: COOLDOWN_MS,
      fail_open: true,
      ...settings,
    });
    return (event) => handler(event, context);
  } finally {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  }
}

const attack = (): CloudFrontRequestEvent => requestEvent({ uri: "/attack" });
const isBlocked = (result: CloudFrontRequestResult): boolean => (result as CloudFrontResultResponse | undefined)?.status === "403";
/** Requests (not probes) a node received since `before`. */
const requestsSince = (node: RecordingNode, before: number): number =>
  node.requests.slice(before).filter((r) => !r.target.endsWith(LIVENESS_PATH)).length;
const events = (): unknown[] => logs.lines().map((l) => l.event);

test("the region's own node judges every request while it is healthy; the far node sees none", async () => {
  const handler = await instanceIn(REGION);
  const [nearBefore, farBefore] = [near.requests.length, far.requests.length];
  expect(isBlocked(await handler(attack()))).toBe(true);
  const passed = requestEvent();
  expect(await handler(passed)).toBe(passed.Records[0].cf.request);
  expect(requestsSince(near, nearBefore)).toBe(2);
  expect(far.requests.length).toBe(farBefore);
  expect(events()).toEqual(["blocked"]);
});

test("a region without its own nodes uses wallarm_node_url", async () => {
  const handler = await instanceIn("ap-northeast-1");
  const [nearBefore, farBefore] = [near.requests.length, far.requests.length];
  expect(isBlocked(await handler(attack()))).toBe(true);
  expect(requestsSince(far, farBefore)).toBe(1);
  expect(near.requests.length).toBe(nearBefore);
});

test("a near node that refuses connections: the far node judges in the same invocation, then the breaker skips it", async () => {
  const closed = await startRecordingNode({ tls: pki });
  const closedUrl = closed.url;
  await closed.stop(); // nothing listens there now: connections are refused
  const handler = await instanceIn(REGION, { metrics_interval_seconds: 1 }, closedUrl);
  const farBefore = far.requests.length;

  for (let i = 0; i < THRESHOLD + 3; i++) expect(isBlocked(await handler(attack()))).toBe(true);
  expect(requestsSince(far, farBefore)).toBe(THRESHOLD + 3);
  const closedHost = new URL(closedUrl).host;
  const lines = logs.lines();
  // Tried and refused until the breaker opened; then passed over without a line per request.
  expect(lines.filter((l) => l.event === "node_failure")).toEqual(
    Array(THRESHOLD).fill(expect.objectContaining({ node: closedHost, reason: "connection_refused", action: "next_node" })),
  );
  expect(lines.filter((l) => l.event === "breaker_open")).toEqual([expect.objectContaining({ node: closedHost, failures: THRESHOLD })]);
  expect(lines.filter((l) => l.event === "node_failover")).toEqual([expect.objectContaining({ from: closedHost, to: FAR_HOST() })]);
  expect(lines.filter((l) => l.event === "blocked")).toHaveLength(THRESHOLD + 3);
  // Must exceed the metrics interval: the next invocation (which tries the near node again, its
  // cool-down being over) writes what was counted; a slower run may have written part already,
  // so the lines are summed.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await handler(attack());
  const metricLines = logs.lines().filter((l) => l.EventType !== undefined);
  const total = (name: string): number => metricLines.reduce((sum, l) => sum + Number(l[name] ?? 0), 0);
  // Every request judged by the far node, each a failover; none fell to the fail policy.
  expect([total("Requests"), total("Inspected"), total("Failovers"), total("NodeFailures")]).toEqual([
    THRESHOLD + 3,
    THRESHOLD + 3,
    THRESHOLD + 3,
    0,
  ]);
  expect(metricLines.some((l) => l.BreakerOpen === 1)).toBe(true);
});

test("a near node that hangs: requests wait for it and its probe, then the far node judges; after the trip, only the far node", async () => {
  near.setBehaviour({ kind: "hang" });
  const handler = await instanceIn(REGION);
  const [nearBefore, farBefore] = [near.requests.length, far.requests.length];

  for (let i = 0; i < THRESHOLD; i++) expect(isBlocked(await handler(attack()))).toBe(true);
  expect(requestsSince(near, nearBefore)).toBe(THRESHOLD);
  expect(requestsSince(far, farBefore)).toBe(THRESHOLD);
  expect(events()).toEqual(expect.arrayContaining(["node_failure", "node_failover", "breaker_open", "blocked"]));

  // Open: the near node is not contacted at all; every request is judged by the far node.
  const nearAfterTrip = near.requests.length;
  const passed = requestEvent();
  expect(await handler(passed)).toBe(passed.Records[0].cf.request);
  expect(isBlocked(await handler(attack()))).toBe(true);
  expect(near.requests.length).toBe(nearAfterTrip);
  expect(requestsSince(far, farBefore)).toBe(THRESHOLD + 2);
  expect(logs.lines().filter((l) => l.event === "node_failover")).toHaveLength(1);
});

test("the near node back: after its cool-down one verdict returns the traffic to it, logged once", async () => {
  near.setBehaviour({ kind: "hang" });
  const handler = await instanceIn(REGION);
  for (let i = 0; i < THRESHOLD; i++) await handler(attack());
  expect(events()).toContain("breaker_open");

  near.setBehaviour(judge);
  // Must exceed the cool-down: a slower run only waits longer.
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 50));
  const [nearBefore, farBefore] = [near.requests.length, far.requests.length];
  for (let i = 0; i < 3; i++) expect(isBlocked(await handler(attack()))).toBe(true);
  expect(requestsSince(near, nearBefore)).toBe(3);
  expect(far.requests.length).toBe(farBefore);
  const lines = logs.lines();
  expect(lines.filter((l) => l.event === "node_return")).toEqual([
    { ...lines.find((l) => l.event === "node_return"), from: FAR_HOST(), to: NEAR_HOST() },
  ]);
  expect(lines.filter((l) => l.event === "breaker_closed")).toEqual([expect.objectContaining({ node: NEAR_HOST() })]);
});

test("every node unavailable: the fail policy applies, one node_failure line per node tried", async () => {
  near.setBehaviour({ kind: "hang" });
  far.setBehaviour({ kind: "hang" });
  const handler = await instanceIn(REGION, { fail_open: false, circuit_breaker_threshold: 10 });
  const result = (await handler(attack())) as CloudFrontResultResponse;
  expect(result.status).toBe("503");
  const failures = logs.lines().filter((l) => l.event === "node_failure");
  expect(failures.map((l) => [l.node, l.action])).toEqual([
    [NEAR_HOST(), "next_node"],
    [FAR_HOST(), "fail_closed"],
  ]);
});

test("async copies follow the same choice: the near node while healthy, the far one when it refuses", async () => {
  const healthy = await instanceIn(REGION, { wallarm_mode: "async" });
  const [nearBefore, farBefore] = [near.requests.length, far.requests.length];
  const event = attack();
  expect(await healthy(event)).toBe(event.Records[0].cf.request);
  await near.waitForRequests(nearBefore + 1);
  expect(far.requests.length).toBe(farBefore);

  const closed = await startRecordingNode({ tls: pki });
  const closedUrl = closed.url;
  await closed.stop();
  const refused = await instanceIn(REGION, { wallarm_mode: "async" }, closedUrl);
  const copied = attack();
  expect(await refused(copied)).toBe(copied.Records[0].cf.request);
  await far.waitForRequests(farBefore + 1);
  // Delivered by the far node: no copy is reported lost.
  expect(events()).not.toContain("node_copy_lost");
  expect(events()).toContain("node_failover");
});
