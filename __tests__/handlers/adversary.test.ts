// Attacks a viewer would try to get a request past the node, through the bundled request
// function with the default settings (inline, block refused requests, block truncated bodies,
// breaker 5 / 10 s), with fail_open true and false: against the real WAF (nginx + ModSecurity +
// CRS, two workers as a node has several), and against a node that is healthy except for marked
// requests. None may reach the origin uninspected; a node that is really down still gets the fail
// policy, quickly once the breaker is open.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { createServer } from "node:net";
import { LIVENESS_PATH } from "../../handlers/protocol";
import { type Behaviour, type RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { startWaf, type Waf, wafAvailable } from "../../tools/waf";
import { base64Body, requestEvent, type RequestSpec } from "../../tools/cloudfront-events";
import { eventually } from "../support/eventually";
import { captureLogs, cleanup, coldStart, context, type Handler } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;

const available = wafAvailable();
if (!available.ok) console.warn(`SKIPPING real-WAF attack tests: missing ${available.missing.join(", ")}.`);

const VIEWER = [
  ["Host", "shop.example.com"],
  ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"],
  ["Accept", "*/*"],
] as Array<[string, string]>;
const XSS = "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
const form = (body: string, truncated = false): RequestSpec => ({
  method: "POST",
  uri: "/comment",
  headers: [...VIEWER, ["Content-Type", "application/x-www-form-urlencoded"]],
  body: base64Body(body, truncated),
});

/** Calls the handler with its log lines captured. */
async function call(
  handler: RequestHandler,
  spec: RequestSpec,
): Promise<{ event: CloudFrontRequestEvent; result: CloudFrontRequestResult; lines: Array<Record<string, unknown>> }> {
  const event = requestEvent({ headers: VIEWER, ...spec });
  const logs = captureLogs();
  try {
    return { event, result: await handler(event, context), lines: logs.lines() };
  } finally {
    logs.restore();
  }
}

const passed = (event: CloudFrontRequestEvent, result: CloudFrontRequestResult): boolean => result === event.Records[0].cf.request;
const blockedPage = (result: CloudFrontRequestResult): boolean => (result as CloudFrontResultResponse | undefined)?.status === "403";

(available.ok ? describe : describe.skip)("against the real WAF", () => {
  let waf: Waf;
  beforeAll(async () => {
    waf = await startWaf();
  });
  afterAll(async () => {
    await waf?.stop();
    cleanup();
  });

  describe.each([true, false])("fail_open = %p", (failOpen) => {
    let handler: RequestHandler;
    beforeAll(async () => {
      handler = await coldStart("request", { wallarm_node_url: waf.url, fail_open: failOpen, metrics_enabled: false });
    });

    // Each carries an attack in its query and something the node refuses before inspecting it.
    const refusals: Array<[string, number, RequestSpec]> = [
      ["a 9 KB padding header", 400, { querystring: XSS, headers: [...VIEWER, ["X-Padding", "a".repeat(9 * 1024)]] }],
      ["a 9 KB cookie", 400, { querystring: XSS, headers: [...VIEWER, ["Cookie", `session=${"b".repeat(9 * 1024)}`]] }],
      ["a URI near CloudFront's 8,192-byte limit", 414, { uri: `/${"a".repeat(8149)}`, querystring: XSS }],
      ["a bad percent escape", 400, { uri: "/%zz", querystring: XSS }],
      ["a /../ segment above the root", 400, { uri: "/../etc/passwd" }],
    ];
    test.each(refusals)("%s: the node refuses it (%p), the request is blocked", async (_name, status, spec) => {
      const { event, result, lines } = await call(handler, spec);
      expect(passed(event, result)).toBe(false);
      expect(blockedPage(result)).toBe(true);
      expect(lines).toEqual([
        expect.objectContaining({
          level: "warn",
          event: "request_refused",
          request_id: event.Records[0].cf.config.requestId,
          reason: "node_status",
          status,
          action: "block",
        }),
      ]);
    });

    test("a body CloudFront truncated is blocked without the node, whatever follows the part received", async () => {
      const { event, result, lines } = await call(handler, form(`text=${"a".repeat(40 * 1024 - 5)}`, true));
      expect(blockedPage(result)).toBe(true);
      expect(lines).toEqual([
        expect.objectContaining({ event: "body_truncated", request_id: event.Records[0].cf.config.requestId, action: "block" }),
      ]);
      const id = event.Records[0].cf.config.requestId;
      expect(waf.accessLog().some((entry) => entry.requestId === id)).toBe(false);
    });
  });

  test("truncated_body_action = inspect sends the part received and follows the verdict", async () => {
    const handler: RequestHandler = await coldStart("request", { wallarm_node_url: waf.url, truncated_body_action: "inspect" });
    const clean = await call(handler, form(`text=${"a".repeat(1000)}`, true));
    expect(passed(clean.event, clean.result)).toBe(true);
    const attack = await call(handler, form(`text=%27%20OR%20%271%27%3D%271&pad=${"a".repeat(1000)}`, true));
    expect(blockedPage(attack.result)).toBe(true);
    expect(attack.lines).toEqual([expect.objectContaining({ event: "blocked" })]);
  });

  test("filters skip only plain static requests: every crafted request reaches the node", async () => {
    const handler: RequestHandler = await coldStart("request", {
      wallarm_node_url: waf.url,
      skip_extensions: ["js", "css", "png"],
      skip_path_prefixes: ["/static/"],
      skip_methods: ["OPTIONS"],
    });
    const crafted: RequestSpec[] = [
      { uri: "/app.js", querystring: "id=1'%20OR%201=1--" },
      { uri: "/logo.pNg", querystring: "url=http://169.254.169.254/" },
      { uri: "/users/1'or'1'='1'--.png" },
      { uri: "/x/$(id).js" },
      { uri: "/static/.env" },
      { uri: "/static/.git/config" },
      { ...form("<script>alert(1)</script>"), uri: "/static/upload.png" },
      { method: "OPTIONS", uri: "/api", querystring: XSS },
    ];
    const ids: string[] = [];
    for (const spec of crafted) {
      const { event } = await call(handler, spec);
      ids.push(event.Records[0].cf.config.requestId);
    }
    const seen = await eventually(() => {
      const logged = new Set(waf.accessLog().map((entry) => entry.requestId));
      return ids.every((id) => logged.has(id)) ? logged : undefined;
    });
    expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    // A plain static request is still skipped.
    const { event, result } = await call(handler, { uri: "/static/app.css" });
    expect(passed(event, result)).toBe(true);
    expect(waf.accessLog().some((entry) => entry.requestId === event.Records[0].cf.config.requestId)).toBe(false);
  });

  test("async mode: a copy the node refuses is logged with its status and request id", async () => {
    const handler: RequestHandler = await coldStart("request", { wallarm_node_url: waf.url, wallarm_mode: "async" });
    const logs = captureLogs();
    try {
      const event = requestEvent({ headers: [...VIEWER, ["X-Padding", "a".repeat(9 * 1024)]], querystring: XSS });
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
      await eventually(() => (logs.lines().length > 0 ? true : undefined), 5000);
      expect(logs.lines()).toEqual([
        expect.objectContaining({
          level: "warn",
          event: "node_copy_refused",
          request_id: event.Records[0].cf.config.requestId,
          status: 400,
        }),
      ]);
    } finally {
      logs.restore();
    }
  });

  // Last: the slow body keeps one of the node's workers busy for about a second.
  test("a body the node needs longer than node_timeout_ms to parse is blocked; the other worker answers the probe", async () => {
    const handler: RequestHandler = await coldStart("request", { wallarm_node_url: waf.url, node_timeout_ms: 300 });
    const { event, result, lines } = await call(handler, form(`q=${"'".repeat(40 * 1024 - 3)}`));
    expect(blockedPage(result)).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ event: "request_refused", reason: "timeout", action: "block" })]);
    const id = event.Records[0].cf.config.requestId;
    await eventually(() => waf.accessLog().find((entry) => entry.requestId === id), 30_000); // the worker is free again
  });
});

