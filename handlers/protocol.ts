// The connector-to-node wire format — the ONLY file that knows it. Adapting the connector to
// another node protocol means changing this file (and docs/handlers.md), nothing else.
//
// Request phase: the viewer's request, replayed to the node (in-line over HTTP/1.1; an async copy
// over HTTP/1.1 too, or over HTTP/2 when that connection waits on an answer and the node offers
// it by ALPN, where names are lower-case and Host becomes :authority).
//   <method> <node path prefix><uri>[?<querystring>]   (non-ASCII, space and controls as %XX of UTF-8)
//   every original header, in order, with its original key casing and multi-value headers as
//   repeated lines (the original Host included), values as their UTF-8 bytes, except:
//     - viewer-sent x-wallarm-*, x-real-ip and hop-by-hop headers are dropped, names compared
//       lower-case with "_" read as "-" (nginx with underscores_in_headers reads X_Real_IP as
//       x-real-ip), and so is an underscore look-alike of x-forwarded-for (x_forwarded_for);
//     - a value with a byte no HTTP version may carry (controls but tab, DEL, leading or
//       trailing space/tab) has those bytes and every "%" written as %XX, and its name listed
//       in x-wallarm-escaped-headers (a name that is not an HTTP token is escaped the same way);
//   then:
//   x-forwarded-for: <existing value>, <client ip>   (appended in place, or added)
//   x-real-ip: <client ip>
//   x-wallarm-request-id: <cf.config.requestId>      (a retried request keeps it: de-duplicate by it)
//   x-wallarm-mode: inline | async
//   x-wallarm-connector: cloudfront/<version>
//   x-wallarm-escaped-headers: <names>               (only when a header was escaped)
//   x-wallarm-body-truncated: true                   (only when CloudFront truncated the body)
//   content-length: <decoded body bytes>             (replaces the viewer's framing headers)
//   <decoded body bytes>
// Verdict (inline only): 2xx = pass, 403 = block. Any other outcome (another status, garbage,
// a reset, a timeout) is judged by a liveness probe: a node that gives a verdict to it is alive
// and refused this request; one that does not is down.
//
// Liveness probe (in-line, after an outcome that is no verdict): a clean request any worker of
// the node answers at once.
//   GET <node path prefix>/wallarm-connector/liveness
//   host: <node host>, x-wallarm-request-id: <the failed request's id>, x-wallarm-mode: liveness,
//   x-wallarm-connector
//   Alive: 2xx or 403. Anything else, or nothing within the probe's time, means down.
//
// Response phase: a JSON report, never waited for.
//   POST <node path prefix>/wallarm-connector/response
//   host: <node host>, content-type: application/json, x-wallarm-request-id, x-wallarm-mode,
//   x-wallarm-connector, content-length
//   {"request_id":"…","event_type":"origin-response","status":200,"headers":[["Content-Type","text/html"],…]}
import type { OutgoingHttpHeaders } from "node:http2";
import type { EventType, RequestEventView, ResponseEventView } from "./event";
import { decodeBody, headerPairs, requestTarget } from "./event";
import type { WallarmMode } from "./config";

/**
 * One HTTP request to the node, fully described: the client sends exactly this. Header names
 * and values are byte strings (one char per byte, every char <= U+00FF, none a byte HTTP
 * forbids), so any HTTP client writes them as they are.
 */
export interface NodeRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Verdict = "block" | "pass" | "no_verdict";

declare const __CONNECTOR_VERSION__: string; // replaced by the bundler from package.json
export const CONNECTOR_VERSION = typeof __CONNECTOR_VERSION__ === "string" ? __CONNECTOR_VERSION__ : "dev";

export const BLOCK_STATUS = 403;
export const RESPONSE_REPORT_PATH = "/wallarm-connector/response";
export const LIVENESS_PATH = "/wallarm-connector/liveness";

// Framing and hop-by-hop headers describe the viewer's connection, not the copy we send.
const CONNECTION_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "te",
  "http2-settings",
]);
// Headers the connector sets: a viewer must not be able to forge them towards the node.
const isOwnHeader = (name: string): boolean => name === "x-real-ip" || name.startsWith("x-wallarm-");
/**
 * Is this lower-case name one the connector sets, as the node may read it? nginx with
 * underscores_in_headers reads "_" as "-" ($http_x_real_ip matches X_Real_IP), so look-alikes are
 * dropped too, and an x_forwarded_for one: the client IP is appended to the real header only.
 */
function isConnectorHeader(name: string): boolean {
  if (isOwnHeader(name)) return true;
  if (!name.includes("_")) return false; // the common case: no allocation
  const dashed = name.replace(/_/g, "-");
  return isOwnHeader(dashed) || dashed === "x-forwarded-for";
}
export const ESCAPED_HEADERS = "x-wallarm-escaped-headers";
// Methods for which Node's client sends no framing when the body is empty; others get
// `content-length: 0` instead of an empty chunked body.
const BODYLESS_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"]);

