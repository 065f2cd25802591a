// Seeded generator of hostile CloudFront request events for fuzz.test.ts. Every event comes from
// its own 32-bit seed (fuzzEvent(seed, ...)), so one failing event is rebuilt from one number.
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent } from "aws-lambda";

export type RandomSource = () => number;

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; floats in [0, 1). */
export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A per-event seed from the run seed, a stream number and the event index (murmur3 finaliser). */
export function eventSeed(seed: number, stream: number, index: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private readonly next: RandomSource;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** What kinds of characters a string is drawn from. */
type Palette = "token" | "ascii" | "mixed" | "controls" | "percent";

const cp = (n: number): string => String.fromCodePoint(n);
const CONTROLS = [0x01, 0x02, 0x07, 0x08, 0x09, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x7f].map(cp);
/** Bytes CloudFront never passes in a header value; the handler must still never throw. */
const FORBIDDEN = ["\0", "\r", "\n", "\r\n"];
const PERCENT = ["%", "%%", "%41", "%2F", "%25", "%c3%a9", "%0A", "%zz", "%4", "%F0%9F%98%80"];
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!#$&'*+^`|";
const EMOJI = ["😀", "🚀", "👍🏽", "🇫🇷", "👨‍👩‍👧", "𝔘", "𐍈", "🀄"];

function oneChar(r: Rng, palette: Palette, hostile: boolean): string {
  if (hostile && r.chance(0.04)) return r.pick(FORBIDDEN);
  if (palette === "token") return TOKEN_CHARS[r.int(TOKEN_CHARS.length)];
  if (palette === "ascii") return cp(r.range(0x20, 0x7e));
  if (palette === "percent" && r.chance(0.3)) return r.pick(PERCENT);
  if (palette === "controls" && r.chance(0.3)) return r.pick(CONTROLS);
  const k = r.float();
  if (k < 0.42) return cp(r.range(0x20, 0x7e));
  if (k < 0.52) return cp(r.range(0xa0, 0xff)); // Latin-1
  if (k < 0.54) return cp(r.range(0x80, 0x9f)); // C1 controls
  if (k < 0.64) {
    const n = r.range(0x100, 0xfffd); // BMP, surrogates avoided here
    return cp(n >= 0xd800 && n <= 0xdfff ? n + 0x800 : n);
  }
  if (k < 0.72) return r.pick(EMOJI);
  if (k < 0.75) return cp(r.range(0x10000, 0x10ffff)); // any astral code point
  if (k < 0.83) return r.pick(CONTROLS);
  if (k < 0.89) return r.pick(PERCENT);
  if (k < 0.94) return " ";
  if (k < 0.95) return cp(r.range(0xd800, 0xdfff)); // a lone surrogate (sent as U+FFFD's bytes)
  if (k < 0.97) return "\t";
  return r.pick([",", ";", "=", '"', "\\", "?", "#", "&"]);
}

function randomString(r: Rng, palette: Palette, hostile: boolean, maxLen: number): string {
  const len = r.chance(0.03) ? r.range(0, maxLen * 6) : r.range(0, maxLen);
  let s = "";
  for (let i = 0; i < len; i++) s += oneChar(r, palette, hostile);
  // Leading or trailing blanks: HTTP cannot carry them raw.
  if (r.chance(0.05)) s = r.pick([" ", "\t", "  "]) + s;
  if (r.chance(0.05)) s += r.pick([" ", "\t", " \t"]);
  return s;
}

function value(r: Rng, hostile: boolean): string {
  const k = r.float();
  const palette: Palette = k < 0.25 ? "ascii" : k < 0.35 ? "token" : k < 0.85 ? "mixed" : k < 0.93 ? "controls" : "percent";
  return randomString(r, palette, hostile, 40);
}

const COMMON = [
  "User-Agent",
  "Accept",
  "Accept-Language",
  "Accept-Encoding",
  "Cookie",
  "Referer",
  "Origin",
  "X-Forwarded-For",
  "X-Forwarded-Proto",
  "CloudFront-Viewer-Country",
  "CloudFront-Is-Mobile-Viewer",
  "Authorization",
  "Content-Type",
  "Via",
  "X-Amz-Cf-Id",
  "Cache-Control",
  "If-None-Match",
  "If-Modified-Since",
  "Range",
  "Pragma",
  "DNT",
  "Sec-Fetch-Mode",
  "X-Requested-With",
  "X-Api-Key",
  "Forwarded",
  "Date",
  "Set-Cookie",
  "X-Custom",
  "Content-Type",
];
/** Names the connector must not forward from the viewer (its own, or hop-by-hop / framing). */
const STRIPPED = [
  "X-Wallarm-Mode",
  "x-wallarm-request-id",
  "X-WALLARM-ESCAPED-HEADERS",
  "x-wallarm-body-truncated",
  "X-Wallarm-Connector",
  "X-Wallarm-Forged",
  "x-wallarm-",
  "X-Real-IP",
  "x-real-ip",
  "Connection",
  "Keep-Alive",
  "Transfer-Encoding",
  "TE",
  "Upgrade",
  "Proxy-Connection",
  "HTTP2-Settings",
  "Content-Length",
];
/** Names that are not HTTP tokens (or are tokens holding %XX): escaped on the wire. */
const ODD = [
  "X Space",
  "Ünïcode-Name",
  "x-😀",
  "X:Colon",
  ":path",
  "X(Paren)",
  'X"Q"',
  "X@At",
  "X\u0001Ctl",
  "X,Comma",
  "x-wallarm-mode ",
  " x-wallarm-mode",
  "Xé",
  "X/Slash",
  "x%41",
  "X-Wallarm%2DMode",
  "X-A%2541",
  "x\u007fdel",
  "X=Eq",
  "X{}",
  "x\u00a0nbsp",
  "ヘッダー",
];

function caseMix(r: Rng, name: string): string {
  const k = r.float();
  if (k < 0.5) return name;
  if (k < 0.65) return name.toLowerCase();
  if (k < 0.72) return name.toUpperCase();
  return [...name].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
}

function headerName(r: Rng): string {
  const k = r.float();
  if (k < 0.55) return caseMix(r, r.pick(COMMON));
  if (k < 0.75) {
    // A random token; "%" included now and then. Never Host or Expect (Node's HTTP/1.1 server
    // answers an unknown expectation with 417 itself).
    const s = `X-${randomString(r, "token", false, 12)}${r.chance(0.1) ? "%" : ""}`.replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g, "");
    return caseMix(r, s.length > 2 ? s : "X-Token");
  }
  if (k < 0.93) return caseMix(r, r.pick(STRIPPED));
  return r.pick(ODD);
}

