// THE table of handler settings: each config.json key once, with everything about it: kind,
// default, limits, description and the group it is listed under. Everything else is derived from
// it: the handler's config type, defaults and validation (config.ts), the lambda-edge and root
// module variables with their descriptions, sections and validation, the config.json mapping, and
// the cdktf props with their JSDoc. A new setting is one entry here, plus the code that uses it.

/** What a setting holds; each kind has one validation in the handler and in the modules. */
export type SettingKind =
  | "url" // required http(s) URL without query, fragment or credentials
  | "choice" // one of `values`
  | "integer" // a whole number from `min` to `max`
  | "boolean"
  | "text" // any string, or null
  | "line" // a non-empty single-line string (matching `pattern` when given)
  | "list" // a list of strings, each one of `values` or matching `pattern`
  | "pem" // PEM certificate(s), or null
  | "region_urls"; // a map from AWS region names (matching `pattern`) to 1 to `max` node URLs each

/** The groups settings are listed under: a section of variables.tf, in order of first use. */
export type SettingSection = "Node" | "Behaviour" | "Blocking page" | "Request filters" | "Metrics";

export interface SettingSpec {
  kind: SettingKind;
  /**
   * What the setting does, in one sentence of about 80 characters: the module variable's
   * description, the README's and the cdktf prop's JSDoc. The default, limits and allowed values
   * are shown beside it from the fields below; the why and the details are in the module README
   * and docs/handlers.md.
   */
  description: string;
  section: SettingSection;
  /** Taken when config.json lacks the key; absent for required settings. */
  default?: string | number | boolean | null | readonly string[] | Readonly<Record<string, readonly string[]>>;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** An RE2-compatible regular expression (Terraform's regex) that JavaScript reads the same way. */
  pattern?: string;
  /**
   * What a `pattern` or a list allows, in plain words with an example, as the rest of "<key> must
   * be ...": error messages never show a regular expression. Required for those kinds (checked).
   */
  allowed?: string;
  /**
   * Milliseconds the function timeout must leave beyond this value (checked where the function
   * timeout is known: the module, the construct); the handler keeps the same room at run time.
   */
  functionTimeoutHeadroomMs?: number;
}

// Room for the liveness probe (300 ms) and the answer after it.
const NODE_TIMEOUT_HEADROOM_MS = 500;

export const SETTINGS = {
  wallarm_node_url: {
    kind: "url",
    section: "Node",
    description: "URL of the Wallarm node, such as https://wallarm-node.example.com; its path prefixes every URI.",
  },
  node_urls_by_region: {
    kind: "region_urls",
    // AWS region names: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-7, ...
    pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+$",
    max: 3,
    default: {},
    allowed: 'a map from AWS region names to lists of 1 to 3 node URLs, for example {"eu-west-1": ["https://wallarm-eu.example.com"]}',
    section: "Node",
    description: "Nodes tried in order before wallarm_node_url, by the AWS region a function instance runs in.",
  },
  wallarm_mode: {
    kind: "choice",
    values: ["inline", "async"],
    default: "inline",
    section: "Behaviour",
    description: '"inline" waits for the node\'s verdict and blocks what it blocks; "async" sends a copy only.',
  },
  // Below 50 ms every request would time out.
  node_timeout_ms: {
    kind: "integer",
    min: 50,
    max: 30_000,
    default: 1000,
    functionTimeoutHeadroomMs: NODE_TIMEOUT_HEADROOM_MS,
    section: "Node",
    description: `Milliseconds to wait for the node's verdict; at most the function timeout less ${NODE_TIMEOUT_HEADROOM_MS} ms.`,
  },
  fail_open: {
    kind: "boolean",
    default: true,
    section: "Behaviour",
    description: "When the node is unavailable: true passes the request, false answers 503.",
  },
  refused_request_action: {
    kind: "choice",
    values: ["block", "pass"],
    default: "block",
    section: "Behaviour",
    description: 'A request the live node refused or stalled on (400, 413, 414, 431, timeout): "block" or "pass".',
  },
  truncated_body_action: {
    kind: "choice",
    values: ["block", "inspect"],
    default: "block",
    section: "Behaviour",
    description: 'A body CloudFront cut short (40 KB viewer, 1 MB origin): "block", or "inspect" the part received.',
  },
  block_status_code: {
    kind: "integer",
    min: 400,
    max: 599,
    default: 403,
    section: "Blocking page",
    description: "HTTP status of the blocking response.",
  },
  block_page_body: {
    kind: "text",
    default: null,
    section: "Blocking page",
    description: "Body of the blocking response, within the trigger's response size limit; null: a built-in page.",
  },
  block_page_content_type: {
    kind: "line",
    default: "text/html; charset=utf-8",
    section: "Blocking page",
    description: "Content type of the blocking page.",
  },
  node_ca_pem: {
    kind: "pem",
    default: null,
    section: "Node",
    description: "PEM CA certificate(s), the only ones trusted for the node (pinning); null: the public roots.",
  },
  circuit_breaker_threshold: {
    kind: "integer",
    min: 1,
    max: 1000,
    default: 5,
    section: "Behaviour",
    description: "Consecutive node failures that open the circuit breaker; refused requests never count.",
  },
  circuit_breaker_cooldown_ms: {
    kind: "integer",
    min: 100,
    max: 300_000,
    default: 10_000,
    section: "Behaviour",
    description: "Milliseconds an open breaker applies the fail policy before it tries the node again.",
  },
  skip_extensions: {
    kind: "list",
    pattern: "^[A-Za-z0-9]{1,16}$",
    allowed: 'a list of file extensions without the dot, 1 to 16 letters or digits each, for example ["png", "css"]',
    default: [],
    section: "Request filters",
    description: 'File extensions ("png": no dot, any case) whose plain static requests skip the node.',
  },
  skip_path_prefixes: {
    kind: "list",
    pattern: "^/([A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*([A-Za-z0-9_~-][A-Za-z0-9._~-]*)?$",
    allowed:
      'a list of path prefixes that start with "/" and whose segments are letters, digits and . _ ~ - without a leading dot (no empty segments), for example ["/static/", "/health"]',
    default: [],
    section: "Request filters",
    description: 'Path prefixes ("/static/", case-sensitive) whose plain static requests skip the node.',
  },
  skip_methods: {
    kind: "list",
    values: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
    allowed: 'a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE, for example ["OPTIONS"]',
    default: [],
    section: "Request filters",
    description: 'HTTP methods ("OPTIONS") whose plain static requests skip the node.',
  },
  metrics_enabled: {
    kind: "boolean",
    default: true,
    section: "Metrics",
    description: "Log CloudWatch metrics (embedded metric format): counts and node latency per event type.",
  },
  metrics_interval_seconds: {
    kind: "integer",
    min: 1,
    max: 3600,
    default: 60,
    section: "Metrics",
    description: "Seconds between two metric lines of one function instance.",
  },
  metrics_namespace: {
    kind: "line",
    pattern: "^[0-9A-Za-z._/#:-][0-9A-Za-z._/#: -]{0,254}$",
    allowed: '1 to 255 letters, digits, spaces and . _ / # : - characters, not starting with a space, for example "WallarmConnector"',
    default: "WallarmConnector",
    section: "Metrics",
    description: 'CloudWatch namespace of the metrics, not starting with "AWS/".',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