/** 2xx passes, 403 blocks; any other answer is no verdict (the request or the node is at fault). */
export function verdictOf(status: number): Verdict {
  if (status === BLOCK_STATUS) return "block";
  return status >= 200 && status <= 299 ? "pass" : "no_verdict";
}

/** The node URL's path without trailing slashes: "https://n/waf/" → "/waf". */
export function pathPrefix(node: URL): string {
  return node.pathname.replace(/\/+$/, "");
}

function connectorHeaders(requestId: string, mode: WallarmMode | "liveness"): Array<[string, string]> {
  return [
    ["x-wallarm-request-id", requestId],
    ["x-wallarm-mode", mode],
    ["x-wallarm-connector", `cloudfront/${CONNECTOR_VERSION}`],
  ];
}

/** The node's copy of a request; `prefix` is the node URL's path prefix (see pathPrefix). */
export function mirrorRequest(view: RequestEventView, prefix: string, mode: WallarmMode): NodeRequest {
  const { request } = view;
  const body = decodeBody(request.body);
  const original = headerPairs(request.headers);
  // One pass to name each header and judge it, one to copy: no closures or arrays beyond these.
  const names: string[] = [];
  const kept: boolean[] = [];
  // Escaping is decided per name: a listed name has all its values escaped, or decoding one
  // would change another.
  let unsafe: string[] | undefined;
  for (let i = 0; i < original.length; i++) {
    const key = original[i][0];
    const value = original[i][1];
    const name = key.toLowerCase();
    const keep = !CONNECTION_HEADERS.has(name) && !isConnectorHeader(name);
    names.push(name);
    kept.push(keep);
    if (keep && !isWireSafe(key, value)) (unsafe ??= []).push(name);
  }

  const headers: Array<[string, string]> = [];
  const escaped: string[] = [];
  let hadFraming = false;
  let lengthSlot: { at: number; key: string } | undefined; // the viewer's content-length keeps its place
  let xff = -1; // the last x-forwarded-for: the client IP is appended to it
  for (let i = 0; i < original.length; i++) {
    const key = original[i][0];
    const value = original[i][1];
    const name = names[i];
    if (name === "content-length") lengthSlot ??= { at: headers.length, key };
    if (name === "content-length" || name === "transfer-encoding") hadFraming = true;
    if (!kept[i]) continue;
    if (name === "x-forwarded-for") xff = headers.length;
    if (unsafe?.includes(name)) {
      const field = escapeField(key, value);
      if (!escaped.includes(field[0].toLowerCase())) escaped.push(field[0].toLowerCase());
      headers.push(field);
    } else {
      headers.push([key, byteString(value)]); // a safe key is ASCII
    }
  }
  const clientIp = byteString(request.clientIp);
  if (xff >= 0) headers[xff] = [headers[xff][0], `${headers[xff][1]}, ${clientIp}`];
  else headers.push(["x-forwarded-for", clientIp]);
  headers.push(["x-real-ip", clientIp], ...connectorHeaders(view.requestId, mode));
  if (escaped.length > 0) headers.push([ESCAPED_HEADERS, escaped.join(",")]);
  if (request.body?.inputTruncated) headers.push(["x-wallarm-body-truncated", "true"]);

  if (body.length > 0 || hadFraming || !BODYLESS_METHODS.has(request.method.toUpperCase())) {
    const length = String(body.length);
    if (lengthSlot) headers.splice(lengthSlot.at, 0, [lengthSlot.key, length]);
    else headers.push(["content-length", length]);
  }
  return { method: request.method, path: escapeTarget(prefix + requestTarget(request)), headers, body };
}

const percent = (byte: number): string => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;

/** A string's UTF-8 bytes, one char per byte: what HTTP clients write as Latin-1 is then UTF-8. */
export function byteString(s: string): string {
  // ASCII (the common case) is its own byte string: counted without allocating a Buffer.
  return Buffer.byteLength(s, "utf8") === s.length ? s : Buffer.from(s, "utf8").toString("latin1");
}

const NOT_TARGET_CHAR = /[^\x21-\x7e]/;

/**
 * Percent-encodes what may not appear raw in a request line (spaces, controls, non-ASCII) as
 * UTF-8 bytes; everything else, including existing %XX escapes, is sent exactly as received.
 */
export function escapeTarget(target: string): string {
  // Most targets need nothing: a test costs less than a replace that finds nothing.
  if (!NOT_TARGET_CHAR.test(target)) return target;
  return target.replace(/[^\x21-\x7e]+/g, (run) => [...Buffer.from(run, "utf8")].map(percent).join(""));
}

