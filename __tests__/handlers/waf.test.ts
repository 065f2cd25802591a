// The bundled request function in front of a real WAF (nginx + ModSecurity v3 + OWASP CRS):
// inline mode blocks what CRS blocks and passes the rest; async mode blocks nothing while the
// node still receives every copy.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { startWaf, Waf, wafAvailable } from "../../tools/waf";
import { base64Body, requestEvent, RequestSpec } from "../../tools/cloudfront-events";
import { eventually } from "../support/eventually";
import { captureLogs, cleanup, coldStart, context, Handler } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;

const available = wafAvailable();
if (!available.ok) {
  console.warn(
    `SKIPPING real-WAF tests: missing ${available.missing.join(", ")}. ` +
      "Install nginx-light libnginx-mod-http-modsecurity libnginx-mod-http-echo modsecurity-crs.",
  );
}

const form = "application/x-www-form-urlencoded";
const headers = (type?: string): Array<[string, string]> => [
  ["Host", "shop.example.com"],
  ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"],
  ["Accept", "*/*"],
  ...(type ? [["Content-Type", type] as [string, string]] : []),
];

const attacks: Array<[string, RequestSpec]> = [
  ["path traversal in the query", { querystring: "file=../../etc/passwd" }],
  ["SQL injection in the query", { uri: "/search", querystring: "q=%27%20OR%20%271%27%3D%271" }],
  ["XSS in the query", { querystring: "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E" }],
  ["restricted file in the path", { uri: "/.git/config" }],
  [
    "SQL injection in a form body",
    { method: "POST", uri: "/login", headers: headers(form), body: base64Body("user=%27%20OR%20%271%27%3D%271&pass=x") },
  ],
  [
    "XSS in a JSON body",
    {
      method: "POST",
      uri: "/api/comments",
      headers: headers("application/json"),
      body: base64Body('{"text":"<script>alert(1)</script>"}'),
    },
  ],
];

const ordinary: Array<[string, RequestSpec]> = [
  ["GET /", {}],
  ["GET with a query", { uri: "/products", querystring: "page=2&sort=price&q=blue%20shoes" }],
  ["POST form", { method: "POST", uri: "/login", headers: headers(form), body: base64Body("user=alice&pass=correct-horse") }],
  [
    "POST JSON",
    { method: "POST", uri: "/api/items", headers: headers("application/json"), body: base64Body('{"name":"widget","size":2}') },
  ],
  ["PUT text", { method: "PUT", uri: "/api/notes/1", headers: headers("text/plain"), body: base64Body("buy milk") }],
  ["DELETE", { method: "DELETE", uri: "/api/items/7" }],
];

const event = (spec: RequestSpec): CloudFrontRequestEvent => requestEvent({ headers: headers(), ...spec });

(available.ok ? describe : describe.skip)("real WAF as the node", () => {
  let waf: Waf;
  let inline: RequestHandler;
  beforeAll(async () => {
    waf = await startWaf();
    inline = await coldStart("request", { wallarm_node_url: waf.url, wallarm_mode: "inline", fail_open: false });
  });
  afterAll(async () => {
    await waf?.stop();
    cleanup();
  });
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());

  describe("inline mode", () => {
    test.each(attacks)("blocks: %s", async (_name, spec) => {
      const e = event(spec);
      const result = (await inline(e, context)) as CloudFrontResultResponse;
      expect({ status: result.status, node: waf.logs() }).toMatchObject({ status: "403" });
      expect(result.headers?.["cache-control"]).toEqual([{ key: "Cache-Control", value: "no-store" }]);
      expect(result.body).toContain("Request blocked");
      expect(result.body).toContain(e.Records[0].cf.config.requestId);
      expect(logs.lines()).toEqual([
        expect.objectContaining({ level: "info", event: "blocked", request_id: e.Records[0].cf.config.requestId }),
      ]);
    });

    test.each(ordinary)("passes: %s", async (_name, spec) => {
      const e = event(spec);
      const result = await inline(e, context);
      if (result !== e.Records[0].cf.request) throw new Error(`not passed: ${JSON.stringify(result)}\n${waf.logs()}`);
    });

    test("the configured status and page are used", async () => {
      const custom = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
        wallarm_node_url: waf.url,
        block_status_code: 406,
        block_page_body: '{"error":"blocked"}',
        block_page_content_type: "application/json",
      });
      const result = await custom(event(attacks[0][1]), context);
      expect(result).toEqual({
        status: "406",
        statusDescription: "Not Acceptable",
        headers: {
          "content-type": [{ key: "Content-Type", value: "application/json" }],
          "cache-control": [{ key: "Cache-Control", value: "no-store" }],
        },
        bodyEncoding: "text",
        body: '{"error":"blocked"}',
      });
    });
  });

  test("async mode blocks nothing, and the node still receives every copy", async () => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: waf.url,
      wallarm_mode: "async",
    });
    const events = [...attacks, ...ordinary].map(([, spec]) => event(spec));
    for (const e of events) expect(await handler(e, context)).toBe(e.Records[0].cf.request);

    const ids = new Set(events.map((e) => e.Records[0].cf.config.requestId));
    const seen = await eventually(() => {
      const entries = waf.accessLog().filter((entry) => ids.has(entry.requestId));
      return entries.length === ids.size ? entries : undefined;
    });
    expect(seen.every((entry) => entry.mode === "async")).toBe(true);
    // The node judged the copies as usual; the verdicts just were not waited for.
    expect(seen.filter((entry) => entry.status === 403)).toHaveLength(attacks.length);
  });
});