function hostValue(r: Rng, hostile: boolean): string {
  const k = r.float();
  if (k < 0.7)
    return r.pick([
      "shop.example.com",
      "d111111abcdef8.cloudfront.net",
      "example.org",
      "api.example.com:8443",
      "[2001:db8::1]:443",
      "203.0.113.9",
    ]);
  if (k < 0.8) return r.pick(["bücher.example", "例え.テスト", "xn--bcher-kva.example", "ex ample.com", "a%41.example", "h@st:1"]);
  return value(r, hostile);
}

function ip(r: Rng): string {
  if (r.chance(0.75)) return [r.range(1, 223), r.int(256), r.int(256), r.range(1, 254)].join(".");
  return `2001:db8:${r.int(0x10000).toString(16)}::${r.int(0x10000).toString(16)}`;
}

/** CloudFront only passes these; a few WebDAV-style methods every HTTP stack used here knows too. */
const METHODS = [
  "GET",
  "GET",
  "GET",
  "POST",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "PROPFIND",
  "PURGE",
  "REPORT",
  "SEARCH",
  "MKCOL",
];
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

export interface FuzzCase {
  seed: number;
  /** NUL, CR or LF may appear in header values, URI and query string (CloudFront never passes them). */
  hostile: boolean;
  event: CloudFrontRequestEvent;
  /** The exact body bytes the node must receive. */
  body: Buffer;
}

function uri(r: Rng, hostile: boolean): string {
  const segments = r.range(0, 5);
  let path = "";
  for (let i = 0; i < segments; i++) {
    const k = r.float();
    const palette: Palette = k < 0.4 ? "token" : k < 0.8 ? "mixed" : k < 0.9 ? "controls" : "percent";
    path += `/${randomString(r, palette, hostile, 16).replace(/\?/g, "")}`;
  }
  return path === "" || r.chance(0.1) ? `${path}/` : path;
}

function querystring(r: Rng, hostile: boolean): string {
  const k = r.float();
  if (k < 0.4) return "";
  if (k < 0.8) {
    const pairs: string[] = [];
    const n = r.range(1, 5);
    for (let i = 0; i < n; i++)
      pairs.push(`${randomString(r, "token", false, 8)}=${randomString(r, r.chance(0.5) ? "ascii" : "mixed", hostile, 24)}`);
    return pairs.join("&");
  }
  return randomString(r, r.pick<Palette>(["mixed", "controls", "percent"]), hostile, 60);
}

