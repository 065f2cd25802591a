// Responses the request function generates itself: the blocking page and the fail-closed 503.
// Both must be valid Lambda@Edge generated responses: within the trigger's size limit, and
// `cache-control: no-store` because CloudFront caches responses generated at origin-request.
import type { CloudFrontHeaders, CloudFrontResultResponse } from "aws-lambda";
import type { HandlerConfig } from "./config";
import type { EventType } from "./event";

/** Generated-response size limits: 1 MB at origin-request, 40 KB at viewer-request. */
export function sizeLimit(eventType: EventType): number {
  return eventType === "origin-request" ? 1024 * 1024 : 40 * 1024;
}

/** An upper bound of what CloudFront counts (status, headers and body, plus JSON overhead). */
export function responseSize(response: CloudFrontResultResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

const BUILT_IN_TYPE = "text/html; charset=utf-8";

/** The page sent when no blocking page is configured (or the configured one is too large). */
export function builtInPage(requestId: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Request blocked</title>
</head>
<body>
<h1>Request blocked</h1>
<p>Request ID: <code>${escapeHtml(requestId)}</code></p>
</body>
</html>
`;
}

function generated(status: number, contentType: string, body: string): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {
    "content-type": [{ key: "Content-Type", value: contentType }],
    "cache-control": [{ key: "Cache-Control", value: "no-store" }],
  };
  // node:http is loaded by the first generated response only: a few ms once per instance, on a
  // request that is being blocked anyway.
  const description = (require("node:http") as typeof import("node:http")).STATUS_CODES[status];
  return { status: String(status), ...(description ? { statusDescription: description } : {}), headers, bodyEncoding: "text", body };
}

/**
 * The blocking response: the configured page, or the built-in one when none is configured or
 * the configured one would exceed the trigger's limit (`oversized` tells the caller to log it).
 */
export function blockResponse(
  config: Pick<HandlerConfig, "block_status_code" | "block_page_body" | "block_page_content_type">,
  eventType: EventType,
  requestId: string,
): { response: CloudFrontResultResponse; oversized: boolean } {
  const status = config.block_status_code;
  if (config.block_page_body !== null) {
    const response = generated(status, config.block_page_content_type, config.block_page_body);
    if (responseSize(response) <= sizeLimit(eventType)) return { response, oversized: false };
  }
  return { response: generated(status, BUILT_IN_TYPE, builtInPage(requestId)), oversized: config.block_page_body !== null };
}

/** Fail-closed answer when the node cannot give a verdict. */
export function failClosedResponse(): CloudFrontResultResponse {
  return generated(503, "text/plain; charset=utf-8", "Service temporarily unavailable.\n");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
