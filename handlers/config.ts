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
  region_urls: Readonly<Record<string, readonly string[]>>;
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
  const key = CONFIG_KEYS.find((k) => !fitsKind(SETTINGS[k], c[k]));
  return key && `${key} ${settingRequirement(key)}.`;
}

/** Whether a value fits its setting's kind. */
function fitsKind(spec: SettingSpec, v: unknown): boolean {
  switch (spec.kind) {
    case "url":
      return isNodeUrl(v);
    case "choice":
      return fits(spec, v as string);
    case "integer":
      return typeof v === "number" && Number.isInteger(v) && v >= (spec.min ?? v) && v <= (spec.max ?? v);
    case "boolean":
      return typeof v === "boolean";
    case "text":
      return v === null || typeof v === "string";
    case "line":
      return typeof v === "string" && v !== "" && !/[\r\n]/.test(v) && fits(spec, v);
    case "list":
      return Array.isArray(v) && v.every((item) => typeof item === "string" && fits(spec, item));
    case "pem":
      return v === null || isPemCertificates(v);
    case "region_urls":
      return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.entries(v).every(
          ([region, urls]) =>
            fits(spec, region) &&
            Array.isArray(urls) &&
            urls.length >= 1 &&
            urls.length <= (spec.max ?? urls.length) &&
            urls.every(isNodeUrl),
        )
      );
  }
}

/** An http(s) URL without query, fragment or credentials. */
function isNodeUrl(v: unknown): boolean {
  let url: URL | undefined;
  try {
    url = new URL(v as string);
  } catch {
    return false;
  }
  return /^https?:$/.test(url.protocol) && !(url.search || url.hash || url.username || url.password);
}

/** "a, b or c". */
const orList = (values: readonly string[]) => values.join(", ").replace(/, ([^,]*)$/, " or $1");

/** Quoted values, the last after "or": "a", "b" or "c". */
const oneOf = (values: readonly string[]) => orList(values.map((x) => `"${x}"`));

/**
 * What a setting allows, in plain words, as the rest of "<key> must ...": the one wording of the
 * handler's messages, the cdktf props' (the prop named instead) and the module variables'
 * validation of the same rules.
 */
export function settingRequirement(key: SettingName): string {
  const spec: SettingSpec = SETTINGS[key];
  if (spec.allowed) return `must be ${spec.allowed}`;
  switch (spec.kind) {
    case "url":
      return "must be an http:// or https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com";
    case "choice":
      return `must be ${oneOf(spec.values ?? [])}`;
    case "integer":
      return `must be a whole number from ${spec.min} to ${spec.max}`;
    case "boolean":
      return "must be true or false";
    case "text":
      return "must be a string or null";
    case "line":
      return `must be a non-empty single line, for example ${JSON.stringify(spec.default)}`;
    case "list":
      return `must be a list of ${oneOf(spec.values ?? [])}`;
    case "pem":
      return "must be null or PEM certificates, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----";
    case "region_urls":
      return "must be a map from AWS region names to lists of node URLs";
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