function requestBody(r: Rng): { body: CloudFrontRequest["body"] | undefined; bytes: Buffer } {
  const k = r.float();
  if (k < 0.35) return { body: undefined, bytes: Buffer.alloc(0) };
  const inputTruncated = r.chance(0.12);
  const len = r.chance(0.05) ? r.range(2000, 20_000) : r.range(0, 600);
  if (k < 0.7) {
    const bytes = Buffer.alloc(len);
    for (let i = 0; i < len; i++) bytes[i] = r.int(256);
    return { body: { action: "read-only", encoding: "base64", inputTruncated, data: bytes.toString("base64") }, bytes };
  }
  const text = randomString(r, r.pick<Palette>(["ascii", "mixed", "mixed", "controls"]), true, Math.ceil(len / 4));
  return {
    body: { action: r.pick(["read-only", "replace"] as const), encoding: "text", inputTruncated, data: text },
    bytes: Buffer.from(text, "utf8"),
  };
}

/** Rough bytes a header takes on the wire at worst (every byte escaped). */
const wireCost = (key: string, v: string): number => 3 * (Buffer.byteLength(key) + Buffer.byteLength(v)) + 4;
/** Below Node's 16 KB HTTP/1.1 header limit (the TLS stand-in node is a Node server). */
const HEADER_BUDGET = 12_000;

export function fuzzEvent(seed: number, eventType: "viewer-request" | "origin-request", requestId: string): FuzzCase {
  const r = new Rng(seed);
  const hostile = r.chance(0.08);
  const method = r.pick(METHODS);
  const target = { uri: uri(r, hostile), querystring: querystring(r, hostile) };
  let budget = HEADER_BUDGET - 3 * Buffer.byteLength(target.uri + target.querystring);

  // CloudFront always passes exactly one Host; the other names repeat at will.
  const pairs: Array<[string, string]> = [];
  const host = hostValue(r, hostile);
  pairs.push([r.pick(["Host", "host", "HOST", "hOsT"]), host]);
  budget -= wireCost("Host", host);
  const count = r.chance(0.05) ? r.range(20, 40) : r.range(0, 12);
  for (let i = 0; i < count; i++) {
    const repeat = pairs.length > 1 && r.chance(0.15);
    const name = repeat ? caseMix(r, r.pick(pairs.slice(1))[0]) : headerName(r);
    if (name.toLowerCase() === "host" || name.toLowerCase() === "expect") continue;
    const v = name.toLowerCase() === "x-forwarded-for" && r.chance(0.5) ? ip(r) : value(r, hostile);
    if (wireCost(name, v) > budget) continue;
    budget -= wireCost(name, v);
    pairs.push([name, v]);
  }
  // Shuffle all but Host now and then: CloudFront keeps the viewer's order.
  if (r.chance(0.3)) {
    for (let i = pairs.length - 1; i > 1; i--) {
      const j = 1 + r.int(i);
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
  }
  const headers: CloudFrontHeaders = {};
  const omitKey = r.chance(0.05); // `key` is optional in the event structure
  for (const [key, v] of pairs) (headers[key.toLowerCase()] ??= []).push(omitKey && r.chance(0.5) ? { value: v } : { key, value: v });

  const { body, bytes } = requestBody(r);
  const request: CloudFrontRequest = {
    clientIp: ip(r),
    headers,
    method,
    querystring: target.querystring,
    uri: target.uri,
    ...(body ? { body } : {}),
  };
  if (eventType === "origin-request") {
    request.origin = {
      custom: {
        customHeaders: {},
        domainName: "origin.example.org",
        keepaliveTimeout: 5,
        path: "",
        port: 443,
        protocol: "https",
        readTimeout: 30,
        sslProtocols: ["TLSv1.2"],
      },
    };
  }
  let id = requestId;
  while (id.length < 56) id += ID_CHARS[r.int(ID_CHARS.length)];
  const event: CloudFrontRequestEvent = {
    Records: [
      {
        cf: {
          config: { distributionDomainName: "d111111abcdef8.cloudfront.net", distributionId: "EDFDVBD6EXAMPLE", eventType, requestId: id },
          request,
        },
      },
    ],
  };
  return { seed, hostile, event, body: bytes };
}

/** JSON with every non-ASCII and control character as \uXXXX: pasteable into a test. */
export function asciiJson(x: unknown): string {
  return JSON.stringify(x).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