describe("against a node that is healthy except for marked requests", () => {
  const FAULTS: Record<string, Behaviour> = {
    slow: { kind: "status", status: 200, delayMs: 2000 },
    stall: { kind: "hang" },
    refuse: { kind: "status", status: 431 },
    error: { kind: "status", status: 500 },
    reset: { kind: "reset" },
    garbage: { kind: "garbage" },
  };
  let node: RecordingNode;
  beforeAll(async () => {
    node = await startRecordingNode({
      behaviour: (req) => FAULTS[req.headers.find(([name]) => name === "X-Test-Fault")?.[1] ?? ""] ?? { kind: "status", status: 200 },
    });
  });
  afterAll(async () => {
    await node.stop();
    cleanup();
  });

  describe.each([true, false])("fail_open = %p", (failOpen) => {
    test.each(Object.keys(FAULTS))("ten %s requests in a row are blocked and leave the next one inspected as usual", async (fault) => {
      const handler: RequestHandler = await coldStart("request", { wallarm_node_url: node.url, node_timeout_ms: 200, fail_open: failOpen });
      for (let i = 0; i < 10; i++) {
        const { event, result, lines } = await call(handler, { querystring: XSS, headers: [...VIEWER, ["X-Test-Fault", fault]] });
        expect(passed(event, result)).toBe(false);
        expect(blockedPage(result)).toBe(true);
        expect(lines).toEqual([expect.objectContaining({ event: "request_refused", action: "block" })]);
      }
      const before = node.requests.length;
      const { event, result, lines } = await call(handler, {});
      expect(passed(event, result)).toBe(true);
      expect(lines).toEqual([]);
      expect(node.requests.slice(before).map((r) => r.headers.find(([name]) => name === "x-wallarm-request-id")?.[1])).toEqual([
        event.Records[0].cf.config.requestId,
      ]);
    });
  });

  test("look-alike connector headers never reach the node", async () => {
    const handler: RequestHandler = await coldStart("request", { wallarm_node_url: node.url });
    const before = node.requests.length;
    await call(handler, {
      headers: [
        ...VIEWER,
        ["X_Wallarm_Mode", "async"],
        ["X_Real_IP", "10.0.0.1"],
        ["x_wallarm_request_id", "forged"],
        ["X-Wallarm_Mode", "async"],
      ],
    });
    const [received] = node.requests.slice(before);
    const normalised = received.headers.map(([name, value]) => [name.toLowerCase().replace(/_/g, "-"), value]);
    expect(normalised.filter(([name]) => name === "x-wallarm-mode")).toEqual([["x-wallarm-mode", "inline"]]);
    expect(normalised.filter(([name]) => name === "x-real-ip")).toEqual([["x-real-ip", "203.0.113.178"]]);
    expect(normalised.filter(([name]) => name === "x-wallarm-request-id")).toHaveLength(1);
  });
});

