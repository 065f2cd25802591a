// The transport under real protocol stacks: HTTP/1.1 for in-line verdicts and for async copies
// while its connection is free, HTTP/2 by ALPN for copies once it waits (TLS with a pinned
// private CA), the HTTP/1.1 fallback on the probe's own connection, GOAWAY and stream resets,
// async copies that hold no more connections while a slow node thinks, and the exact bytes each
// header becomes.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { MAX_SESSIONS } from "../../handlers/h2-transport";
import { IDLE_MS } from "../../handlers/transport";
import { type H2Behaviour, H2Node, startH2Node } from "../../tools/h2-node";
import { makePki, type TestPki } from "../../tools/pki";
import { requestEvent } from "../../tools/cloudfront-events";
import { until } from "../support/eventually";
import { watchHttp1Exchanges } from "../support/http1-exchanges";
import { captureLogs, cleanup, coldStart, context, Handler, missedFlushBudget } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;

let pki: TestPki;
let h2: H2Node;
let h1: H2Node;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  pki = makePki();
  h2 = await startH2Node({ key: pki.key, cert: pki.cert });
  h1 = await startH2Node({ key: pki.key, cert: pki.cert, h2: false });
});
afterAll(async () => {
  await Promise.all([h2.stop(), h1.stop()]);
  cleanup();
});
beforeEach(() => {
  logs = captureLogs();
  h2.setBehaviour({ kind: "status", status: 200 });
  h1.setBehaviour({ kind: "status", status: 200 });
});
afterEach(() => logs.restore());
/** The log lines but those of a request that only missed the flush budget (see missedFlushBudget). */
const logged = (): Array<Record<string, unknown>> => logs.lines().filter((l) => !missedFlushBudget(l));

const start = (node: H2Node, extra: object = {}): Promise<RequestHandler> =>
  coldStart("request", { wallarm_node_url: node.url, node_ca_pem: pki.caPem, node_timeout_ms: 1000, ...extra });

const idOf = (req: { headers: Array<[string, Buffer]> }): string | undefined =>
  req.headers.find(([k]) => k === "x-wallarm-request-id")?.[1].toString();
/** The behaviour a node gives the occupying copy: no answer, ever. */
const OCCUPYING = "occupy-http1";

/**
 * An async function sends copies over HTTP/1.1 while its connection is free, over HTTP/2 once it
 * waits on an answer. This sends one copy the node never answers, so the copies after it go over
 * HTTP/2 (for as long as its node_timeout_ms: give the handler a long one). The node's behaviour
 * for the others is `then`.
 */
async function occupyHttp1(node: H2Node, handler: RequestHandler, then: H2Behaviour = { kind: "status", status: 200 }): Promise<void> {
  const before = node.requests.length;
  node.setBehaviour((req) => (idOf(req) === OCCUPYING ? { kind: "hang" } : then));
  await handler(requestEvent({ requestId: OCCUPYING }), context);
  const [occupying] = (await node.waitForRequests(before + 1)).slice(before);
  expect([idOf(occupying), occupying.protocol]).toEqual([OCCUPYING, "http/1.1"]);
}

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");
const header = (headers: Array<[string, Buffer]>, name: string): string[] =>
  headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v.toString("latin1"));

// What a viewer can send that Node's HTTP client would refuse or an HTTP/2 peer would drop.
const HOSTILE: Array<[string, string]> = [
  ["Host", "shop.example.com"],
  ["X-Anything", "€ and 😀"],
  ["User-Agent", "Mozilla/5.0 (X11) Gecko/20100101 Firefox/133.0 🚀"],
  ["X-Latin", "café"],
  ["X-Del", "a\x7fb%41"],
  ["X-Spaced", " padded "],
  ["X-Wallarm-Forged", "yes"],
  ["x-wallarm-mode", "off"],
  ["X-Real-IP", "6.6.6.6"],
  ["Cookie", "a=1"],
  ["Cookie", "b=2"],
];

