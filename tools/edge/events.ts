// Builds Lambda@Edge events the way CloudFront documents them (lambda-event-structure.html).
// Pure functions: no I/O, so the shape can be tested on its own.
import type {
  CloudFrontCustomOrigin,
  CloudFrontEvent,
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResponse,
  CloudFrontResponseEvent,
} from "aws-lambda";
import { isUtf8 } from "node:buffer";
import type { EventType } from "../../handlers/event";
import { TRIGGER_LIMITS } from "../../modules/library/trigger-limits";

export type { EventType } from "../../handlers/event";
export type Trigger = "viewer" | "origin";
export type RequestBody = NonNullable<CloudFrontRequest["body"]>;
export type ResponseEventRequest = CloudFrontResponseEvent["Records"][0]["cf"]["request"];

/** Include-body copy limit, and the generated-response size limit, per trigger. */
export const SIZE_LIMIT: Record<Trigger, number> = {
  viewer: TRIGGER_LIMITS.viewer.maxBodyBytes,
  origin: TRIGGER_LIMITS.origin.maxBodyBytes,
};

/** Who the events say they come from (cf.config minus the per-event fields). */
export interface Distribution {
  distributionDomainName: string;
  distributionId: string;
}

/** What the viewer sent, as the edge received it. */
export interface ViewerRequest {
  clientIp: string;
  method: string;
  /** Request target: path and optional `?query`, one character per byte (Node's `req.url`). */
  url: string;
  /**
   * Node's `rawHeaders`: name, value, name, value… with original casing and repeats; one
   * character per byte (Node decodes header bytes as latin1), so the wire bytes are recoverable.
   */
  rawHeaders: readonly string[];
  body: Buffer;
}

// CloudFront's encoding rule (edge-function-restrictions-all.html, "URI, query string, and headers
// encoding"): a function gets the URI, query string and header values as UTF-8 strings. Bytes that
// are valid UTF-8 are decoded as UTF-8, anything else as ISO-8859-1. A value the function leaves
// as it was reaches the origin as the viewer's bytes; a changed or new value goes out as UTF-8.
// Node's HTTP parser and writer both use one character per byte ("octets" strings below).

/** What a function is given for a value that arrived as `bytes`. */
export function decodeReceived(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString(isUtf8(buffer) ? "utf8" : "latin1");
}

/** `decodeReceived` for a one-character-per-byte string as Node's parser hands it over. */
export function decodeOctets(octets: string): string {
  return decodeReceived(Buffer.from(octets, "latin1"));
}

/** A value's UTF-8 bytes as a one-character-per-byte string, which node:http writes byte for byte. */
export function utf8Octets(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1");
}

/** A value as the function was given it, and the bytes it arrived as (one character per byte). */
export interface Received {
  value: string;
  octets: string;
}

/** Received header values per lower-case name, in arrival order. */
export type ReceivedHeaders = Record<string, Received[]>;

/** What arrived from the viewer, kept so that values a function leaves alone go on byte for byte. */
export interface ReceivedRequest {
  uri: Received;
  querystring: Received;
  headers: ReceivedHeaders;
}

function received(octets: string): Received {
  return { value: decodeOctets(octets), octets };
}

export function receivedHeaders(rawHeaders: readonly string[]): ReceivedHeaders {
  const headers: ReceivedHeaders = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    (headers[rawHeaders[i].toLowerCase()] ??= []).push(received(rawHeaders[i + 1]));
  }
  return headers;
}

export function receivedRequest(viewer: Pick<ViewerRequest, "url" | "rawHeaders">): ReceivedRequest {
  const { uri, querystring } = splitTarget(viewer.url);
  return { uri: received(uri), querystring: received(querystring), headers: receivedHeaders(viewer.rawHeaders) };
}

/**
 * The bytes (one character per byte) to send for `value`: the received bytes when the value is
 * one of `candidates` unchanged, else its UTF-8 bytes. A matched candidate is used up (set to
 * null) so that repeated headers each keep their own spelling; the same position is tried first.
 */
export function spell(value: string, candidates: Array<Received | null>, position = 0): string {
  const at = candidates[position]?.value === value ? position : candidates.findIndex((candidate) => candidate?.value === value);
  const match = at < 0 ? null : candidates[at];
  if (match === null) return utf8Octets(value);
  candidates[at] = null;
  return match.octets;
}

/** [name, value] lines for the wire, values spelled as `spell` does against what was received. */
export function wireHeaderLines(headers: CloudFrontHeaders, receivedBefore: ReceivedHeaders = {}): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, entries]) => {
    const candidates: Array<Received | null> = [...(receivedBefore[name] ?? [])];
    return entries.map((entry, position): [string, string] => [entry.key ?? name, spell(entry.value, candidates, position)]);
  });
}

