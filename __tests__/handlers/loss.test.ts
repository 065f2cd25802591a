// No silent loss: a copy written on a keep-alive connection that the node closes at that very
// moment (its idle timer won the race) is sent once more on a fresh connection with the same
// request id; a copy that still cannot be delivered is logged. And a copy is on the wire before
// the handler returns: the process running it is frozen with SIGSTOP right after each return,
// as Lambda freezes a container, and the node must already hold the copy.
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { spawn } from "node:child_process";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { H2Node, startH2Node } from "../../tools/h2-node";
import { LAMBDA_ENTRY, lambdaFolder } from "../../tools/lambda-folder";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { requestEvent } from "../../tools/cloudfront-events";
import { until } from "../support/eventually";
import { watchHttp1Exchanges } from "../support/http1-exchanges";
import { captureLogs, cleanup, coldStart, context, distDir, missedFlushBudget } from "../support/lambda";

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
/** The log lines but those of a request that only missed the flush budget (see missedFlushBudget). */
const logged = (): Array<Record<string, unknown>> => logs.lines().filter((l) => !missedFlushBudget(l));

const idOf = (headers: Array<[string, string]>): string | undefined => headers.find(([k]) => k === "x-wallarm-request-id")?.[1];

test("a copy that meets a connection the node just closed is sent again on a fresh one", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    wallarm_mode: "async",
  });
  const connection = node.connections();
  // The first request on each connection is answered; the next one finds the connection closed.
  const served = new Set<number>();
  node.setBehaviour((req) =>
    served.has(req.connection) ? { kind: "reset" } : (served.add(req.connection), { kind: "status", status: 200 }),
  );
  const before = node.requests.length;
  const exchanges = watchHttp1Exchanges();
  try {
    for (const [id, total] of [
      ["race-1", 1],
      ["race-2", 3],
      ["race-3", 5],
    ] as const) {
      const event = requestEvent({ requestId: id });
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
      await node.waitForRequests(before + total);
      // Answered and read: the connection is idle in the pool for the next copy.
      await exchanges.over(total);
    }
  } finally {
    exchanges.stop();
  }
  const seen = node.requests.slice(before);
  expect(seen.map((r) => [idOf(r.headers), r.connection - connection])).toEqual([
    ["race-1", 0],
    ["race-2", 0], // closed under it
    ["race-2", 1], // sent again, same id
    ["race-3", 1],
    ["race-3", 2],
  ]);
  expect(logged()).toEqual([]);
});

test("a copy that cannot be delivered even on a fresh connection is logged, once", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    wallarm_mode: "async",
  });
  node.setBehaviour({ kind: "status", status: 200 });
  const served = node.requests.length;
  const exchanges = watchHttp1Exchanges();
  await handler(requestEvent(), context);
  await node.waitForRequests(served + 1);
  await exchanges.over(1).finally(() => exchanges.stop()); // the answer is read, the connection idle in the pool
  node.setBehaviour({ kind: "reset" });
  const before = node.requests.length;
  const event = requestEvent({ requestId: "lost-1" });
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  await node.waitForRequests(before + 2);
  const lines = (): Array<Record<string, unknown>> => logs.lines().filter((l) => l.request_id === "lost-1");
  await until(() => lines().length > 0, "the lost copy's line");
  // Once, after the send, for the resets; on a loaded machine a copy that missed the flush budget
  // is reported at the send instead, and nothing more is.
  const [line] = lines();
  const once = missedFlushBudget(line) ? { phase: "send" } : { reason: "connection_reset", phase: "after_send" };
  expect(lines()).toEqual([expect.objectContaining({ event: "node_copy_lost", level: "warn", ...once })]);
  expect(logged().filter((l) => l.request_id !== "lost-1")).toEqual([]);
});