// In-line, the request function waits on each verdict: HTTP/1.1, even to a node offering HTTP/2.
// Async copies (and response reports) are not waited on: HTTP/1.1 while its connection is free,
// HTTP/2 when the node offers it and that connection waits on an answer.
describe.each([
  ["inline, node offering HTTP/2", () => h2, "inline", "http/1.1", false],
  ["inline, HTTP/1.1-only node", () => h1, "inline", "http/1.1", false],
  ["async, node offering HTTP/2, HTTP/1.1 connection free", () => h2, "async", "http/1.1", false],
  ["async, node offering HTTP/2, HTTP/1.1 connection waiting", () => h2, "async", "h2", true],
  ["async, HTTP/1.1-only node (the fallback)", () => h1, "async", "http/1.1", false],
] as const)("%s", (_name, node, mode, protocol, occupied) => {
  test(`${protocol}: the node receives each header's UTF-8 bytes; what HTTP cannot carry is escaped and flagged`, async () => {
    const handler = await start(node(), { wallarm_mode: mode, node_timeout_ms: 10_000 });
    if (occupied) await occupyHttp1(node(), handler);
    const before = node().requests.length;
    const event = requestEvent({ headers: HOSTILE, uri: "/caf\u00e9/\u{1F600}", querystring: "q=\x7f\u20ac" });
    expect(await handler(event, context)).toBe(event.Records[0].cf.request);
    const [req] = (await node().waitForRequests(before + 1)).slice(before);
    expect(req.protocol).toBe(protocol);
    expect(req.path).toBe("/caf%C3%A9/%F0%9F%98%80?q=%7F%E2%82%AC");
    expect(req.authority).toBe("shop.example.com");
    expect(header(req.headers, "x-anything")).toEqual([utf8("€ and 😀").toString("latin1")]);
    expect(header(req.headers, "user-agent")[0]).toBe(utf8("Mozilla/5.0 (X11) Gecko/20100101 Firefox/133.0 🚀").toString("latin1"));
    expect(header(req.headers, "x-latin")).toEqual([utf8("café").toString("latin1")]);
    expect(header(req.headers, "x-del")).toEqual(["a%7Fb%2541"]);
    expect(header(req.headers, "x-spaced")).toEqual(["%20padded%20"]);
    expect(header(req.headers, "x-wallarm-escaped-headers")).toEqual(["x-del,x-spaced"]);
    expect(header(req.headers, "x-wallarm-forged")).toEqual([]);
    expect(header(req.headers, "x-wallarm-mode")).toEqual([mode]);
    expect(header(req.headers, "x-real-ip")).toEqual(["203.0.113.178"]);
    // HTTP/1.1 repeats the lines as received; HTTP/2 combines them as RFC 9113 allows for cookies.
    expect(header(req.headers, "cookie")).toEqual(protocol === "h2" ? ["a=1; b=2"] : ["a=1", "b=2"]);
    expect(logged()).toEqual([]);
  });

  test("one connection serves many requests (the one opened at init included)", async () => {
    // No timeout under load: a timed-out exchange closes its connection and the next opens another.
    const handler = await start(node(), { wallarm_mode: mode, node_timeout_ms: 10_000 });
    if (occupied) await occupyHttp1(node(), handler);
    const connections = node().connections(); // read before the handshake opened at init completes
    const before = node().requests.length;
    const exchanges = watchHttp1Exchanges();
    try {
      for (let i = 0; i < 5; i++) {
        const event = requestEvent();
        expect(await handler(event, context)).toBe(event.Records[0].cf.request);
        // A copy is not waited on: over HTTP/1.1 its connection is busy until the node's answer
        // is read, so the next request waits for that. HTTP/2 multiplexes: nothing to wait for.
        if (mode === "async" && protocol === "http/1.1") await exchanges.over(i + 1);
      }
    } finally {
      exchanges.stop();
    }
    const seen = (await node().waitForRequests(before + 5)).slice(before);
    expect(seen.map((r) => r.protocol)).toEqual(Array(5).fill(protocol));
    expect(new Set(seen.map((r) => r.connection)).size).toBe(1);
    expect(node().connections() - connections).toBe(1);
  });
});