const DISALLOWED = new Set([
  "connection",
  "expect",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "trailer",
  "upgrade",
  "x-amzn-auth",
  "x-amzn-cf-billing",
  "x-amzn-cf-id",
  "x-amzn-cf-xff",
  "x-amzn-errortype",
  "x-amzn-fle-profile",
  "x-amzn-header-count",
  "x-amzn-header-order",
  "x-amzn-lambda-integration-tag",
  "x-amzn-requestid",
  "x-cache",
  "x-forwarded-proto",
  "x-real-ip",
]);
const DISALLOWED_PREFIXES = ["x-accel-", "x-amz-cf-", "x-edge-"];

/** Headers CloudFront never shows to a function, and that a function may not add (docs/facts.md). */
export function isDisallowedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return DISALLOWED.has(lower) || DISALLOWED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Lower-case name -> [{ key, value }…], original casing and multi-values kept, disallowed dropped;
 * values decoded from Node's one-character-per-byte strings as CloudFront decodes them.
 */
export function toCloudFrontHeaders(rawHeaders: readonly string[]): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i];
    if (isDisallowedHeader(key)) continue;
    (headers[key.toLowerCase()] ??= []).push({ key, value: decodeOctets(rawHeaders[i + 1]) });
  }
  return headers;
}

/** `/path?a=1` -> uri `/path`, querystring `a=1` (no `?`, "" when none). */
export function splitTarget(url: string): { uri: string; querystring: string } {
  const at = url.indexOf("?");
  return at < 0 ? { uri: url, querystring: "" } : { uri: url.slice(0, at), querystring: url.slice(at + 1) };
}

/** The include-body copy: base64, read-only, cut at `limit` bytes and flagged when cut. */
export function bodyCopy(body: Buffer, limit: number): RequestBody {
  return {
    inputTruncated: body.length > limit,
    action: "read-only",
    encoding: "base64",
    data: body.subarray(0, limit).toString("base64"),
  };
}

/** `request.origin` for a custom (HTTP) origin at `url`. */
export function customOrigin(url: URL): { custom: CloudFrontCustomOrigin } {
  const protocol = url.protocol === "https:" ? "https" : "http";
  return {
    custom: {
      customHeaders: {},
      domainName: url.hostname,
      keepaliveTimeout: 5,
      path: url.pathname.replace(/\/+$/, ""),
      port: Number(url.port || (protocol === "https" ? 443 : 80)),
      protocol,
      readTimeout: 30,
      sslProtocols: ["TLSv1.2"],
    },
  };
}

/** `cf.request` for a viewer request seen at `trigger`, body included (the connector's association). */
export function cloudFrontRequest(viewer: ViewerRequest, trigger: Trigger, origin: URL): CloudFrontRequest {
  const { uri, querystring } = splitTarget(viewer.url);
  const request: CloudFrontRequest = {
    clientIp: viewer.clientIp,
    headers: toCloudFrontHeaders(viewer.rawHeaders),
    method: viewer.method,
    uri: decodeOctets(uri),
    querystring: decodeOctets(querystring),
    body: bodyCopy(viewer.body, SIZE_LIMIT[trigger]),
  };
  if (trigger === "origin") request.origin = customOrigin(origin);
  return request;
}

function config(distribution: Distribution, eventType: EventType, requestId: string): CloudFrontEvent["config"] {
  return { ...distribution, eventType, requestId };
}

export function requestEvent(
  eventType: "viewer-request" | "origin-request",
  distribution: Distribution,
  requestId: string,
  request: CloudFrontRequest,
): CloudFrontRequestEvent {
  return { Records: [{ cf: { config: config(distribution, eventType, requestId), request } }] };
}

export function responseEvent(
  eventType: "origin-response" | "viewer-response",
  distribution: Distribution,
  requestId: string,
  request: ResponseEventRequest,
  response: CloudFrontResponse,
): CloudFrontResponseEvent {
  return { Records: [{ cf: { config: config(distribution, eventType, requestId), request, response } }] };
}

/** The request as response events show it: what went to the origin, without the body. */
export function withoutBody(request: CloudFrontRequest): ResponseEventRequest {
  const { body: _body, ...rest } = request;
  return rest;
}

/** `cf.response` for what the origin answered. */
export function cloudFrontResponse(status: number, statusDescription: string, rawHeaders: readonly string[]): CloudFrontResponse {
  return { status: String(status), statusDescription, headers: toCloudFrontHeaders(rawHeaders) };
}
