import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

// The handler configuration: `config.json` beside the bundle in the Lambda zip, with the keys,
// kinds, defaults and limits of the settings table (settings.ts). Keys are the lambda-edge
// module's variable names, so a reader goes from a Terraform variable to its setting directly.
import { SETTINGS, type SettingName, type SettingSpec } from "./settings";

type Spec<K extends SettingName> = (typeof SETTINGS)[K];
type KindValue = {
  url: string;
  choice: string;
  integer: number;
  boolean: boolean;
  text: string | null;
  line: string;
  list: readonly string[];
  pem: string | null;
};
type ValueOf<K extends SettingName> = Spec<K> extends { kind: "choice"; values: readonly (infer V)[] } ? V : KindValue[Spec<K>["kind"]];

/** The validated config.json. */
export type HandlerConfig = { [K in SettingName]: ValueOf<K> };
export type WallarmMode = HandlerConfig["wallarm_mode"];

/** Every key of config.json, in the order the lambda-edge module writes them. */
export const CONFIG_KEYS = Object.keys(SETTINGS) as ReadonlyArray<SettingName>;

/** Values taken when a key is absent from config.json. */
export const CONFIG_DEFAULTS = Object.fromEntries(
  CONFIG_KEYS.filter((k) => "default" in SETTINGS[k]).map((k) => [k, (SETTINGS[k] as { default: unknown }).default]),
) as Omit<HandlerConfig, "wallarm_node_url">;

type IntegerName = { [K in SettingName]: Spec<K>["kind"] extends "integer" ? K : never }[SettingName];
/** The integer settings' limits, shared by the handler's validation and the module variables. */
export const CONFIG_LIMITS = Object.fromEntries(
  CONFIG_KEYS.filter((k) => SETTINGS[k].kind === "integer").map((k) => [
    k,
    { min: (SETTINGS[k] as { min: number }).min, max: (SETTINGS[k] as { max: number }).max },
  ]),
) as { readonly [K in IntegerName]: { readonly min: number; readonly max: number } };

/** Outcome of reading config.json: a usable config, or why not and which way to fail. */
export type ConfigResult = { ok: true; config: HandlerConfig; unknownKeys: string[] } | { ok: false; reason: string; failOpen: boolean };

/**
 * Validates config.json text. Never throws: a bad file must not become a Lambda error. Absent
 * or null keys take CONFIG_DEFAULTS; when the file is invalid, fail_open is still honoured if it
 * is a readable boolean, otherwise the function fails open.
 */
export function parseConfig(text: string): ConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `config.json is not valid JSON: ${(err as Error).message}`, failOpen: true };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: "config.json must hold a JSON object", failOpen: true };
  }
  const obj = raw as Record<string, unknown>;
  const failOpen = typeof obj.fail_open === "boolean" ? obj.fail_open : true;
  const config = {} as Record<SettingName, unknown>;
  for (const key of CONFIG_KEYS) config[key] = obj[key] ?? (SETTINGS[key] as { default?: unknown }).default;
  const problem = firstProblem(config);
  if (problem) return { ok: false, reason: problem, failOpen };
  const known: ReadonlyArray<string> = CONFIG_KEYS;
  return {
    ok: true,
    config: config as unknown as HandlerConfig,
    unknownKeys: Object.keys(obj).filter((k) => !known.includes(k)),
  };
}

function firstProblem(c: Record<SettingName, unknown>): string | undefined {
  for (const key of CONFIG_KEYS) {
    const problem = kindProblem(SETTINGS[key], c[key]);
    if (problem) return `${key} ${problem}`;
  }
  return undefined;
}

/** Why a value does not fit its setting's kind, or undefined. */
function kindProblem(spec: SettingSpec, v: unknown): string | undefined {
  switch (spec.kind) {
    case "url": {
      let url: URL | undefined;
      try {
        url = new URL(v as string);
      } catch {
        // not a URL: reported below
      }
      return url && /^https?:$/.test(url.protocol) && !(url.search || url.hash || url.username || url.password)
        ? undefined
        : "must be an http:// or https:// URL without query, fragment or credentials";
    }
    case "choice":
      return fits(spec, v as string) ? undefined : `must be one of: ${spec.values?.join(", ")}`;
    case "integer":
      return typeof v === "number" && Number.isInteger(v) && v >= (spec.min ?? v) && v <= (spec.max ?? v)
        ? undefined
        : `must be a whole number from ${spec.min} to ${spec.max}`;
    case "boolean":
      return typeof v === "boolean" ? undefined : "must be a boolean";
    case "text":
      return v === null || typeof v === "string" ? undefined : "must be a string or null";
    case "line":
      if (typeof v !== "string" || v === "" || /[\r\n]/.test(v)) return "must be a non-empty single-line string";
      return fits(spec, v) ? undefined : `must match ${spec.pattern}`;
    case "list":
      return Array.isArray(v) && v.every((item) => typeof item === "string" && fits(spec, item))
        ? undefined
        : `must be a list of ${spec.values ? spec.values.join(", ") : `strings matching ${spec.pattern}`}`;
    case "pem":
      return v === null || isPemCertificates(v) ? undefined : "must be PEM certificates (-----BEGIN CERTIFICATE-----) or null";
  }
}

function fits(spec: SettingSpec, s: string): boolean {
  return spec.values ? spec.values.includes(s) : !spec.pattern || new RegExp(spec.pattern).test(s);
}

// Checked here so a broken CA fails once at cold start with a clear line, not as a TLS error
// on every request.
function isPemCertificates(pem: unknown): boolean {
  if (typeof pem !== "string") return false;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return false;
  try {
    blocks.forEach((b) => new X509Certificate(b));
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates config.json; a missing or unreadable file is a config error too. */
export function readConfig(file: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, failOpen: true };
  }
  return parseConfig(text);
}