test.each([
  ["node offering HTTP/2", () => h2],
  ["HTTP/1.1-only node", () => h1],
] as const)("inline, %s: the node's 403 blocks, its 404 is a node failure with the status logged", async (_name, node) => {
  const handler = await start(node(), { fail_open: false });
  node().setBehaviour({ kind: "status", status: 403 });
  expect(await handler(requestEvent(), context)).toMatchObject({ status: "403" });
  node().setBehaviour({ kind: "status", status: 404 });
  expect(await handler(requestEvent(), context)).toMatchObject({ status: "503" });
  expect(logs.lines().map((l) => [l.event, l.status])).toEqual([
    ["blocked", 403],
    ["node_failure", 404],
  ]);
});

test("node_ca_pem pins: a node whose certificate another CA signed is refused", async () => {
  const other = makePki();
  const stranger = await startH2Node({ key: other.key, cert: other.cert });
  try {
    const handler = await start(stranger, { fail_open: false });
    const result = (await handler(requestEvent(), context)) as CloudFrontResultResponse;
    expect(result.status).toBe("503");
    expect(logs.lines()).toEqual([expect.objectContaining({ event: "node_failure", reason: "tls_failure" })]);
    expect(stranger.requests).toHaveLength(0);
  } finally {
    await stranger.stop();
  }
});

test("GOAWAY: a copy the node refused goes again on a fresh session with the same request id", async () => {
  const handler = await start(h2, { wallarm_mode: "async", node_timeout_ms: 10_000 });
  await occupyHttp1(h2, handler);
  const before = h2.requests.length + 1;
  await handler(requestEvent(), context); // a session that has served
  await h2.waitForRequests(before);
  const connections = h2.connections();
  let first = true;
  h2.setBehaviour((req) => (req.protocol === "h2" && first ? ((first = false), { kind: "goaway" }) : { kind: "status", status: 200 }));
  const event = requestEvent({ requestId: "goaway-1" });
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  const seen = (await h2.waitForRequests(before + 2)).slice(before);
  expect(seen.map((r) => [r.protocol, header(r.headers, "x-wallarm-request-id")[0]])).toEqual([
    ["h2", "goaway-1"],
    ["h2", "goaway-1"],
  ]);
  expect(h2.connections() - connections).toBe(1);
  // Absence check: the retry was answered, so no line may follow. A slow run can only hide one.
  await new Promise((r) => setTimeout(r, 100));
  expect(logged()).toEqual([]);
});

test("a stream the node resets twice is a lost copy, tried twice, logged once", async () => {
  const handler = await start(h2, { wallarm_mode: "async", node_timeout_ms: 10_000 });
  await occupyHttp1(h2, handler);
  const before = h2.requests.length + 1;
  await handler(requestEvent(), context); // a session that has served
  await h2.waitForRequests(before);
  h2.setBehaviour({ kind: "reset" });
  const event = requestEvent({ requestId: "reset-1" });
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  await h2.waitForRequests(before + 2);
  const lines = (): Array<Record<string, unknown>> => logs.lines().filter((l) => l.request_id === "reset-1");
  await until(() => lines().some((l) => l.event === "node_copy_lost"), "the lost copy's line");
  // Absence check: no second line for the same copy. A slow run can only hide one.
  await new Promise((r) => setTimeout(r, 100));
  expect(h2.requests.slice(before).map((r) => r.protocol)).toEqual(["h2", "h2"]);
  // Once, after the send, for the resets (a loaded machine may add a pending line before it).
  expect(lines().filter((l) => !missedFlushBudget(l))).toEqual([
    expect.objectContaining({ event: "node_copy_lost", reason: "connection_reset", phase: "after_send" }),
  ]);
  expect(logged().filter((l) => l.request_id !== "reset-1")).toEqual([]);
});

