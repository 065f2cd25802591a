// The bundles as Lambda runs them: size, determinism, keep-alive reuse, async mode returning
// before the node's answer, TLS with a pinned CA, and the blocking response limits.
import type {
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResponseEvent,
  CloudFrontResponseResult,
  CloudFrontResultResponse,
} from "aws-lambda";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { version } from "../../package.json";
import { BUNDLE_BUDGET_BYTES, bundleHandlers } from "../../modules/generator/bundle-handlers";
import { startH2Node } from "../../tools/h2-node";
import { lambdaFolder } from "../../tools/lambda-folder";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki } from "../../tools/pki";
import { base64Body, DOC_ORIGIN_RESPONSE, DOC_VIEWER_RESPONSE, requestEvent } from "../../tools/cloudfront-events";
import { until } from "../support/eventually";
import { captureLogs, cleanup, coldStart, context, distDir, missedFlushBudget } from "../support/lambda";

type ReqResult = CloudFrontRequestResult;
type ReqEvent = CloudFrontRequestEvent;

let node: RecordingNode;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  node = await startRecordingNode();
});
afterAll(async () => {
  await node.stop();
  cleanup();
});
beforeEach(() => {
  node.setBehaviour({ kind: "status", status: 200 });
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe("bundles", () => {
  test("are small CommonJS files exporting handler, well under 1 MB zipped", async () => {
    const dir = await distDir();
    const sizes = ["request", "response"].map((name) => {
      const code = readFileSync(join(dir, `${name}.js`));
      return { name, raw: code.length, gzip: gzipSync(code, { level: 9 }).length, code: code.toString() };
    });
    logs.restore(); // let the sizes reach the test output
    console.log(sizes.map((s) => `${s.name}.js: ${s.raw} bytes raw, ${s.gzip} bytes gzip`).join("\n"));
    for (const s of sizes) {
      expect(s.gzip).toBeLessThan(1024 * 1024);
      // The budget (docs/handlers.md): dependency-free, loads fast.
      expect(s.raw).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
      expect(s.code).not.toMatch(/sourceMappingURL|require\("(?!node:)[a-z@]/); // only Node built-ins
      // The package version, baked in by the bundler: the x-wallarm-connector value (wire.test.ts
      // checks the header itself).
      expect(s.code).toContain(JSON.stringify(version));
    }
  });

  test("are deterministic", async () => {
    const other = mkdtempSync(join(tmpdir(), "dist-again-"));
    try {
      const files = await bundleHandlers(other);
      expect(files.map((f) => f.name)).toEqual(["request", "response"]);
      for (const f of files) {
        expect(f.bytes).toBe(readFileSync(f.file).length);
        expect(readFileSync(f.file).equals(readFileSync(join(await distDir(), `${f.name}.js`)))).toBe(true);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("cold start", () => {
  // Node's HTTP modules take 2-9 ms to load in a fresh process, while the node's first TLS flight
  // waits on them: the request function speaks HTTP/1.1 itself and never loads node:http or
  // node:https, and loads node:http2 only when async copies wait on a slow node. Checked in fresh
  // processes, as Lambda loads the bundle.
  const modulesAfter = async (config: object, firstCall: boolean, delivered?: () => Promise<unknown>): Promise<string[]> => {
    const dir = lambdaFolder("lambda-modules-", join(await distDir(), "request.js"), JSON.stringify(config));
    try {
      // After a first call, the process lists its modules only once the parent says the node has
      // the request: an async copy may still be on its way when the handler returns.
      const script = `const { handler } = require(${JSON.stringify(join(dir, "index.js"))});
        const loaded = () => process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13));
        const done = (list) => { process.stdout.write(JSON.stringify(list)); process.exit(0); };
        if (${String(firstCall)}) handler(${JSON.stringify(requestEvent())}, {}).then(() => process.stdin.once("data", () => done(loaded())));
        else done(loaded());`;
      const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"], timeout: 10_000 });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      if (firstCall) {
        await delivered?.();
        child.stdin.write("\n");
      }
      await exited;
      return JSON.parse(stdout) as string[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test("an https node: TLS is loaded at init, node:http, node:https and node:http2 are not", async () => {
    const loaded = await modulesAfter({ wallarm_node_url: "https://127.0.0.1:9" }, false);
    expect(loaded).toContain("tls");
    expect(loaded.filter((m) => /^http/.test(m))).toEqual([]);
  });

  test("an http:// node: a request is inspected without loading any of Node's HTTP modules", async () => {
    const loaded = await modulesAfter({ wallarm_node_url: node.url }, true, () => node.waitForRequests(1));
    expect(loaded).toContain("net");
    expect(loaded.filter((m) => /^(http|_http)/.test(m))).toEqual([]);
  });

  test.each([
    ["inline", [], ["http2", "https", "http"]],
    ["async", [], ["http2", "https", "http"]], // HTTP/2 only once the HTTP/1.1 connection waits
  ] as const)("%s, to a node offering HTTP/2: the first request loads %j of Node's HTTP modules, never %j", async (mode, needed, never) => {
    const pki = makePki();
    const h2 = await startH2Node({ key: pki.key, cert: pki.cert });
    try {
      const loaded = await modulesAfter({ wallarm_node_url: h2.url, wallarm_mode: mode, node_ca_pem: pki.caPem }, true, () =>
        h2.waitForRequests(1),
      );
      expect(h2.requests.map((r) => r.protocol)).toEqual(["http/1.1"]);
      for (const name of needed) expect(loaded).toContain(name);
      for (const name of never) expect(loaded).not.toContain(name);
    } finally {
      await h2.stop();
    }
  });
});

describe("request function", () => {
  test("two invocations reuse one keep-alive connection", async () => {
    const handler = await coldStart<ReqEvent, ReqResult>("request", { wallarm_node_url: node.url });
    const before = node.connections();
    for (let i = 0; i < 3; i++) await handler(requestEvent(), context);
    expect(node.connections() - before).toBe(1);
  });

  test("a pooled connection the node reset is retried once on a fresh one", async () => {
    const handler = await coldStart<ReqEvent, ReqResult>("request", { wallarm_node_url: node.url, fail_open: false });
    const first = node.requests.length;
    // The 2nd request arrives on the pooled connection and is reset; the retry opens a new one.
    node.setBehaviour((req) =>
      req.connection === node.requests[first].connection && node.requests.length === first + 2
        ? { kind: "reset" }
        : { kind: "status", status: 200 },
    );
    for (let i = 0; i < 2; i++) {
      const event = requestEvent();
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
    }
    const seen = node.requests.slice(first);
    expect(seen).toHaveLength(3);
    expect(seen[1].headers).toEqual(seen[2].headers);
    expect(new Set(seen.map((r) => r.connection)).size).toBe(2);
    expect(logs.lines()).toEqual([]);
  });

  test("async mode returns before the node answers, never blocks, and the node records the full copy", async () => {
    const handler = await coldStart<ReqEvent, ReqResult>("request", {
      wallarm_node_url: node.url,
      wallarm_mode: "async",
      fail_open: false,
    });
    const body = "z".repeat(64 * 1024);
    // The node answers after 400 ms: first a 403, which async mode counts and never blocks on, then
    // a 503 (no verdict), which the handler logs when the answer arrives. The node answers only
    // once the copy is in, so a handler that returns once the copy is written has logged no
    // answer yet; one that waited for the answer would have.
    const answerLines = (): Array<Record<string, unknown>> => logs.lines().filter((l) => l.event === "node_copy_refused");
    for (const status of [403, 503]) {
      node.setBehaviour({ kind: "status", status, delayMs: 400 });
      const event = requestEvent({ method: "POST", body: base64Body(body) });
      const before = node.requests.length;
      const result = await handler(event, context);
      expect(answerLines()).toEqual([]);
      expect(result).toBe(event.Records[0].cf.request);
      const [copy] = (await node.waitForRequests(before + 1)).slice(before);
      expect(copy.body.toString()).toBe(body);
      expect(copy.headers).toContainEqual(["x-wallarm-request-id", event.Records[0].cf.config.requestId]);
    }
    await until(() => answerLines().length > 0, "the line for the 503 answer");
    expect(logs.lines().filter((l) => !missedFlushBudget(l))).toEqual([
      expect.objectContaining({ event: "node_copy_refused", status: 503 }),
    ]);
  });

  test("a node with a private CA: TLS fails without node_ca_pem and works with it", async () => {
    const pki = makePki();
    const tlsNode = await startRecordingNode({ tls: { key: pki.key, cert: pki.cert }, behaviour: { kind: "status", status: 403 } });
    try {
      const untrusting = await coldStart<ReqEvent, ReqResult>("request", { wallarm_node_url: tlsNode.url, fail_open: false });
      expect(await untrusting(requestEvent(), context)).toMatchObject({ status: "503" });
      expect(logs.lines()).toEqual([expect.objectContaining({ reason: "tls_failure" })]);
      expect(tlsNode.requests).toHaveLength(0);

      const pinned = await coldStart<ReqEvent, ReqResult>("request", {
        wallarm_node_url: tlsNode.url,
        node_ca_pem: pki.caPem,
        fail_open: false,
      });
      expect(await pinned(requestEvent(), context)).toMatchObject({ status: "403" });
      tlsNode.setBehaviour({ kind: "status", status: 200 });
      const event = requestEvent();
      expect(await pinned(event, context)).toBe(event.Records[0].cf.request);
      expect(tlsNode.requests).toHaveLength(2);
      expect(tlsNode.connections()).toBe(1); // completed handshakes: one, reused by both requests
    } finally {
      await tlsNode.stop();
    }
  });
});

describe("blocking response", () => {
  const block = async (eventType: "viewer-request" | "origin-request", config: object): Promise<CloudFrontResultResponse> => {
    node.setBehaviour({ kind: "status", status: 403 });
    const handler = await coldStart<ReqEvent, ReqResult>("request", { wallarm_node_url: node.url, ...config });
    return (await handler(requestEvent({ eventType, requestId: "blk-<1>" }), context)) as CloudFrontResultResponse;
  };

  test("built-in page: valid generated response, request id escaped", async () => {
    const r = await block("viewer-request", {});
    expect(r).toMatchObject({
      status: "403",
      statusDescription: "Forbidden",
      bodyEncoding: "text",
      headers: {
        "content-type": [{ key: "Content-Type", value: "text/html; charset=utf-8" }],
        "cache-control": [{ key: "Cache-Control", value: "no-store" }],
      },
    });
    expect(r.body).toContain("blk-&#60;1&#62;");
    expect(Object.keys(r.headers ?? {}).every((k) => k === k.toLowerCase())).toBe(true);
  });

  const page = `<html>${"x".repeat(45 * 1024)}</html>`; // over 40 KB, under 1 MB

  test("a page over the viewer-request limit (40 KB) falls back to the built-in page and logs why", async () => {
    const r = await block("viewer-request", { block_page_body: page, block_status_code: 429 });
    expect(r.status).toBe("429");
    expect(r.body).toContain("Request blocked");
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(40 * 1024);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: "warn", event: "block_page_too_large", limit_bytes: 40960 }));
  });

  test("the same page fits the origin-request limit (1 MB)", async () => {
    const r = await block("origin-request", { block_page_body: page });
    expect(r.body).toBe(page);
    expect(logs.lines().map((l) => l.event)).toEqual(["blocked"]);
  });
});

describe("response function", () => {
  type RespHandler = (e: CloudFrontResponseEvent, c: typeof context) => Promise<CloudFrontResponseResult>;
  const cold = (config: object | string | undefined): Promise<RespHandler> =>
    coldStart<CloudFrontResponseEvent, CloudFrontResponseResult>("response", config);

  test("does not wait for the node's answer, reuses the connection, and returns the response itself", async () => {
    // A 500 is no verdict: the function logs it when the answer arrives, 400 ms after the report
    // reached the node. Nothing logged for a report when the function returns: it did not wait.
    node.setBehaviour({ kind: "status", status: 500, delayMs: 400 });
    const report = await cold({ wallarm_node_url: node.url });
    const before = node.connections();
    const seen = node.requests.length;
    const answerLines = (): Array<Record<string, unknown>> => logs.lines().filter((l) => l.event === "node_report_refused");
    for (const event of [DOC_ORIGIN_RESPONSE, DOC_VIEWER_RESPONSE]) {
      expect(await report(event, context)).toBe(event.Records[0].cf.response);
      expect(answerLines().filter((l) => l.event_type === event.Records[0].cf.config.eventType)).toEqual([]);
    }
    const reports = (await node.waitForRequests(seen + 2)).slice(seen).map((r) => JSON.parse(r.body.toString()));
    expect(reports.map((r) => [r.event_type, r.status])).toEqual([
      ["origin-response", 200],
      ["viewer-response", 404],
    ]);
    expect(reports[1].headers).toEqual([
      ["Content-Type", "text/html; charset=UTF-8"],
      ["Set-Cookie", "a=1; Path=/"],
      ["Set-Cookie", "b=2; Path=/"],
    ]);
    expect(node.connections() - before).toBeLessThanOrEqual(2);
    // The late answers arrive and are handled as answers: a connection cut before them would
    // make a lost report instead.
    await until(() => answerLines().length === 2, "the lines for both late answers");
    expect(
      logs
        .lines()
        .filter((l) => !missedFlushBudget(l))
        .map((l) => [l.event, l.event_type, l.status]),
    ).toEqual([
      ["node_report_refused", "origin-response", 500],
      ["node_report_refused", "viewer-response", 500],
    ]);
  });

  // node_timeout_ms is 30 s: a function that waited for it, instead of returning once the report
  // is sent or given up (at most 100 ms), would exceed this guard; nothing else could.
  const HANG_GUARD_MS = 10_000;
  test.each([
    ["node down", { wallarm_node_url: "http://127.0.0.1:9", node_timeout_ms: 30_000 }, "node_report_failed"],
    ["DNS failure", { wallarm_node_url: "http://wallarm-node.invalid", node_timeout_ms: 30_000 }, "node_report_failed"],
    ["invalid config", { wallarm_node_url: "nope", fail_open: false }, "config_invalid"],
    ["no config", undefined, "config_invalid"],
  ])("%s: still returns the response unchanged", async (_name, config, event) => {
    const report = await cold(config);
    const response = DOC_ORIGIN_RESPONSE.Records[0].cf.response;
    const before = JSON.stringify(response);
    const started = Date.now();
    expect(await report(DOC_ORIGIN_RESPONSE, context)).toBe(response);
    expect(Date.now() - started).toBeLessThan(HANG_GUARD_MS);
    expect(JSON.stringify(response)).toBe(before);
    expect(logs.lines()).toEqual([expect.objectContaining({ event })]);
  });
});
