// The rules of the functions' own settings (name, runtime, size, timeouts, logs) and of the node
// URLs' scheme (wallarm_node_url, node_urls_by_region), once: the lambda-edge module writes them as
// Terraform validations, the constructs check them at synth, and both say the same words. The
// handler settings have theirs in the settings table (handlers/settings.ts) and handlers/config.ts.
import { SETTINGS } from "../../handlers/settings";
import { camelCase } from "./handler-settings";
import { LIMIT_FACTS, MIN_MEMORY_MB, NODE_TIMEOUT_HEADROOM_MS, RUNTIMES, TRIGGER_LIMITS } from "./trigger-limits";

export type Trigger = keyof typeof TRIGGER_LIMITS;
export const TRIGGERS = Object.keys(TRIGGER_LIMITS) as Trigger[];
const { viewer, origin } = TRIGGER_LIMITS;

/** Lambda function names are at most 64 characters: the prefix leaves room for "-response". */
export const NAME_PREFIX_PATTERN = "^[A-Za-z0-9_-]{1,55}$";

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Smallest node_timeout_ms: below it every request would time out (the settings table's bound). */
export const MIN_NODE_TIMEOUT_MS = SETTINGS.node_timeout_ms.min;

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(" or ");

/** The node URL's schemes: https always, http only when the user allows it (tests). */
export type NodeUrlScheme = "https" | "http";
/** RE2's [:space:] spelled out: JavaScript has no POSIX classes, and both engines must read the pattern alike. */
const WHITESPACE = "\\t\\n\\v\\f\\r ";
/**
 * A node URL of `scheme`: a host (and port) without credentials, then an optional path; no query
 * or fragment. The handler's own check (handlers/config.ts) admits both schemes: whether http is
 * allowed is the deployment's choice, which config.json does not carry.
 */
export const nodeUrlPattern = (scheme: NodeUrlScheme): string => `^${scheme}://[^/?#@${WHITESPACE}]+(/[^?#${WHITESPACE}]*)?$`;

/** Whether `url` is a node URL the deployment accepts: https, or http when allowed. */
export function fitsNodeUrl(url: unknown, allowHttp: boolean): boolean {
  const fits = (scheme: NodeUrlScheme) => typeof url === "string" && new RegExp(nodeUrlPattern(scheme)).test(url);
  return fits("https") || (allowHttp && fits("http"));
}

/** What a node URL may not hold, whatever its scheme. */
const NODE_URL_LIMITS = "without query, fragment or credentials";
/** `allowHttp` says how to allow http: `allow_http_node_url = true` for the module. */
const httpOnlyWith = (allowHttp: string) =>
  `http:// is accepted only with ${allowHttp}, which is meant for testing (traffic to the node is then unencrypted).`;

const { pattern: REGION_NAME_PATTERN, max: MAX_URLS_PER_REGION } = SETTINGS.node_urls_by_region;

/**
 * What each rule says when broken. Messages that depend on other settings take them as text, so
 * the module passes Terraform interpolations (`${var.timeout}`) and the construct plain values.
 */
export const RULE_MESSAGES = {
  /** `allowHttp` says how to allow http: `allow_http_node_url = true` for the module. */
  wallarm_node_url: (allowHttp: string) =>
    `wallarm_node_url must be an https:// URL ${NODE_URL_LIMITS}, for example https://wallarm-node.example.com; ${httpOnlyWith(allowHttp)}`,
  /** `regions`: the regions (quoted, comma-separated) whose entry breaks the rule. */
  node_urls_by_region: {
    regions: (regions: string) =>
      `node_urls_by_region must be keyed by AWS region names in lowercase, such as "us-east-1" or "ap-northeast-1": not so for ${regions}.`,
    counts: (regions: string) =>
      `node_urls_by_region must list 1 to ${MAX_URLS_PER_REGION} node URLs for each region, in the order to try them, for example { "eu-west-1" = ["https://wallarm-eu-1.example.com", "https://wallarm-eu-2.example.com"] }: not so for ${regions}.`,
    urls: (allowHttp: string, regions: string) =>
      `node_urls_by_region must list https:// URLs ${NODE_URL_LIMITS}, for example { "eu-west-1" = ["https://wallarm-eu.example.com"] }: not so for ${regions}. ${httpOnlyWith(allowHttp)}`,
  },
  trigger: `trigger must be ${quoted(TRIGGERS)}.`,
  name_prefix:
    'name_prefix must be 1 to 55 letters, digits, hyphens or underscores, for example "wallarm-connector" (Lambda function names are at most 64 characters).',
  runtime: `runtime must be ${quoted(RUNTIMES)}.`,
  memory_size: `memory_size must be ${viewer.maxMemoryMb} for the viewer trigger and a whole number from ${MIN_MEMORY_MB} to ${origin.maxMemoryMb} for origin (Lambda@Edge limits).`,
  timeout: `timeout must be a whole number of seconds from 1 to ${viewer.maxTimeoutSeconds} for the viewer trigger and 1 to ${origin.maxTimeoutSeconds} for origin (Lambda@Edge limits).`,
  log_retention_in_days: `log_retention_in_days must be one of ${LOG_RETENTION_DAYS.join(", ")} (0 keeps logs forever).`,
  node_timeout_ms: (timeout: string, max: string) =>
    `node_timeout_ms must be a whole number from ${MIN_NODE_TIMEOUT_MS} to the function timeout less ${NODE_TIMEOUT_HEADROOM_MS} ms, so the function can still answer after giving up on the node: with timeout = ${timeout} s that is at most ${max}.`,
  block_page_body: (trigger: string, maxBytes: string) =>
    `block_page_body is too large: the ${trigger} trigger allows at most ${maxBytes} bytes (Lambda@Edge generated responses are limited to ${LIMIT_FACTS["viewer.body"]} for viewer and ${LIMIT_FACTS["origin.body"]} for origin triggers).`,
} as const;

/** A rule's message as a construct's user reads it: the prop (`memorySize`) named for the variable (`memory_size`). */
export function inPropTerms(message: string): string {
  const variable = message.split(" ")[0];
  return `${camelCase(variable)}${message.slice(variable.length)}`;
}

const ALLOW_HTTP_PROP = "allowHttpNodeUrl: true";

/** The node URL rule at synth, in the props' words (`wallarmNodeUrl`, `allowHttpNodeUrl`); undefined when it holds. */
export function nodeUrlPropProblem(url: string, allowHttpNodeUrl: boolean): string | undefined {
  return fitsNodeUrl(url, allowHttpNodeUrl) ? undefined : inPropTerms(RULE_MESSAGES.wallarm_node_url(ALLOW_HTTP_PROP));
}

/**
 * The rules of node_urls_by_region at synth, in the props' words (`nodeUrlsByRegion`), in the
 * module's order: region names, then how many URLs, then each URL as `wallarmNodeUrl`'s; undefined
 * when they hold. A value that is no map at all is left to the handler's check, which says so.
 */
export function nodeUrlsByRegionPropProblem(byRegion: unknown, allowHttpNodeUrl: boolean): string | undefined {
  if (typeof byRegion !== "object" || byRegion === null || Array.isArray(byRegion)) return undefined;
  const messages = RULE_MESSAGES.node_urls_by_region;
  const rules: ReadonlyArray<[fits: (region: string, urls: unknown) => boolean, message: (regions: string) => string]> = [
    [(region) => new RegExp(REGION_NAME_PATTERN).test(region), messages.regions],
    [(_, urls) => Array.isArray(urls) && urls.length >= 1 && urls.length <= MAX_URLS_PER_REGION, messages.counts],
    // A list that is no list is the count rule's to report, as in the module.
    [
      (_, urls) => !Array.isArray(urls) || urls.every((url) => fitsNodeUrl(url, allowHttpNodeUrl)),
      (regions) => messages.urls(ALLOW_HTTP_PROP, regions),
    ],
  ];
  // Sorted, as Terraform lists a map: the module's message names them in the same order.
  const entries = Object.entries(byRegion as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [fits, message] of rules) {
    const regions = entries.filter(([region, urls]) => !fits(region, urls)).map(([region]) => JSON.stringify(region));
    if (regions.length > 0) return inPropTerms(message(regions.join(", ")));
  }
  return undefined;
}

/** Both node URL settings at synth (see above); undefined when they hold. */
export function nodeUrlsPropProblem(props: {
  readonly wallarmNodeUrl: string;
  readonly nodeUrlsByRegion?: unknown;
  readonly allowHttpNodeUrl?: boolean;
}): string | undefined {
  const allowHttp = props.allowHttpNodeUrl ?? false;
  return nodeUrlPropProblem(props.wallarmNodeUrl, allowHttp) ?? nodeUrlsByRegionPropProblem(props.nodeUrlsByRegion, allowHttp);
}

/** The function settings a construct takes, in the modules' terms. */
export interface FunctionSettings {
  trigger: string;
  name_prefix: string;
  runtime: string;
  memory_size: number;
  timeout: number;
  log_retention_in_days: number;
  node_timeout_ms: number;
  block_page_body: string | null;
}

const whole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** The first broken rule's message, or undefined: what `terraform plan` would say of the same values. */
export function functionSettingsProblem(s: FunctionSettings): string | undefined {
  if (!(TRIGGERS as string[]).includes(s.trigger)) return RULE_MESSAGES.trigger;
  const limits = TRIGGER_LIMITS[s.trigger as Trigger];
  if (!new RegExp(NAME_PREFIX_PATTERN).test(s.name_prefix)) return RULE_MESSAGES.name_prefix;
  if (!(RUNTIMES as readonly string[]).includes(s.runtime)) return RULE_MESSAGES.runtime;
  if (!whole(s.memory_size, MIN_MEMORY_MB, limits.maxMemoryMb)) return RULE_MESSAGES.memory_size;
  if (!whole(s.timeout, 1, limits.maxTimeoutSeconds)) return RULE_MESSAGES.timeout;
  if (!LOG_RETENTION_DAYS.includes(s.log_retention_in_days)) return RULE_MESSAGES.log_retention_in_days;
  const maxNodeTimeout = s.timeout * 1000 - NODE_TIMEOUT_HEADROOM_MS;
  if (!whole(s.node_timeout_ms, MIN_NODE_TIMEOUT_MS, maxNodeTimeout))
    return RULE_MESSAGES.node_timeout_ms(String(s.timeout), String(maxNodeTimeout));
  if (s.block_page_body !== null && Buffer.byteLength(s.block_page_body) > limits.maxBlockPageBytes) {
    return RULE_MESSAGES.block_page_body(s.trigger, String(limits.maxBlockPageBytes));
  }
  return undefined;
}
