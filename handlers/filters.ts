// Request filters: requests the user declared not worth a node round trip (static assets, health
// checks, CORS preflights) pass at once. A filter must never open a bypass, so it only ever passes
// a plain static request, one no origin can read as anything else; whatever the user listed,
// every other request is inspected.
import type { CloudFrontRequest } from "aws-lambda";
import type { HandlerConfig } from "./config";

type FilterConfig = Pick<HandlerConfig, "skip_extensions" | "skip_path_prefixes" | "skip_methods">;

// A segment of unreserved characters (RFC 3986) that neither starts with a dot (".", "..",
// ".env", ".git") nor ends with one (Windows drops it). No "%": nothing to decode, so every
// origin reads the path as written.
const SEGMENT = String.raw`[\w~-](?:[\w.~-]*[\w~-])?`;
// Segments joined by single slashes; only a final trailing slash may leave one empty.
const PLAIN_PATH = new RegExp(String.raw`^/(?:${SEGMENT}/)*(?:${SEGMENT})?$`);

/**
 * Could this request carry a body? Without "include body" CloudFront passes no body object, so
 * the framing headers (CloudFront's lower-case keys) are the only sign of one.
 */
function mayHaveBody({ body, headers }: CloudFrontRequest): boolean {
  if (body && (body.data || body.inputTruncated)) return true;
  return headers["transfer-encoding"] !== undefined || (headers["content-length"]?.some((h) => h.value !== "0") ?? false);
}

/**
 * A request a filter may pass: no query string, no body, and a path of plain segments. Attacks
 * ride in the query, the body, or path tricks (encodings, dot segments, parameters, dotfiles);
 * a plain static request has none of them.
 */
export function isPlainStaticRequest(request: CloudFrontRequest): boolean {
  return !request.querystring && !mayHaveBody(request) && PLAIN_PATH.test(request.uri);
}

/** Decides, per request, whether a filter lets it pass without the node. */
export function requestFilter(config: FilterConfig): ((request: CloudFrontRequest) => boolean) | undefined {
  const { skip_methods: methods, skip_path_prefixes: prefixes } = config;
  const extensions = config.skip_extensions.map((e) => e.toLowerCase());
  if (methods.length + prefixes.length + extensions.length === 0) return undefined;
  return (request) => {
    if (!isPlainStaticRequest(request)) return false;
    const path = request.uri;
    if (methods.includes(request.method) || prefixes.some((p) => path.startsWith(p))) return true;
    // /index.php/x.png runs index.php on PHP origins: a dot before the last segment disqualifies.
    const dir = path.lastIndexOf("/");
    const dot = path.lastIndexOf(".");
    return dot > dir && !path.slice(0, dir).includes(".") && extensions.includes(path.slice(dot + 1).toLowerCase());
  };
}
