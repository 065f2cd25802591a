// Request filters: what a filter may pass without the node, and every path trick that must be
// inspected instead. A seeded fuzz run checks each skipped path against WHATWG URL resolution
// (dot segments, %2e), a second normaliser the filter must agree with.
import { plainPath, requestFilter } from "../../handlers/filters";

const filter = requestFilter({
  skip_extensions: ["png", "CSS", "js"],
  skip_path_prefixes: ["/static/", "/health"],
  skip_methods: ["OPTIONS"],
})!;

describe("plainPath", () => {
  test.each([
    ["/", "/"],
    ["/a/b.png", "/a/b.png"],
    ["/a/b/", "/a/b/"],
    ["/caf%C3%A9", undefined], // decoded to non-ASCII: outside the path characters
    ["/%41b.png", "/Ab.png"], // an encoded letter is read as the letter by every origin
    ["/.well-known/x", "/.well-known/x"],
  ])("%s -> %s", (uri, expected) => expect(plainPath(uri)).toBe(expected));

  test.each([
    "/a/../b.png",
    "/a/./b.png",
    "/./b.png",
    "/..",
    "//b.png",
    "/a//b.png",
    "/a/%2e%2e/b.png",
    "/a/%2E/b.png",
    "/a%2fb.png",
    "/a%2Fb.png",
    "/a%5cb.png",
    "/a\\b.png",
    "/a%252e%252e/b.png",
    "/a;x=1/b.png",
    "/b.php;.png",
    "/b.png%3b.php",
    "/b.png.",
    "/b.png%2e",
    "/b.png%20",
    "/b.png ",
    "/b.png%00",
    "/b.png%0a",
    "/b.png%C0%AE", // overlong UTF-8 for "."
    "/b%E2%80%A4png", // one dot leader, not a dot
    "/b.png%", // malformed escape
    "/b.png%zz",
    "b.png", // not absolute
    "/b.png#x",
    "/b.png?x",
    "/b.\u00f0png",
  ])("%s is not plain", (uri) => expect(plainPath(uri)).toBeUndefined());
});

describe("requestFilter", () => {
  test("no lists: no filter at all (everything inspected)", () => {
    expect(requestFilter({ skip_extensions: [], skip_path_prefixes: [], skip_methods: [] })).toBeUndefined();
  });

  test.each([
    ["GET", "/img/logo.png"],
    ["GET", "/img/logo.PNG"],
    ["GET", "/site.css"],
    ["POST", "/app.Js"],
    ["GET", "/static/admin.php"], // the user declared /static/ static
    ["GET", "/health"],
    ["GET", "/healthz"], // literal prefix, as documented
    ["OPTIONS", "/api/orders/../../admin"], // a skipped method, whatever the path
    ["GET", "/.png"], // a dotfile: by the last-dot rule its extension is png
  ])("%s %s is skipped", (method, uri) => expect(filter(method, uri)).toBe(true));

  test.each([
    ["GET", "/"],
    ["GET", "/index.php"],
    ["GET", "/logo.png.php"],
    ["GET", "/png"],
    ["GET", "/index.php/logo.png"], // PATH_INFO: PHP runs index.php
    ["GET", "/v1.2/app.js"], // a dot before the last segment: inspected (cost, not risk)
    ["GET", "/img/logo.png/"],
    ["GET", "/static/../admin.php"],
    ["GET", "/static/..%2fadmin.php"],
    ["GET", "/static/%2e%2e/admin.php"],
    ["GET", "/Static/admin.php"], // prefixes are case-sensitive
    ["GET", "/static"], // "/static/" needs the slash
    ["GET", "/admin.php;.png"],
    ["GET", "/admin.php%00.png"],
    ["GET", "/admin.php%2Flogo.png"],
    ["GET", "/logo.png."],
    ["GET", "/a//logo.png"],
    ["HEAD", "/admin"],
    ["options", "/admin"], // methods are compared as CloudFront sends them: upper case
  ])("%s %s is inspected", (method, uri) => expect(filter(method, uri)).toBe(false));
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
  const pieces = ["static", "img", "a", ".", "..", "", "%2e", "%2E%2e", "%2f", "%5c", "%25", ";x", "logo.png", "x.css", "index.php"];
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
  ];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];

  test("10,000 URIs: every skip agrees with WHATWG resolution and ends in a listed extension or prefix", () => {
    let skipped = 0;
    for (let i = 0; i < 10_000; i++) {
      const segments = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.25 ? pick(pieces) + pick(odd) : pick(pieces)));
      const uri = `/${segments.join("/")}`;
      if (!filter("GET", uri)) continue;
      skipped++;
      const resolved = decodeURIComponent(new URL(uri, "https://origin.example").pathname);
      expect({ uri, path: plainPath(uri) }).toEqual({ uri, path: resolved });
      expect(resolved.startsWith("/static/") || /\/[^/.]+\.(png|css|js)$/i.test(resolved)).toBe(true);
    }
    // The generator must reach the skip branch often enough to mean something.
    expect(skipped).toBeGreaterThan(300);
  });
});
