// Request filters: a filter passes only plain static requests (no query string, no body, a path
// of plain segments), whatever the user listed; every attack from issue 18 and every path trick
// is inspected. A seeded fuzz run checks each skipped path against WHATWG URL resolution (dot
// segments, %2e), a second normaliser the filter must agree with.
import type { CloudFrontRequest } from "aws-lambda";
import { isPlainStaticRequest, requestFilter } from "../../handlers/filters";
import { base64Body, requestEvent } from "../../tools/cloudfront-events";

interface Spec {
  method?: string;
  uri: string;
  querystring?: string;
  headers?: Array<[string, string]>;
  body?: CloudFrontRequest["body"];
}

const request = ({ method, uri, querystring, headers, body }: Spec): CloudFrontRequest =>
  requestEvent({ method, uri, querystring, body, headers: [["Host", "shop.example.com"], ...(headers ?? [])] }).Records[0].cf.request;

/** "GET /a?b" → a request; a method is optional ("/a" is a GET). */
function parse(line: string, extra: Omit<Spec, "uri" | "method" | "querystring"> = {}): CloudFrontRequest {
  const [method, target] = line.includes(" ") ? line.split(" ", 2) : ["GET", line];
  const at = target.indexOf("?");
  return request({ method, uri: at < 0 ? target : target.slice(0, at), querystring: at < 0 ? "" : target.slice(at + 1), ...extra });
}

const SHELL = "<?php system($_GET['c']); ?>";

// The configuration.
const filter = requestFilter({ skip_extensions: ["js", "css", "png"], skip_path_prefixes: ["/static/"], skip_methods: ["OPTIONS"] })!;

describe("isPlainStaticRequest", () => {
  test.each(["/", "/a/b.png", "/a/b/", "/A-z_0~9/x.y.z", "/~user/", "/a-/b_"])("%s is plain", (uri) =>
    expect(isPlainStaticRequest(request({ uri }))).toBe(true),
  );

  test.each([
    "",
    "b.png", // not absolute
    "//b.png",
    "/a//b.png",
    "/a/../b.png",
    "/a/./b.png",
    "/..",
    "/.",
    "/.env",
    "/.git/config",
    "/.well-known/x", // a dotfile segment, however harmless
    "/a/%2e%2e/b.png",
    "/a%2fb.png",
    "/%41b.png", // an encoded letter: no decoding any more, so any "%" is inspected
    "/caf%C3%A9",
    "/a%252e%252e/b.png",
    "/a\\b.png",
    "/a;x=1/b.png",
    "/b.php;.png",
    "/b.png.",
    "/b./c.png",
    "/b.png ",
    "/b.png\u0000",
    "/b.\u00f0png",
    "/b.png#x",
    "/b.png?x",
    "/x/$(id).js",
    "/users/1'or'1'='1'--.png",
    "/a=b.png",
    "/a&b.png",
    "/a:b.png",
    "/a@b.png",
    "/a!b.png",
    "/a*b.png",
    "/a+b.png",
    "/a,b.png",
    "/a(b).png",
  ])("%j is not plain", (uri) => expect(isPlainStaticRequest(request({ uri }))).toBe(false));

  test("a query string, even empty-valued, is never plain", () => {
    expect(isPlainStaticRequest(request({ uri: "/a.png", querystring: "v=1" }))).toBe(false);
    expect(isPlainStaticRequest(request({ uri: "/a.png", querystring: "x" }))).toBe(false);
    expect(isPlainStaticRequest(request({ uri: "/a.png", querystring: "" }))).toBe(true);
  });

  test.each<[string, Omit<Spec, "uri">]>([
    ["body data", { body: base64Body("x") }],
    ["a truncated body", { body: base64Body("", true) }],
    ["a text body", { body: { action: "read-only", encoding: "text", inputTruncated: false, data: "a=1" } }],
    ["content-length without include body", { headers: [["Content-Length", "12"]] }],
    ["content-length that is not a plain zero", { headers: [["Content-Length", "00"]] }],
    [
      "a second content-length",
      {
        headers: [
          ["Content-Length", "0"],
          ["Content-Length", "5"],
        ],
      },
    ],
    ["transfer-encoding", { headers: [["Transfer-Encoding", "chunked"]] }],
    ["an empty transfer-encoding", { headers: [["Transfer-Encoding", ""]] }],
  ])("%s: a body is possible, not plain", (_, spec) => expect(isPlainStaticRequest(request({ uri: "/a.png", ...spec }))).toBe(false));

  test("an empty body and content-length: 0 are no body", () => {
    expect(isPlainStaticRequest(request({ uri: "/a.png", body: base64Body(""), headers: [["Content-Length", "0"]] }))).toBe(true);
  });
});

