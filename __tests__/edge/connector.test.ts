// The real connector end to end: the handler bundles, built from handlers/ as Terraform ships
// them, run by the local edge in front of an origin, with the real WAF (nginx + ModSecurity +
// CRS) or a recording node as the Wallarm node.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleHandlers } from "../../modules/generator/bundle-handlers";
import { send } from "../../tools/edge/client";
import { type EchoOrigin, startEchoOrigin } from "../../tools/edge/echo-origin";
import type { Trigger } from "../../tools/edge/events";
import { type EdgeOptions, type RunningEdge, startEdge } from "../../tools/edge/server";
import { type RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { type Waf, startWaf, wafAvailable } from "../../tools/waf";
import { until } from "../support/eventually";

const available = wafAvailable();
if (!available.ok) {
  console.warn(
    `Skipping the real-WAF cases of __tests__/edge/connector.test.ts: missing ${available.missing.join(", ")}.\n` +
      "Install: apt-get install nginx-light libnginx-mod-http-modsecurity libnginx-mod-http-echo modsecurity-crs",
  );
}
const withWaf = available.ok ? describe : describe.skip;

const ATTACKS = ["/?file=../../etc/passwd", "/static/../etc/passwd", "/search?q=%27%20OR%201%3D1--"];

let bundleDir: string;
let origin: EchoOrigin;
let waf: Waf | undefined;
const edges: RunningEdge[] = [];
const nodes: RecordingNode[] = [];

beforeAll(async () => {
  // The handlers log JSON lines for CloudWatch; keep the test output readable.
  jest.spyOn(console, "log").mockImplementation(() => undefined);
  jest.spyOn(console, "error").mockImplementation(() => undefined);
  bundleDir = mkdtempSync(join(tmpdir(), "edge-bundles-"));
  await bundleHandlers(bundleDir);
  origin = await startEchoOrigin();
  if (available.ok) waf = await startWaf();
});

afterAll(async () => {
  await Promise.all(edges.map((edge) => edge.close()));
  await Promise.all(nodes.map((node) => node.stop()));
  await waf?.stop();
  await origin?.close();
  rmSync(bundleDir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

async function edge(options: Omit<EdgeOptions, "bundleDir" | "origin">): Promise<RunningEdge> {
  const started = await startEdge({ bundleDir, origin: origin.url, ...options });
  edges.push(started);
  return started;
}

async function recordingNode(): Promise<RecordingNode> {
  const node = await startRecordingNode();
  nodes.push(node);
  return node;
}

function hitsSince(count: number) {
  return origin.hits.slice(count);
}

withWaf("inline mode with the real WAF", () => {
  describe.each<Trigger>(["viewer", "origin"])("%s trigger", (trigger) => {
    let url: string;
    beforeAll(async () => {
      url = (await edge({ trigger, config: { wallarm_node_url: waf!.url, wallarm_mode: "inline" } })).url;
    });

    test.each(ATTACKS)("%s is blocked with 403 and never reaches the origin", async (target) => {
      const before = origin.hits.length;
      const reply = await send(url, target);
      expect(reply.status).toBe(403);
      expect(reply.headers["cache-control"]).toBe("no-store");
      expect(reply.headers["x-cache"]).toBe("LambdaGeneratedResponse from cloudfront");
      expect(hitsSince(before)).toEqual([]);
    });

    test("a script in a form body is blocked", async () => {
      const reply = await send(url, "/comment", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "text=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      });
      expect(reply.status).toBe(403);
    });

    test("normal requests reach the origin intact and the node saw each one", async () => {
      const before = origin.hits.length;
      const requests = [
        { method: "GET", target: "/products?page=2&sort=price", body: "" },
        { method: "POST", target: "/api/orders", body: '{"item":"lamp","qty":2}', type: "application/json" },
        { method: "PUT", target: "/api/orders/17?notify=yes", body: "plain note", type: "text/plain" },
      ];
      const ids: string[] = [];
      for (const { method, target, body, type } of requests) {
        const headers = { "X-Shop-Trace": `t-${method}`, ...(type ? { "Content-Type": type } : {}) };
        const reply = await send(url, target, { method, body: body || undefined, headers });
        expect(reply.status).toBe(200);
        expect(reply.body.toString()).toContain(`hello from origin: ${method} ${target}`);
        ids.push(String(reply.headers["x-amz-cf-id"]));
      }
      expect(hitsSince(before).map(({ method, target, body }) => ({ method, target, body: body.toString() }))).toEqual(
        requests.map(({ method, target, body }) => ({ method, target, body })),
      );
      for (const hit of hitsSince(before)) expect(hit.rawHeaders).toEqual(expect.arrayContaining(["X-Shop-Trace", `t-${hit.method}`]));
      // nginx writes its access log line just after answering: wait for it, bounded.
      const unseen = () => {
        const seen = new Set(waf!.accessLog().map((entry) => entry.requestId));
        return ids.filter((id) => !seen.has(id));
      };
      await until(() => unseen().length === 0, `the node to log ${unseen().join(", ")}`);
    });
  });
});

withWaf("async mode with the real WAF", () => {
  test("everything is delivered, and the node still judges every copy", async () => {
    const { url } = await edge({ config: { wallarm_node_url: waf!.url, wallarm_mode: "async" } });
    const before = origin.hits.length;
    const ids: string[] = [];
    for (const target of [...ATTACKS, "/products?page=3"]) {
      const reply = await send(url, target);
      expect(reply.status).toBe(200);
      ids.push(String(reply.headers["x-amz-cf-id"]));
    }
    expect(hitsSince(before).map((hit) => hit.target)).toEqual([...ATTACKS, "/products?page=3"]);
    const copyStatus = (id: string) =>
      waf!.accessLog().find((entry) => entry.requestId === id && entry.mode === "async" && !entry.uri.includes("/wallarm-connector/"))
        ?.status;
    await until(() => ids.every((id) => copyStatus(id) !== undefined), "the node to log every copy");
    expect(ids.map(copyStatus)).toEqual([403, 403, 403, 200]);
  });
});

describe("when the node is down", () => {
  let downUrl: string;
  beforeAll(async () => {
    const gone = await recordingNode();
    downUrl = gone.url;
    await gone.stop();
  });

  test.each<Trigger>(["viewer", "origin"])("fail-open passes traffic (%s trigger)", async (trigger) => {
    const { url } = await edge({ trigger, config: { wallarm_node_url: downUrl, fail_open: true } });
    const before = origin.hits.length;
    const reply = await send(url, "/orders?id=1", { method: "POST", body: "x=1" });
    expect(reply.status).toBe(200);
    expect(hitsSince(before)).toMatchObject([{ method: "POST", target: "/orders?id=1", body: Buffer.from("x=1") }]);
  });

  test.each<Trigger>(["viewer", "origin"])("fail-closed answers 503 (%s trigger)", async (trigger) => {
    const { url } = await edge({ trigger, config: { wallarm_node_url: downUrl, fail_open: false } });
    const before = origin.hits.length;
    expect((await send(url, "/orders?id=1")).status).toBe(503);
    expect(hitsSince(before)).toEqual([]);
  });
});

test("a 100 KB body is blocked by default: CloudFront gives the function only the first 40 KB", async () => {
  const node = await recordingNode();
  const { url } = await edge({ config: { wallarm_node_url: node.url }, responseFunction: false });
  const before = origin.hits.length;
  const reply = await send(url, "/upload?name=big", { method: "POST", body: Buffer.alloc(100 * 1024, "q") });
  expect(reply.status).toBe(403);
  expect(hitsSince(before)).toEqual([]);
  expect(node.requests).toEqual([]);
});

test("truncated_body_action = inspect: a 100 KB body reaches the origin whole; the node gets the 40 KB copy flagged truncated", async () => {
  const node = await recordingNode();
  const { url } = await edge({ config: { wallarm_node_url: node.url, truncated_body_action: "inspect" }, responseFunction: false });
  const body = Buffer.alloc(100 * 1024, "q");
  const before = origin.hits.length;
  const reply = await send(url, "/upload?name=big", { method: "POST", body, headers: { "Content-Type": "application/octet-stream" } });
  expect(reply.status).toBe(200);
  expect(hitsSince(before).map((hit) => hit.body.length)).toEqual([body.length]);
  expect(hitsSince(before)[0].body.equals(body)).toBe(true);
  const [copy] = await node.waitForRequests(1);
  expect(copy).toMatchObject({ method: "POST", target: "/upload?name=big" });
  expect(copy.body.equals(body.subarray(0, 40 * 1024))).toBe(true);
  expect(copy.headers).toContainEqual(["x-wallarm-body-truncated", "true"]);
  expect(copy.headers).toContainEqual(["x-wallarm-request-id", reply.headers["x-amz-cf-id"]]);
});

test.each<Trigger>(["viewer", "origin"])("the copy and the response report share the request id (%s trigger)", async (trigger) => {
  const node = await recordingNode();
  const { url } = await edge({ trigger, config: { wallarm_node_url: node.url } });
  const reply = await send(url, "/products?page=4");
  expect(reply.status).toBe(200);
  const [copy, report] = await node.waitForRequests(2);
  const id = reply.headers["x-amz-cf-id"];
  expect(copy).toMatchObject({ method: "GET", target: "/products?page=4" });
  expect(copy.headers).toContainEqual(["x-wallarm-request-id", id]);
  expect(report.headers).toContainEqual(["x-wallarm-request-id", id]);
  expect(JSON.parse(report.body.toString())).toMatchObject({ request_id: id, event_type: `${trigger}-response`, status: 200 });
});

test("non-ASCII header values: the real request function passes them; origin gets the viewer's bytes, the node UTF-8", async () => {
  // Raw bytes on a socket: node:http's client refuses header characters above U+00FF.
  const node = await recordingNode();
  const { url } = await edge({ config: { wallarm_node_url: node.url, wallarm_mode: "inline" }, responseFunction: false });
  const { port } = new URL(url);
  const head = Buffer.concat([
    Buffer.from(`GET /products?page=5 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`),
    Buffer.from("X-Anything: €\r\nUser-Agent: Mozilla/5.0 😀\r\nX-Latin: ", "utf8"),
    Buffer.from([0xe9]),
    Buffer.from("\r\n\r\n"),
  ]);
  const before = origin.hits.length;
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(head));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => resolve(Buffer.concat(chunks)));
  });
  expect(answer.subarray(0, 12).toString()).toBe("HTTP/1.1 200");
  const [hit] = hitsSince(before);
  // echo-origin's rawHeaders are one character per byte.
  expect(hit.rawHeaders).toEqual(expect.arrayContaining(["X-Anything", Buffer.from("€").toString("latin1"), "X-Latin", "\u00e9"]));
  const [copy] = await node.waitForRequests(1);
  const sent = (name: string): string | undefined => copy.headers.find(([key]) => key.toLowerCase() === name)?.[1];
  expect(sent("x-anything")).toBe(Buffer.from("€").toString("latin1"));
  expect(sent("user-agent")).toBe(Buffer.from("Mozilla/5.0 😀").toString("latin1"));
});
