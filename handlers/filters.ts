// Request filters: requests the user declared not worth a node round trip (static assets, health
// checks, CORS preflights) pass at once. A filter must never open a bypass, so paths are judged
// only when the origin cannot read them differently; any doubt means the request is inspected.
import type { HandlerConfig } from "./config";

type FilterConfig = Pick<HandlerConfig, "skip_extensions" | "skip_path_prefixes" | "skip_methods">;

/** A segment the origin reads as we do: path characters only, not empty, not ending in a dot. */
const PLAIN_SEGMENT = /^[\w.~!$&'()*+,=:@-]*[\w~!$&'()*+,=:@-]$/;

/**
 * The percent-decoded path when every origin reads it the same way, else undefined. Refused:
 * encoded `/`, `\` or `%` (servers differ on decoding them), malformed UTF-8, `;` parameters,
 * empty (`//`), `.` and `..` segments, segments ending in a dot (Windows drops the dot), and any
 * character outside RFC 3986's path characters (spaces, controls, backslashes, non-ASCII).
 */
export function plainPath(uri: string): string | undefined {
  if (/%(2f|5c|25)/i.test(uri)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(uri);
  } catch {
    return undefined;
  }
  const segments = path.split("/");
  const last = segments.length - 1;
  // "/a/b/" splits to ["", "a", "b", ""]: only the first and a final empty part are allowed.
  return segments[0] === "" && segments.every((s, i) => i === 0 || (i === last && s === "") || PLAIN_SEGMENT.test(s)) ? path : undefined;
}

/** Decides, per request, whether a filter lets it pass without the node. */
export function requestFilter(config: FilterConfig): ((method: string, uri: string) => boolean) | undefined {
  const { skip_methods: methods, skip_path_prefixes: prefixes } = config;
  const extensions = config.skip_extensions.map((e) => e.toLowerCase());
  if (methods.length + prefixes.length + extensions.length === 0) return undefined;
  return (method, uri) => {
    if (methods.includes(method)) return true;
    const path = plainPath(uri);
    if (path === undefined) return false;
    if (prefixes.some((p) => path.startsWith(p))) return true;
    // /index.php/x.png runs index.php on PHP origins: a dot before the last segment disqualifies.
    const dir = path.lastIndexOf("/");
    const dot = path.lastIndexOf(".");
    return dot > dir && !path.slice(0, dir).includes(".") && extensions.includes(path.slice(dot + 1).toLowerCase());
  };
}