describe("requestFilter", () => {
  test("no lists: no filter at all (everything inspected)", () => {
    expect(requestFilter({ skip_extensions: [], skip_path_prefixes: [], skip_methods: [] })).toBeUndefined();
  });

  test.each([
    "GET /static/app.css",
    "GET /img/logo.PNG",
    "GET /img/logo.png",
    "HEAD /static/",
    "OPTIONS /api/items",
    "POST /app.Js", // no body: a plain request, whatever its method
    "GET /static/admin.php", // the user declared /static/ static
    "GET /static/report",
  ])("%s is skipped", (line) => expect(filter(parse(line))).toBe(true));

  // Issue 18: each was skipped by a filter and reached the origin uninspected.
  test.each<[string, string, Omit<Spec, "uri" | "method" | "querystring">]>([
    ["GET /app.js?id=1' OR 1=1--", "query string", {}],
    ["GET /logo.pNg?url=http://169.254.169.254/", "query string", {}],
    ["GET /users/1'or'1'='1'--.png", "quote in the path", {}],
    ["GET /x/$(id).js", "shell syntax in the path", {}],
    ["GET /static/.env", "dotfile", {}],
    ["GET /static/.git/config", "dot directory", {}],
    ["POST /static/upload.png", "attack body", { body: base64Body(SHELL), headers: [["Content-Length", String(SHELL.length)]] }],
    ["POST /static/upload.png", "content-length without include body", { headers: [["Content-Length", "29"]] }],
    ["OPTIONS /api?x=<script>", "query string", {}],
    ["OPTIONS /api/items", "body", { body: base64Body('{"$where":"1"}') }],
    ["OPTIONS /api/items", "chunked, without include body", { headers: [["Transfer-Encoding", "chunked"]] }],
    ["GET /static/%2e%2e/admin", "encoded dot segment", {}],
    ["GET /static/a;b.png", "path parameter", {}],
    ["GET /static/..%2fadmin", "encoded slash", {}],
  ])("%s (%s) is inspected", (line, _why, extra) => expect(filter(parse(line, extra))).toBe(false));

  test.each([
    "GET /",
    "GET /index.php",
    "GET /logo.png.php",
    "GET /png",
    "GET /.png", // a dotfile, not an extension
    "GET /index.php/logo.png", // PATH_INFO: PHP runs index.php
    "GET /v1.2/app.js", // a dot before the last segment: inspected (cost, not risk)
    "GET /img/logo.png/",
    "GET /static/../admin.php",
    "GET /Static/admin.php", // prefixes are case-sensitive
    "GET /static", // "/static/" needs the slash
    "GET /admin.php%00.png",
    "GET /admin.php%2Flogo.png",
    "GET /logo.png.",
    "GET /a//logo.png",
    "HEAD /admin",
    "OPTIONS /api/orders/../../admin", // a skipped method no longer excuses the path
    "options /admin", // methods are compared as CloudFront sends them: upper case
  ])("%s is inspected", (line) => expect(filter(parse(line))).toBe(false));
});

describe("seeded fuzz: a skipped path is the path the origin resolves", () => {
  // xorshift32, seeded: the same cases on every run.
  let state = 0x5eed5eed;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pieces = [
    "static",
    "img",
    "a",
    ".",
    "..",
    "",
    "%2e",
    "%2E%2e",
    "%2f",
    "%5c",
    "%25",
    ";x",
    "logo.png",
    "x.css",
    "index.php",
    ".env",
  ];
  const odd = [
    "%00",
    "%20",
    " ",
    "\t",
    "\u00e9",
    "\u2024",
    "%C0%AE",
    "\\",
    "%",
    "%zz",
    ".",
    "..",
    "\u0000",
    "\ud83d\ude00",
    "%F0%9F%98%80",
    "'",
    "$",
    "(",
  ];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];

  test("10,000 URIs: every skip is its own WHATWG resolution and ends in a listed extension or prefix", () => {
    let skipped = 0;
    for (let i = 0; i < 10_000; i++) {
      const segments = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.25 ? pick(pieces) + pick(odd) : pick(pieces)));
      const uri = `/${segments.join("/")}`;
      if (!filter(request({ uri }))) continue;
      skipped++;
      expect({ uri, resolved: new URL(uri, "https://origin.example").pathname }).toEqual({ uri, resolved: uri });
      expect(uri.startsWith("/static/") || /\/[^/.]+\.(png|css|js)$/i.test(uri)).toBe(true);
      expect(filter(request({ uri, querystring: "a=1" }))).toBe(false);
    }
    // The generator must reach the skip branch often enough to mean something.
    expect(skipped).toBeGreaterThan(300);
  });
});
