// The rules of the functions' own settings (name, runtime, size, timeouts, logs) and of the node
// URL's scheme, once: the lambda-edge module writes them as Terraform validations, the constructs
// check them at synth, and both say the same words. The handler settings have theirs in the
// settings table (handlers/settings.ts) and handlers/config.ts.
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

/**
 * What each rule says when broken. Messages that depend on other settings take them as text, so
 * the module passes Terraform interpolations (`${var.timeout}`) and the construct plain values.
 */
export const RULE_MESSAGES = {
  /** `allowHttp` says how to allow http: `allow_http_node_url = true` for the module. */
  wallarm_node_url: (allowHttp: string) =>
    `wallarm_node_url must be an https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com; http:// is accepted only with ${allowHttp}, which is meant for testing (traffic to the node is then unencrypted).`,
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

/** The node URL rule at synth, in the props' words (`wallarmNodeUrl`, `allowHttpNodeUrl`); undefined when it holds. */
export function nodeUrlPropProblem(url: string, allowHttpNodeUrl: boolean): string | undefined {
  const fits = (scheme: NodeUrlScheme) => typeof url === "string" && new RegExp(nodeUrlPattern(scheme)).test(url);
  return fits("https") || (allowHttpNodeUrl && fits("http"))
    ? undefined
    : inPropTerms(RULE_MESSAGES.wallarm_node_url("allowHttpNodeUrl: true"));
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