describe("frozen with SIGSTOP right after each return", () => {
  let nodes: Record<"h2" | "h1", H2Node>;
  let caPem: string;
  beforeAll(async () => {
    const pki = makePki();
    caPem = pki.caPem;
    nodes = {
      h2: await startH2Node({ key: pki.key, cert: pki.cert }),
      h1: await startH2Node({ key: pki.key, cert: pki.cert, h2: false }),
    };
  });
  afterAll(() => Promise.all([nodes.h2.stop(), nodes.h1.stop()]));

  // Async copies go over HTTP/2 once the HTTP/1.1 connection waits on an answer: there, the node
  // never answers the first copy, so the next four are streams of one session.
  test.each([
    ["async copies over HTTP/2", "async", "GET", "h2", "h2"],
    ["async copies with a body over HTTP/2", "async", "POST", "h2", "h2"],
    ["async copies over HTTP/1.1 to a node offering HTTP/2", "async", "GET", "h2", "http/1.1"],
    ["inline requests (HTTP/1.1 to a node offering HTTP/2)", "inline", "GET", "h2", "http/1.1"],
    ["async copies over HTTP/1.1 (TLS)", "async", "GET", "h1", "http/1.1"],
    ["async copies with a body over HTTP/1.1 (TLS)", "async", "POST", "h1", "http/1.1"],
  ] as const)("%s are at the node while the process is stopped", async (_name, mode, method, node, protocol) => {
    const h2 = nodes[node];
    const config = JSON.stringify({ wallarm_node_url: h2.url, wallarm_mode: mode, node_ca_pem: caPem, node_timeout_ms: 10_000 });
    const occupied = protocol === "h2";
    h2.setBehaviour((req) =>
      occupied && req.headers.some(([k, v]) => k === "x-wallarm-request-id" && v.toString() === "frozen-1")
        ? { kind: "hang" }
        : { kind: "status", status: 200 },
    );
    const dir = lambdaFolder("frozen-", join(await distDir(), "request.js"), config);
    // The child calls the handler once per line on stdin and says "returned" after each. It waits
    // one turn of its event loop first (setImmediate runs after the poll phase that read the
    // line): the gap between two invocations, in which the answer that came in during the freeze
    // is read, whatever the load, where a fixed sleep in the parent only usually sufficed.
    const script =
      `const { handler } = require(${JSON.stringify(join(dir, LAMBDA_ENTRY))});` +
      `let n = 0; require("readline").createInterface({ input: process.stdin }).on("line", async () => {` +
      `  await new Promise((resolve) => setImmediate(resolve));` +
      `  const id = "frozen-" + (++n);` +
      `  await handler({ Records: [{ cf: { config: { eventType: "viewer-request", requestId: id, distributionId: "E", distributionDomainName: "d" },` +
      `    request: { clientIp: "192.0.2.1", method: ${JSON.stringify(method)}, uri: "/", querystring: "", headers: { host: [{ key: "Host", value: "h" }] },` +
      `    ...(${JSON.stringify(method)} === "POST" ? { body: { action: "read-only", encoding: "text", inputTruncated: false, data: "a=1&b=" + "x".repeat(2000) } } : {}) } } }] }, {});` +
      `  process.stdout.write("returned " + id + "\\n"); });`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      const lines: string[] = [];
      child.stdout.on("data", (d: Buffer) => {
        // Freeze at once, in the same tick the parent learns of the return.
        child.kill("SIGSTOP");
        lines.push(...d.toString().trim().split("\n"));
      });
      const connections = h2.connections();
      const first = h2.requests.length;
      for (let round = 1; round <= 5; round++) {
        const before = h2.requests.length;
        child.stdin.write("go\n");
        await until(() => lines.length >= round, `the child's return ${round}`);
        expect(lines[round - 1]).toBe(`returned frozen-${round}`);
        // Stopped: nothing more can leave the child. The copy arrives only if it had already left.
        await h2.waitForRequests(before + 1);
        const got = h2.requests.slice(before).map((r) => r.headers.find(([k]) => k === "x-wallarm-request-id")?.[1].toString());
        expect(got).toEqual([`frozen-${round}`]);
        child.kill("SIGCONT");
      }
      expect(h2.requests.slice(first).map((r) => r.protocol)).toEqual(
        occupied ? ["http/1.1", ...Array(4).fill("h2")] : Array(5).fill(protocol),
      );
      expect(h2.connections() - connections).toBe(occupied ? 2 : 1);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("a node that goes away with copies pending over HTTP/2 (the HTTP/1.1 connection waiting)", () => {
  let h2: H2Node;
  let caPem: string;
  beforeEach(async () => {
    const pki = makePki();
    caPem = pki.caPem;
    h2 = await startH2Node({ key: pki.key, cert: pki.cert, behaviour: { kind: "status", status: 200, delayMs: 5000 } });
  });
  afterEach(() => h2.stop());

  test.each([
    ["shuts down (GOAWAY naming the last stream): the streams were processed, none is logged lost", false, 1],
    ["vanishes (no GOAWAY): every pending copy is logged lost, once", true, 4],
  ] as const)("%s", async (_name, abrupt, lost) => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: h2.url,
      wallarm_mode: "async",
      node_ca_pem: caPem,
      node_timeout_ms: 5000,
    });
    // The first copy waits on the HTTP/1.1 connection, the others are streams. HTTP/1.1 cannot say
    // a request was processed: a connection closed under one waiting is a copy lost, either way.
    for (const requestId of ["on-http1", "gone-0", "gone-1", "gone-2"]) await handler(requestEvent({ requestId }), context);
    const arrived = await h2.waitForRequests(4);
    expect(arrived.map((r) => r.protocol)).toEqual(["http/1.1", "h2", "h2", "h2"]);
    h2.dropConnections(abrupt);
    // A copy is logged lost once, when the node vanished with it (one that missed the flush budget
    // on a loaded machine is logged pending, a line of its own). Only the vanished node loses
    // copies it received.
    const lostLines = (): Array<Record<string, unknown>> => logs.lines().filter((l) => l.event === "node_copy_lost");
    await until(() => lostLines().length >= lost, `${lost} lost line(s)`);
    // Absence check: no more lines than expected. A slow run can only hide one.
    await new Promise((r) => setTimeout(r, 100));
    expect(
      lostLines()
        .map((l) => l.request_id)
        .sort(),
    ).toEqual(abrupt ? ["gone-0", "gone-1", "gone-2", "on-http1"] : ["on-http1"]);
  });
});

describe("a copy not on the wire when the flush time runs out", () => {
  // TLS: the request is written only once the handshake, held by the relay, is done.
  let tlsNode: RecordingNode;
  let caPem: string;
  beforeAll(async () => {
    const pki = makePki();
    caPem = pki.caPem;
    tlsNode = await startRecordingNode({ tls: pki });
  });
  afterAll(() => tlsNode.stop());

  /**
   * A TCP relay to `target` that holds each connection `holdMs` before connecting it (a slow
   * handshake, as with a far node); `holdMs` Infinity never connects.
   */
  async function slowRelay(target: number, holdMs: number): Promise<{ port: number; close(): void }> {
    const sockets = new Set<Socket>();
    const server = createServer((viewer) => {
      sockets.add(viewer);
      viewer.pause();
      if (holdMs === Infinity) return;
      setTimeout(() => {
        const upstream = connect(target, "127.0.0.1", () => {
          viewer.pipe(upstream).pipe(viewer);
          viewer.resume();
        });
        sockets.add(upstream);
        upstream.on("error", () => viewer.destroy());
        viewer.on("error", () => upstream.destroy());
      }, holdMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as AddressInfo;
    return { port: address.port, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
  }

  test("logged pending, delivered after, neither lost nor counted against the node", async () => {
    const relay = await slowRelay(tlsNode.port, 300); // well past the 100 ms flush time
    try {
      const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
        wallarm_node_url: `https://127.0.0.1:${relay.port}`,
        node_ca_pem: caPem,
        wallarm_mode: "async",
        circuit_breaker_threshold: 1,
      });
      const before = tlsNode.requests.length;
      const event = requestEvent({ requestId: "slow-1" });
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
      expect(logs.lines()).toEqual([expect.objectContaining({ event: "node_copy_pending", request_id: "slow-1", flush_ms: 100 })]);
      const [delivered] = (await tlsNode.waitForRequests(before + 1)).slice(before);
      expect(idOf(delivered.headers)).toBe("slow-1");
      // Absence check: delivered, so no lost line and no breaker trip may follow (threshold 1).
      // A slow run can only hide one.
      await new Promise((r) => setTimeout(r, 100));
      expect(logs.lines().map((l) => l.event)).toEqual(["node_copy_pending"]);
    } finally {
      relay.close();
    }
  });

  test("logged pending, then lost once when it never reaches the wire, and counted against the node", async () => {
    const relay = await slowRelay(tlsNode.port, Infinity);
    try {
      const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
        wallarm_node_url: `https://127.0.0.1:${relay.port}`,
        node_ca_pem: caPem,
        wallarm_mode: "async",
        node_timeout_ms: 300,
        circuit_breaker_threshold: 1,
      });
      const event = requestEvent({ requestId: "never-1" });
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
      await until(() => logs.lines().length >= 3, "the lost line and the breaker's");
      expect(logs.lines()).toEqual([
        expect.objectContaining({ event: "node_copy_pending", request_id: "never-1" }),
        expect.objectContaining({ event: "node_copy_lost", request_id: "never-1", reason: "timeout", phase: "send" }),
        expect.objectContaining({ event: "breaker_open", failures: 1 }),
      ]);
    } finally {
      relay.close();
    }
  });
});
