// The connector-to-node wire format — the ONLY file that knows it. Adapting the connector to
// another node protocol means changing this file (and docs/handlers.md), nothing else.
//
// Request phase: the viewer's request, replayed to the node.
//   <method> <node path prefix><uri>[?<querystring>] HTTP/1.1
//   every original header line, in order, with its original key casing and multi-value headers
//   as repeated lines (the original Host included), then:
//   x-forwarded-for: <existing value>, <client ip>   (appended in place, or added)
//   x-real-ip: <client ip>
//   x-wallarm-request-id: <cf.config.requestId>
//   x-wallarm-mode: inline | async
//   x-wallarm-connector: cloudfront/<version>
//   x-wallarm-body-truncated: true                   (only when CloudFront truncated the body)
//   content-length: <decoded body bytes>             (replaces the viewer's framing headers)
//   <decoded body bytes>
// Verdict (inline only): 403 = block, 5xx = node failure, any other status = pass.
//
// Response phase: a JSON report, never waited for.
//   POST <node path prefix>/wallarm-connector/response HTTP/1.1
//   host: <node host>, content-type: application/json, x-wallarm-request-id, x-wallarm-mode,
//   x-wallarm-connector, content-length
//   {"request_id":"…","event_type":"origin-response","status":200,"headers":[["Content-Type","text/html"],…]}
import type { EventType, RequestEventView, ResponseEventView } from "./event";
import { decodeBody, headerPairs, requestTarget } from "./event";
import type { WallarmMode } from "./config";

/** One HTTP request to the node, fully described: the client sends exactly this. */
export interface NodeRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Verdict = "block" | "pass" | "node_failure";

declare const __CONNECTOR_VERSION__: string; // replaced by the bundler from package.json
export const CONNECTOR_VERSION = typeof __CONNECTOR_VERSION__ === "string" ? __CONNECTOR_VERSION__ : "dev";

export const BLOCK_STATUS = 403;
export const RESPONSE_REPORT_PATH = "/wallarm-connector/response";

// Framing and hop-by-hop headers describe the viewer's connection, not the copy we send.
const CONNECTION_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade"]);
// Headers the connector sets: a viewer must not be able to forge them towards the node.
const CONNECTOR_HEADERS = new Set(["x-real-ip", "x-wallarm-request-id", "x-wallarm-mode", "x-wallarm-connector", "x-wallarm-body-truncated"]);
// Methods for which Node's client sends no framing when the body is empty; others get
// `content-length: 0` instead of an empty chunked body.
const BODYLESS_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"]);

export function verdictOf(status: number): Verdict {
  if (status === BLOCK_STATUS) return "block";
  return status >= 500 ? "node_failure" : "pass";
}

/** The node URL's path without trailing slashes: "https://n/waf/" → "/waf". */
export function pathPrefix(node: URL): string {
  return node.pathname.replace(/\/+$/, "");
}

function connectorHeaders(requestId: string, mode: WallarmMode): Array<[string, string]> {
  return [
    ["x-wallarm-request-id", requestId],
    ["x-wallarm-mode", mode],
    ["x-wallarm-connector", `cloudfront/${CONNECTOR_VERSION}`],
  ];
}

export function mirrorRequest(view: RequestEventView, node: URL, mode: WallarmMode): NodeRequest {
  const { request } = view;
  const body = decodeBody(request.body);
  const original = headerPairs(request.headers);
  const hadFraming = original.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k));

  const headers: Array<[string, string]> = [];
  let lengthSlot: { at: number; key: string } | undefined; // the viewer's content-length keeps its place
  for (const [key, value] of original) {
    const name = key.toLowerCase();
    if (name === "content-length") lengthSlot ??= { at: headers.length, key };
    if (CONNECTION_HEADERS.has(name) || CONNECTOR_HEADERS.has(name)) continue;
    headers.push([key, value]);
  }
  const lastXff = headers.map(([k]) => k.toLowerCase()).lastIndexOf("x-forwarded-for");
  if (lastXff >= 0) headers[lastXff] = [headers[lastXff][0], `${headers[lastXff][1]}, ${request.clientIp}`];
  else headers.push(["x-forwarded-for", request.clientIp]);
  headers.push(["x-real-ip", request.clientIp], ...connectorHeaders(view.requestId, mode));
  if (request.body?.inputTruncated) headers.push(["x-wallarm-body-truncated", "true"]);

  if (body.length > 0 || hadFraming || !BODYLESS_METHODS.has(request.method.toUpperCase())) {
    const length = String(body.length);
    if (lengthSlot) headers.splice(lengthSlot.at, 0, [lengthSlot.key, length]);
    else headers.push(["content-length", length]);
  }
  return { method: request.method, path: escapeTarget(pathPrefix(node) + requestTarget(request)), headers, body };
}

/**
 * Percent-encodes what may not appear raw in a request line (spaces, controls, non-ASCII) as
 * UTF-8 bytes; everything else, including existing %XX escapes, is sent exactly as received.
 */
export function escapeTarget(target: string): string {
  return target.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

export interface ResponseReport {
  request_id: string;
  event_type: EventType;
  status: number;
  headers: Array<[string, string]>;
}

export function responseReport(view: ResponseEventView, node: URL, mode: WallarmMode): NodeRequest {
  const report: ResponseReport = {
    request_id: view.requestId,
    event_type: view.eventType,
    status: Number(view.response.status),
    headers: headerPairs(view.response.headers),
  };
  const body = Buffer.from(JSON.stringify(report));
  return {
    method: "POST",
    path: pathPrefix(node) + RESPONSE_REPORT_PATH,
    headers: [
      ["host", node.host],
      ["content-type", "application/json"],
      ...connectorHeaders(view.requestId, mode),
      ["content-length", String(body.length)],
    ],
    body,
  };
}
