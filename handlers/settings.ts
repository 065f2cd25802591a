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
  block_status_code: { kind: "integer", min: 400, max: 599, default: 403 },
  block_page_body: { kind: "text", default: null },
  block_page_content_type: { kind: "line", default: "text/html; charset=utf-8" },
  node_ca_pem: { kind: "pem", default: null },
  circuit_breaker_threshold: { kind: "integer", min: 1, max: 1000, default: 5 },
  circuit_breaker_cooldown_ms: { kind: "integer", min: 100, max: 300_000, default: 10_000 },
  skip_extensions: { kind: "list", pattern: "^[A-Za-z0-9]{1,16}$", default: [] },
  skip_path_prefixes: { kind: "list", pattern: "^/[A-Za-z0-9._~!$&'()*+,=:@/-]*$", default: [] },
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
    "How long the request function waits for the node, in milliseconds, before it fails open or closed. Must leave 500 ms of the function timeout.",
  fail_open:
    "When the node gives no verdict (down, slow, error): true passes the request on, false answers 503. Invalid handler configuration follows the same rule.",
  block_status_code: "HTTP status of the response sent when the node blocks a request.",
  block_page_body:
    "Body of the blocking response. null uses a small built-in HTML page. At most 39000 bytes for the viewer trigger and 1047000 for origin (Lambda@Edge generated responses are limited to 40 KB and 1 MB, headers included).",
  block_page_content_type: "Content type of the blocking response.",
  node_ca_pem:
    "PEM certificate(s) of the CA(s) that signed the node's certificate: when set, only these are trusted for the node (pinning), not the public roots. For a node with a private or self-signed certificate. TLS verification is never turned off.",
  circuit_breaker_threshold:
    "Consecutive node failures that say the node is down or overloaded (timeouts, connection, TLS or name errors, 5xx answers) after which the functions stop waiting on the node and apply the fail policy at once, for circuit_breaker_cooldown_ms. Answers a viewer can provoke, such as 400 or 431, count as answers from a live node and end such a run. Counted by each function instance on its own.",
  circuit_breaker_cooldown_ms:
    "How long, in milliseconds, an open circuit breaker applies the fail policy without contacting the node before one probe request goes through; the breaker closes when the probe succeeds and opens again for another cool-down when it fails.",
  skip_extensions:
    'File extensions, without the dot and case-insensitive (such as "png", "css"), whose requests pass without contacting the node. Judged on the last segment of a plain URI path only, never on the query string, and only when no earlier path segment contains a dot (a PHP origin runs /index.php/x.png as index.php). A path with percent-encoded slashes, backslashes or percent signs, ";" parameters, empty, "." or ".." segments, a segment ending in a dot, or a character outside the RFC 3986 path characters is always inspected.',
  skip_path_prefixes:
    'URI path prefixes, such as "/static/", whose requests pass without contacting the node. Matched literally and case-sensitively against the percent-decoded path, after the same plain-path check as skip_extensions. End a directory prefix with "/" so "/static" does not also match "/static-admin".',
  skip_methods:
    'HTTP methods whose requests pass without contacting the node, such as ["OPTIONS"]. A skipped method is never inspected, whatever its path or body.',
  metrics_enabled:
    "Write CloudWatch embedded metric format (EMF) lines: per function instance, at most one line per event type every metrics_interval_seconds, with request, inspection, block, node failure, lost copy and breaker counts and the node latency distribution.",
  metrics_interval_seconds:
    "Seconds between two metric lines of one function instance. Counts are written at the start of the first invocation after the interval, so an idle instance writes nothing until its next request.",
  metrics_namespace:
    'CloudWatch namespace of the metrics: letters, digits and . _ / # : - or spaces, at most 255 characters, not starting with "AWS/".',
};
