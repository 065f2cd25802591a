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
  /**
   * Milliseconds the function timeout must leave beyond this value (checked where the function
   * timeout is known: the module, the construct); the handler keeps the same room at run time.
   */
  functionTimeoutHeadroomMs?: number;
}

export const SETTINGS = {
  wallarm_node_url: { kind: "url" },
  wallarm_mode: { kind: "choice", values: ["inline", "async"], default: "inline" },
  // Below 50 ms every request would time out. The headroom holds the liveness probe (300 ms).
  node_timeout_ms: { kind: "integer", min: 50, max: 30_000, default: 1000, functionTimeoutHeadroomMs: 500 },
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
 * What each setting means, in one sentence of what it does and one of its default: for the
 * module variables, READMEs and cdktf props. The why and the details are in the module README
 * and docs/handlers.md. Beside the table rather than in it: some are built from its values.
 */
export const SETTING_DESCRIPTIONS: Record<SettingName, string> = {
  wallarm_node_url: "URL of the Wallarm filtering node, such as https://wallarm-node.example.com; its path prefixes every forwarded URI.",
  wallarm_mode: '"inline" waits for the node\'s verdict and blocks what it blocks; "async" sends a copy and never changes traffic.',
  node_timeout_ms: `Milliseconds the request function waits for the node's verdict; the function timeout must leave ${SETTINGS.node_timeout_ms.functionTimeoutHeadroomMs} ms more. Default ${SETTINGS.node_timeout_ms.default}.`,
  fail_open: "When the node is unavailable (down, or no verdict to the liveness probe): true passes the request, false answers 503.",
  refused_request_action:
    'A request the live node refused, errored or stalled on (400, 413, 414, 431, timeout): "block" (default) or "pass".',
  truncated_body_action: 'A body CloudFront truncated (over 40 KB viewer, 1 MB origin): "block" (default), or "inspect" the part received.',
  block_status_code: "HTTP status of the blocking response.",
  block_page_body: "Body of the blocking response, within the trigger's generated-response limit. null: a small built-in HTML page.",
  block_page_content_type: `Content type of the blocking page. Default "${SETTINGS.block_page_content_type.default}".`,
  node_ca_pem: "PEM CA certificate(s) that alone are trusted for the node (pinning), for a private CA. null: the public roots.",
  circuit_breaker_threshold: "Consecutive failures showing the node unavailable that open the breaker; refused requests never count.",
  circuit_breaker_cooldown_ms: "Milliseconds an open breaker applies the fail policy before one request goes to the node again.",
  skip_extensions: 'File extensions, no dot, any case ("png"), that skip the node, for plain static requests only (no query or body).',
  skip_path_prefixes: 'Path prefixes, literal and case-sensitive ("/static/"), that skip the node, for plain static requests only.',
  skip_methods: 'HTTP methods ("OPTIONS") that skip the node, for plain static requests only (no query or body, a plain path).',
  metrics_enabled: "Write CloudWatch embedded-metric-format lines: counts and node latency per event type and function instance.",
  metrics_interval_seconds: "Seconds between two metric lines of one function instance.",
  metrics_namespace: `CloudWatch namespace of the metrics, not starting with "AWS/". Default "${SETTINGS.metrics_namespace.default}".`,
};
