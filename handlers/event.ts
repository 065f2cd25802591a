// Reading CloudFront Lambda@Edge events (lambda-event-structure): pure functions, no I/O.
import type {
  CloudFrontEvent,
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResponse,
  CloudFrontResponseEvent,
} from "aws-lambda";

export type EventType = CloudFrontEvent["config"]["eventType"];

export interface RequestEventView {
  requestId: string;
  eventType: EventType;
  request: CloudFrontRequest;
}

export interface ResponseEventView extends RequestEventView {
  response: CloudFrontResponse;
}

/** The request id of an event that may be malformed (for its error line), or undefined. */
export function requestIdOf(event: CloudFrontRequestEvent | CloudFrontResponseEvent | undefined): string | undefined {
  const id: unknown = event?.Records?.[0]?.cf?.config?.requestId;
  return typeof id === "string" ? id : undefined;
}

export function viewRequestEvent(event: CloudFrontRequestEvent): RequestEventView {
  const { config, request } = event.Records[0].cf;
  return { requestId: config.requestId, eventType: config.eventType, request };
}

export function viewResponseEvent(event: CloudFrontResponseEvent): ResponseEventView {
  const { config, request, response } = event.Records[0].cf;
  return { requestId: config.requestId, eventType: config.eventType, request, response };
}

/**
 * Headers as wire-order pairs: each header's original `key` casing (the lower-case name when
 * CloudFront omitted `key`), multi-value headers as one pair per value.
 */
export function headerPairs(headers: CloudFrontHeaders): Array<[string, string]> {
  // No intermediate arrays: this runs on every request. forEach, not for-of: a malformed event
  // whose header is a string throws here as it always did, instead of yielding its characters.
  const pairs: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) headers[name].forEach(({ key, value }) => pairs.push([key ?? name, value]));
  return pairs;
}

const NO_BODY = Buffer.alloc(0); // shared: a zero-length Buffer has no byte to change

/** The request body bytes CloudFront gave us (empty without "include body"). */
export function decodeBody(body: CloudFrontRequest["body"]): Buffer {
  if (!body || !body.data) return NO_BODY;
  return Buffer.from(body.data, body.encoding === "base64" ? "base64" : "utf8");
}

/** The request target as the viewer sent it: uri plus `?querystring` when there is one. */
export function requestTarget(request: CloudFrontRequest): string {
  return request.querystring ? `${request.uri}?${request.querystring}` : request.uri;
}