test("async: copies to a node that answers none of them hold one HTTP/1.1 connection and one HTTP/2 session, all delivered, none waits", async () => {
  const handler = await start(h2, { wallarm_mode: "async", node_timeout_ms: 5000 });
  // No answer ever comes: an invocation that waited for one would wait out its 5 s budget, and
  // 200 of them would far exceed the test's timeout. Each returning shows that none waited.
  h2.setBehaviour({ kind: "hang" });
  const before = h2.requests.length;
  const connections = h2.connections();
  for (let i = 0; i < 200; i++) {
    const event = requestEvent();
    expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  }
  const seen = (await h2.waitForRequests(before + 200)).slice(before);
  // The first holds the HTTP/1.1 connection (opened at init: counted above, or not yet); every
  // later one is a stream.
  expect(seen.map((r) => r.protocol)).toEqual(["http/1.1", ...Array(199).fill("h2")]);
  expect(h2.connections() - connections).toBeLessThanOrEqual(2);
  expect(logged()).toEqual([]); // a copy held by the node is not lost
});

test("a node that allows few streams per connection gets more sessions, never more than 4 (and one HTTP/1.1 connection); no copy vanishes", async () => {
  const narrow = await startH2Node({
    key: pki.key,
    cert: pki.cert,
    maxConcurrentStreams: 5,
    behaviour: { kind: "status", status: 200, delayMs: 1500 },
  });
  try {
    const handler = await start(narrow, { wallarm_mode: "async", node_timeout_ms: 4000, circuit_breaker_threshold: 1000 });
    const ids = Array.from({ length: 40 }, (_, i) => `narrow-${i}`);
    for (const requestId of ids) await handler(requestEvent({ requestId }), context);
    // The HTTP/1.1 connection carries one copy, then 4 sessions x 5 streams 20 at once; the rest
    // cannot reach the wire in time (or go on HTTP/1.1 once its 1.5 s answer is in).
    await narrow.waitForRequests(21);
    // Every copy's budget is over: their 4 s timers were armed before this one, so fire first.
    await new Promise((r) => setTimeout(r, 4500));
    expect(narrow.connections()).toBe(MAX_SESSIONS + 1);
    const arrived = new Set(narrow.requests.map((r) => r.headers.find(([k]) => k === "x-wallarm-request-id")?.[1].toString()));
    const lost = new Set(
      logs
        .lines()
        .filter((l) => l.event === "node_copy_lost")
        .map((l) => String(l.request_id)),
    );
    expect(arrived.size).toBeGreaterThanOrEqual(21);
    expect(ids.filter((id) => !arrived.has(id) && !lost.has(id))).toEqual([]); // arrived, or logged
  } finally {
    await narrow.stop();
  }
});

test.each([
  ["HTTP/2 (async, HTTP/1.1 connection waiting)", "async"],
  ["HTTP/1.1 (inline)", "inline"],
] as const)("%s: a connection idle for longer than IDLE_MS is replaced before use, not reused", async (_name, mode) => {
  const handler = await start(h2, { wallarm_mode: mode, node_timeout_ms: 10_000 });
  if (mode === "async") await occupyHttp1(h2, handler);
  const connections = h2.connections();
  const before = h2.requests.length;
  await handler(requestEvent(), context);
  await handler(requestEvent(), context);
  await h2.waitForRequests(before + 2);
  expect(h2.connections() - connections).toBe(1);
  // Idle past IDLE_MS: a slow run only idles longer, which is still past it.
  await new Promise((r) => setTimeout(r, IDLE_MS + 300));
  const event = requestEvent();
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  await h2.waitForRequests(before + 3);
  expect(h2.connections() - connections).toBe(2);
  expect(logged()).toEqual([]);
});

test("a connection opened at init and left unused past IDLE_MS is replaced, not used", async () => {
  // An instance initialised long before its first event (provisioned concurrency): the node may
  // have closed that connection meanwhile; a write on it would fail the first request.
  const connections = h1.connections();
  const handler = await start(h1);
  await until(() => h1.connections() > connections, "the connection opened at init");
  expect(h1.connections() - connections).toBe(1);
  // Unused past IDLE_MS: a slow run only waits longer, which is still past it.
  await new Promise((r) => setTimeout(r, IDLE_MS + 300));
  const before = h1.requests.length;
  const event = requestEvent();
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  expect(h1.requests.slice(before).map((r) => r.connection)).toEqual([connections + 1]);
  expect(h1.connections() - connections).toBe(2);
  expect(logs.lines()).toEqual([]);
});