describe("a node that is really down", () => {
  afterAll(() => cleanup());

  test.each([true, false])("fail_open = %p: the fail policy at once when refused, quickly once the breaker trips", async (failOpen) => {
    const refusedUrl = await new Promise<string>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });
    const handler: RequestHandler = await coldStart("request", { wallarm_node_url: refusedUrl, fail_open: failOpen });
    for (let i = 0; i < 8; i++) {
      const { event, result, lines } = await call(handler, { querystring: XSS });
      if (failOpen) expect(passed(event, result)).toBe(true);
      else expect(result).toMatchObject({ status: "503" });
      // Refused: no timeout waited out, and no probe (the node plainly cannot be reached).
      if (i < 5) expect(lines[0]).toMatchObject({ event: "node_failure", reason: "connection_refused" });
      if (i < 5) expect(lines[0]).not.toHaveProperty("probe");
      if (i === 4) expect(lines[1]).toMatchObject({ event: "breaker_open" });
      if (i > 4) expect(lines).toEqual([]);
    }
  });

  test("a node that stalls costs node_timeout_ms plus the probe until the breaker trips, then nothing", async () => {
    const silent = await startRecordingNode({ behaviour: { kind: "hang" } });
    try {
      const handler: RequestHandler = await coldStart("request", { wallarm_node_url: silent.url, node_timeout_ms: 200 });
      const outcomes: string[][] = [];
      for (let i = 0; i < 7; i++) {
        const { event, result, lines } = await call(handler, {});
        expect(passed(event, result)).toBe(true);
        outcomes.push(lines.map((l) => [l.event, l.reason, l.probe].filter((f) => f !== undefined).join(" ")));
      }
      // Each of the first five waited out node_timeout_ms, then the probe's time; the open
      // breaker then answers without the node: nothing logged, nothing sent.
      const stalled = "node_failure timeout timeout";
      expect(outcomes).toEqual([[stalled], [stalled], [stalled], [stalled], [stalled, "breaker_open timeout"], [], []]);
      const probes = silent.requests.filter((r) => r.target.endsWith(LIVENESS_PATH)).length;
      expect([silent.requests.length - probes, probes]).toEqual([5, 5]);
    } finally {
      await silent.stop();
    }
  });
});