// What cannot go out as it is in a field value: controls but tab, and DEL (RFC 9110 field-vchar,
// SP, HTAB), and a space or tab at either end (RFC 9113). Node's HTTP/1.1 client throws on them
// and HTTP/2 peers silently drop the field: either would hide the header from the node.
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\uffff]|^[ \t]|[ \t]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Can this header go out as its UTF-8 bytes, unchanged, on HTTP/1.1 and HTTP/2 alike? Judged
 * on the characters, without encoding: a token is ASCII, and any character from U+0080 up is
 * sent as bytes from 0x80 up, which a field value may hold.
 */
export function isWireSafe(key: string, value: string): boolean {
  return TOKEN.test(key) && !UNSAFE_VALUE.test(value);
}

/**
 * The escaped form of a header: in the name, every byte that is not a token character; in the
 * value, controls but tab, DEL and edge blanks (a byte string holds nothing above U+00FF); in
 * both, every "%" — so decoding %XX gives the exact bytes back and can never turn the name into
 * another one (x-wallarm%2Dmode stays itself).
 */
export function escapeField(key: string, value: string): [string, string] {
  const escape = (c: string): string => percent(c.charCodeAt(0));
  const name = byteString(key).replace(/[^!#$&'*+\-.^_`|~0-9A-Za-z]/g, escape);
  const escaped = byteString(value).replace(/%|[^\t\x20-\x7e\x80-\xff]|^[ \t]|[ \t]$/g, escape);
  return [name || "%", escaped];
}

// What RFC 3986 allows in an authority (pct-encoded included); HTTP/2 peers reset a stream
// whose :authority holds anything else, or nothing.
const NOT_AUTHORITY = /[^A-Za-z0-9\-._~!$&'()*+,;=:@[\]]/g;

/**
 * Whether HTTP/2 can carry the request exactly. An empty Host cannot be an :authority, and
 * HTTP/2 peers reset a stream with an empty host field: such a request goes over HTTP/1.1.
 */
export function fitsHttp2(req: NodeRequest): boolean {
  return req.headers.find(([k]) => k.toLowerCase() === "host")?.[1] !== "";
}

/**
 * The HTTP/2 form of a request: lower-case names, the first Host as :authority (bytes it may
 * not hold as %XX, flagged like an escaped header), repeated fields combined into one as RFC 9110
 * section 5.3 allows (cookies with "; ", RFC 9113 section 8.2.3), since Node's HTTP/2 client
 * refuses repeats of many fields.
 */
export function http2Headers(req: NodeRequest): OutgoingHttpHeaders {
  const headers: Record<string, string> = { ":method": req.method, ":path": req.path, ":scheme": "https" };
  const listed = req.headers.find(([k]) => k === ESCAPED_HEADERS)?.[1].split(",") ?? [];
  let hostSeen = false;
  for (const [key, value] of req.headers) {
    const name = key.toLowerCase();
    if (name === "host" && !hostSeen) {
      hostSeen = true;
      // Valid as it is (a "%" counts as an escape), or escaped: a listed Host has its "%"
      // escaped already; otherwise they must be too, and Host is listed.
      const escaped = listed.includes("host");
      const valid = !value.replace(/%/g, "").match(NOT_AUTHORITY);
      headers[":authority"] = valid ? value : value.replace(NOT_AUTHORITY, (c) => (c === "%" && escaped ? c : percent(c.charCodeAt(0))));
      if (!valid && !escaped) listed.push("host");
      continue;
    }
    // An empty repeat adds nothing but a trailing blank, which would make peers drop the field.
    const prior = headers[name];
    if (prior === undefined || prior === "") headers[name] = value;
    else if (value !== "") headers[name] = `${prior}${name === "cookie" ? "; " : ", "}${value}`;
  }
  if (listed.length > 0) headers[ESCAPED_HEADERS] = listed.join(",");
  return headers;
}

export interface ResponseReport {
  request_id: string;
  event_type: EventType;
  status: number;
  headers: Array<[string, string]>;
}

/** The report of a response; `host` is the node's, `prefix` its URL's path prefix (see pathPrefix). */
export function responseReport(view: ResponseEventView, host: string, prefix: string, mode: WallarmMode): NodeRequest {
  const report: ResponseReport = {
    request_id: view.requestId,
    event_type: view.eventType,
    status: Number(view.response.status),
    headers: headerPairs(view.response.headers),
  };
  const body = Buffer.from(JSON.stringify(report), "utf8");
  return {
    method: "POST",
    path: prefix + RESPONSE_REPORT_PATH,
    headers: [
      ["host", host],
      ["content-type", "application/json"],
      ...connectorHeaders(view.requestId, mode),
      ["content-length", String(body.length)],
    ],
    body,
  };
}

/**
 * The liveness probe sent after an outcome that is no verdict; `host` is the node's, `prefix`
 * its URL's path prefix (see pathPrefix), `requestId` the failed request's, to tie the two.
 */
export function livenessProbe(host: string, prefix: string, requestId: string): NodeRequest {
  return {
    method: "GET",
    path: prefix + LIVENESS_PATH,
    headers: [["host", host], ...connectorHeaders(requestId, "liveness")],
    body: Buffer.alloc(0),
  };
}
