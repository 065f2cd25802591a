// THE table of handler settings: each config.json key once, with its kind, default and limits.
// Everything else is derived from it: the handler's config type, defaults and validation
// (config.ts), the lambda-edge and root module variables with their validation, the config.json
// mapping, and the cdktf props. A new setting is one entry here (and one description below),
// plus the code that uses it.

/** What a setting holds; each kind has one validation in the handler and in the modules. */
export type SettingKind =
  | "url" // required http(s) URL without query, fragment or credentials
  | "choice" // one of `values`
  | "integer" // a whole number from `min` to `max`
  | "boolean"
  | "text" // any string, or null
  | "line" // a non-empty single-line string (matching `pattern` when given)
  | "list" // a list of strings, each one of `values` or matching `pattern`
  | "pem"; // PEM certificate(s), or null

export interface SettingSpec {
  kind: SettingKind;
  /** Taken when config.json lacks the key; absent for required settings. */
  default?: string | number | boolean | null | readonly string[];
  min?: number;
  max?: number;
  values?: readonly string[];
  /** An RE2-compatible regular expression (Terraform's regex) that JavaScript reads the same way. */
  pattern?: string;
}

export const SETTINGS = {
  wallarm_node_url: { kind: "url" },
  wallarm_mode: { kind: "choice", values: ["inline", "async"], default: "inline" },
  node_timeout_ms: { kind: "integer", min: 1, max: 30_000, default: 1000 },
  fail_open: { kind: "boolean", default: true },
  refused_request_action: { kind: "choice", values: ["block", "pass"], default: "block" },
  truncated_body_action: { kind: "choice", values: ["block", "inspect"], default: "block" },
  block_status_code: { kind: "integer", min: 400, max: 599, default: 403 },
  block_page_body: { kind: "text", default: null },
  block_page_content_type: { kind: "line", default: "text/html; charset=utf-8" },
  node_ca_pem: { kind: "pem", default: null },
  circuit_breaker_threshold: { kind: "integer", min: 1, max: 1000, default: 5 },
  circuit_breaker_cooldown_ms: { kind: "integer", min: 100, max: 300_000, default: 10_000 },
  skip_extensions: { kind: "list", pattern: "^[A-Za-z0-9]{1,16}$", default: [] },
  skip_path_prefixes: { kind: "list", pattern: "^/([A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*([A-Za-z0-9_~-][A-Za-z0-9._~-]*)?$", default: [] },
  skip_methods: { kind: "list", values: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"], default: [] },
  metrics_enabled: { kind: "boolean", default: true },
  metrics_interval_seconds: { kind: "integer", min: 1, max: 3600, default: 60 },
  metrics_namespace: { kind: "line", pattern: "^[0-9A-Za-z._/#:-][0-9A-Za-z._/#: -]{0,254}$", default: "WallarmConnector" },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/**
 * What each setting means, for the module variables, READMEs and cdktf props. Kept beside the
 * table rather than in it so the handler bundles, which import only SETTINGS, stay small.
 */
export const SETTING_DESCRIPTIONS: Record<SettingName, string> = {
  wallarm_node_url:
    "URL of the Wallarm filtering node, such as https://wallarm-node.example.com. Its path, if any, prefixes every forwarded URI.",
  wallarm_mode:
    'How requests reach the node: "inline" waits for the verdict and blocks what the node blocks; "async" sends a copy for analysis and never delays or blocks traffic.',
  node_timeout_ms:
    "How long the request function waits for the node's verdict, in milliseconds. An outcome that is no verdict is then told apart by a liveness probe of at most 300 ms, so keep 500 ms of the function timeout.",
  fail_open:
    "What the request function does when the node is unavailable (no connection, TLS or name failure, or no verdict even to the liveness probe): true passes the request on, false answers 503. Invalid handler configuration follows the same rule.",
  refused_request_action:
    '"block" (default) or "pass": what to do with a request the node refused, errored on or stalled on while it still answers the liveness probe, such as an oversized header (400, 413, 414, 431) or a body it cannot parse in time.',
  truncated_body_action:
    '"block" (default) or "inspect": what the in-line request function does when CloudFront cut the body (over 40 KB at viewer-request, 1 MB at origin-request). "inspect" sends the part received; the rest is never seen.',
  block_status_code: "HTTP status of the response sent when the node blocks a request.",
  block_page_body:
    "Body of the blocking response. null uses a small built-in HTML page. At most 39000 bytes for the viewer trigger and 1047000 for origin (Lambda@Edge generated responses are limited to 40 KB and 1 MB, headers included).",
  block_page_content_type: "Content type of the blocking response.",
  node_ca_pem:
    "PEM certificate(s) of the CA(s) that signed the node's certificate: when set, only these are trusted for the node (pinning), not the public roots. For a node with a private or self-signed certificate. TLS verification is never turned off.",
  circuit_breaker_threshold:
    "Consecutive failures that show the node unavailable (no connection, TLS or name failure, or no verdict to the liveness probe) after which the functions apply the fail policy at once for circuit_breaker_cooldown_ms. A request the node refuses never counts. Counted per function instance.",
  circuit_breaker_cooldown_ms:
    "How long, in milliseconds, an open circuit breaker applies the fail policy without contacting the node before one probe request goes through; the breaker closes when the probe succeeds and opens again for another cool-down when it fails.",
  skip_extensions:
    'File extensions without the dot, any case ("png"). A matching request skips the node only with no query string or body, no dot before the last segment and path segments of letters, digits and . _ ~ - not starting or ending with a dot; all else is inspected.',
  skip_path_prefixes:
    'Path prefixes, literal and case-sensitive ("/static/"; "/static" also matches "/static-admin"). A matching request skips the node only with no query string or body and path segments of letters, digits and . _ ~ - not starting or ending with a dot; all else is inspected.',
  skip_methods:
    'HTTP methods ("OPTIONS"). A matching request skips the node only with no query string or body and path segments of letters, digits and . _ ~ - not starting or ending with a dot; all else is inspected, whatever the method.',
  metrics_enabled:
    "Write CloudWatch embedded metric format (EMF) lines: per function instance, at most one line per event type every metrics_interval_seconds, with request, inspection, block, node failure, lost copy and breaker counts and the node latency distribution.",
  metrics_interval_seconds:
    "Seconds between two metric lines of one function instance. Counts are written at the start of the first invocation after the interval, so an idle instance writes nothing until its next request.",
  metrics_namespace:
    'CloudWatch namespace of the metrics: letters, digits and . _ / # : - or spaces, at most 255 characters, not starting with "AWS/".',
};
