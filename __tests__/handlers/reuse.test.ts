// Keep-alive reuse across a Lambda freeze. Lambda freezes the process as soon as the handler
// returns; async mode and the response function return once their request is written, before the
// node's answer. On thaw, timers armed before the freeze have expired, and Node runs the timers
// phase before the poll phase that reads the answer waiting in the socket. The freeze is emulated
// by blocking the event loop synchronously right after the handler returns. The recording node
// runs in this process, so the test first lets it read the request (a remote node would, frozen
// Lambda or not); it answers at once, and the block starts in that same tick, so the answer sits
// unread in the connector's socket through the "freeze", as one that arrived during a real freeze.
// After a thaw the tests wait for events (an exchange over, a socket closed), never for a time.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";
import { createServer, Server, Socket } from "node:net";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { DOC_ORIGIN_RESPONSE, requestEvent } from "../../tools/cloudfront-events";
import { until } from "../support/eventually";
import { type Http1Exchanges, watchHttp1Exchanges } from "../support/http1-exchanges";
import { captureLogs, cleanup, coldStart, context, missedFlushBudget } from "../support/lambda";

// node_timeout_ms. Each request must reach the node before it runs out (the freeze comes once
// the node has it), so it is generous: only a machine stalled for a second misses it.
const TIMEOUT_MS = 1000;
const FREEZE_MS = 1500; // 1.5 x node_timeout_ms: every timer armed before the freeze has expired

/** The process frozen between invocations: nothing runs, the kernel still receives bytes. */
function freeze(ms: number): void {
  // Blocks the event loop as in a frozen Lambda instance, without spinning a CPU.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One turn of the event loop: its timers, I/O (poll) and setImmediate phases each run once. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let plain: RecordingNode;
let tlsNode: RecordingNode;
let caPem: string;
let logs: ReturnType<typeof captureLogs>;
let exchanges: Http1Exchanges;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
/** The log lines but those of a request that only missed the flush budget (see missedFlushBudget). */
const logged = (): Array<Record<string, unknown>> => logs.lines().filter((l) => !missedFlushBudget(l));

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
  exchanges = watchHttp1Exchanges();
});
afterEach(() => {
  exchanges.stop();
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
      // As when the handler returned on time: the copy written in full before the freeze (on a
      // loaded machine the handler may give up waiting for that first, at its 100 ms flush budget).
      await exchanges.written(i + 1);
      freeze(FREEZE_MS);
      // Thawed: the exchange ends with its answer read (the connection back in the pool) or torn
      // down (the next copy would then need a second connection).
      await exchanges.over(i + 1);
    }
    expect(node.requests.length - requests).toBe(3);
    expect(node.connections() - connections).toBe(1);
    expect(logged()).toEqual([]);
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
      await exchanges.written(i + 1); // written in full before the freeze, as above
      freeze(FREEZE_MS);
      await exchanges.over(i + 1); // answer read and connection pooled, or torn down
    }
    expect(plain.requests.length - requests).toBe(3);
    expect(plain.connections() - connections).toBe(1);
    expect(logged()).toEqual([]);
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

    await exchanges.over(2); // the request's and the probe's: each answered and pooled, or torn down
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

  /** The connection accepted after `before` connections, once there is one. */
  const acceptedAfter = async (before: number): Promise<Socket> => {
    await until(() => accepted.length > before, "a connection to the node");
    expect(accepted.length - before).toBe(1);
    return accepted[before];
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
    // Thawed, the expired timer aborts the exchange and the deferred check closes it: a handful
    // of turns of the event loop. Counted in turns, not ms: a timer armed anew instead would need
    // TIMEOUT_MS, thousands of idle turns.
    for (let turn = 0; turn < 50 && !(accepted.length > before && accepted[before].closed); turn++) await nextTurn();
    const socket = await acceptedAfter(before);
    // The request was fully written: the deferred path, not the plain one.
    expect(socket.bytesRead).toBeGreaterThan(0);
    expect(socket.closed).toBe(true); // within 50 turns of the thaw
    expect(logged()).toEqual([]);
  });

  test("without a freeze, the background exchange is closed at node_timeout_ms, not before", async () => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: url,
      wallarm_mode: "async",
      node_timeout_ms: TIMEOUT_MS,
    });
    // The node never answers: the connection closes when the client gives up. Each close is
    // stamped with whether a timer of half node_timeout_ms had fired by then; armed before the
    // handler arms its own timer, in the same turn, it fires first whatever the load.
    let halfway = false;
    const stamps: boolean[] = [];
    const stamp = (socket: Socket): void => void socket.once("close", () => stamps.push(halfway));
    silent.on("connection", stamp);
    try {
      setTimeout(() => (halfway = true), TIMEOUT_MS / 2);
      await handler(requestEvent(), context);
      await until(() => stamps.length > 0, "the client closing the connection"); // at 1 s; 5 s is a hang
    } finally {
      silent.off("connection", stamp);
    }
    expect(stamps).toEqual([true]);
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
