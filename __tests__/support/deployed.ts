// What an applied connector must look like in AWS (moto, read back over its API), whatever
// module or example deployed it: published functions within the trigger's Lambda@Edge limits,
// no environment, a role Lambda@Edge can assume, and zips holding exactly the bundle and
// config.json.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MIN_MEMORY_MB, RUNTIMES, TRIGGER_LIMITS } from "../../modules/library/trigger-limits";
import { TRUSTED_SERVICES } from "../../modules/library/iam-trust";
import type { ArchiveStandIn } from "./archive-stand-in";
import {
  differences,
  LIFECYCLE_SOURCE,
  type LambdaConfiguration,
  lambdaVersion,
  lambdaVersions,
  logGroupNames,
  roleInlinePolicies,
  roleTrustPolicy,
  type Workspace,
} from "./lifecycle";
import type { Moto } from "./moto";
import { readZip } from "./zip";

export type Trigger = "origin" | "viewer";
export type FunctionRole = "request" | "response";
export const FUNCTION_ROLES: FunctionRole[] = ["request", "response"];

/** The association map the modules output, keyed by event type. */
export type Associations = Record<string, { event_type: string; lambda_arn: string; include_body: boolean }>;

export interface Expected {
  trigger: Trigger;
  /** Function names are `<namePrefix>-request` and `<namePrefix>-response`. */
  namePrefix: string;
  roleName: string;
  runtime: string;
  memorySize: number;
  timeout: number;
  /** Values config.json must hold (a subset). */
  settings: Record<string, unknown>;
  /** The module's config_json output, when the configuration can read it: config.json must be exactly it. */
  configJson?: string;
  /** Folder of the request.js and response.js the zips must hold; default the generated module's dist. */
  bundleDir?: string;
}

/** What the check found, for the next step to compare with. */
export interface Deployed {
  versions: Record<FunctionRole, number>;
  configurations: Record<FunctionRole, LambdaConfiguration>;
}

const QUALIFIED_ARN = /^arn:aws:lambda:us-east-1:\d{12}:function:([A-Za-z0-9_-]+):(\d+)$/;

/** The keys of config.json, in the order lambda-edge/main.tf writes them (its handler_config local). */
export function configKeys(): string[] {
  const main = readFileSync(join(LIFECYCLE_SOURCE, "modules/lambda-edge/main.tf"), "utf8");
  const block = /handler_config = \{\n([\s\S]*?)\n {2}\}/.exec(main)?.[1] ?? "";
  return [...block.matchAll(/^ {4}(\w+) +=/gm)].map((m) => m[1]);
}

export const bundle = (role: FunctionRole, dir = join(LIFECYCLE_SOURCE, "modules/lambda-edge/dist")): Buffer =>
  readFileSync(join(dir, `${role}.js`));

/**
 * Checks the association output against moto and the zips the archive stand-in built, and
 * returns the published versions. Every expectation failing says which function it is about.
 */
export async function expectDeployed(
  moto: Moto,
  archive: ArchiveStandIn,
  associations: Associations,
  expected: Expected,
): Promise<Deployed> {
  const { trigger } = expected;
  // The pair of events the trigger runs on; the body goes to the request function only.
  expect(Object.keys(associations).sort()).toEqual([`${trigger}-request`, `${trigger}-response`]);
  const versions = {} as Record<FunctionRole, number>;
  const configurations = {} as Record<FunctionRole, LambdaConfiguration>;
  const roleArns = new Set<string>();
  for (const role of FUNCTION_ROLES) {
    const association = associations[`${trigger}-${role}`];
    expect({ role, event_type: association.event_type, include_body: association.include_body }).toEqual({
      role,
      event_type: `${trigger}-${role}`,
      include_body: role === "request",
    });

    // Published: the association names a numbered version, never $LATEST, and it is the newest.
    const [, name, version] = QUALIFIED_ARN.exec(association.lambda_arn) ?? [];
    expect({ role, name, version }).toEqual({ role, name: `${expected.namePrefix}-${role}`, version: expect.stringMatching(/^\d+$/) });
    const configuration = await lambdaVersion(moto, name, version);
    if (!configuration) throw new Error(`${association.lambda_arn} is not in Lambda`);
    const published = await lambdaVersions(moto, name);
    expect({ role, version: configuration.Version, newest: Math.max(...published.map(Number)) }).toEqual({
      role,
      version,
      newest: Number(version),
    });

    // Lambda@Edge: the trigger's limits, no environment variables, x86_64.
    const limits = TRIGGER_LIMITS[trigger];
    expect({ role, runtime: configuration.Runtime, memory: configuration.MemorySize, timeout: configuration.Timeout }).toEqual({
      role,
      runtime: expected.runtime,
      memory: expected.memorySize,
      timeout: expected.timeout,
    });
    expect(RUNTIMES).toContain(configuration.Runtime);
    expect(configuration.MemorySize).toBeGreaterThanOrEqual(MIN_MEMORY_MB);
    expect(configuration.MemorySize).toBeLessThanOrEqual(limits.maxMemoryMb);
    expect(configuration.Timeout).toBeGreaterThanOrEqual(1);
    expect(configuration.Timeout).toBeLessThanOrEqual(limits.maxTimeoutSeconds);
    expect({ role, environment: Object.keys(configuration.Environment?.Variables ?? {}) }).toEqual({ role, environment: [] });
    expect({ role, architectures: configuration.Architectures, handler: configuration.Handler }).toEqual({
      role,
      architectures: ["x86_64"],
      handler: "index.handler",
    });
    roleArns.add(configuration.Role);

    // The code Lambda holds is a zip the stand-in built: exactly the bundle and config.json.
    const build = archive.byHash(configuration.CodeSha256);
    if (!build) throw new Error(`${role}: Lambda's code (${configuration.CodeSha256}) is no zip the archive stand-in built`);
    const zip = readFileSync(build.absolutePath);
    expect(createHash("sha256").update(zip).digest("base64")).toBe(configuration.CodeSha256);
    const entries = readZip(zip);
    expect({ role, files: entries.map((e) => e.name) }).toEqual({ role, files: ["index.js", "config.json"] });
    expect(entries[0].data.equals(bundle(role, expected.bundleDir))).toBe(true);
    const configText = entries[1].data.toString("utf8");
    if (expected.configJson !== undefined) expect(configText).toBe(expected.configJson);
    const config = JSON.parse(configText) as Record<string, unknown>;
    expect(Object.keys(config).sort()).toEqual(configKeys().sort());
    expect(config).toMatchObject(expected.settings);

    versions[role] = Number(version);
    configurations[role] = configuration;
  }

  // One execution role, trusted by Lambda and Lambda@Edge, writing only the functions' logs.
  expect([...roleArns]).toEqual([expect.stringMatching(new RegExp(`^arn:aws:iam::\\d{12}:role/${expected.roleName}$`))]);
  const trust = await roleTrustPolicy(moto, expected.roleName);
  expect(trust?.Statement).toHaveLength(1);
  expect(trust?.Statement[0]).toMatchObject({ Effect: "Allow", Action: "sts:AssumeRole" });
  expect([trust?.Statement[0].Principal?.Service].flat().sort()).toEqual([...TRUSTED_SERVICES].sort());
  const inline = await roleInlinePolicies(moto, expected.roleName);
  expect(Object.keys(inline)).toEqual(["lambda-edge-logs"]);
  const resources = inline["lambda-edge-logs"].Statement.flatMap((s) => [s.Resource ?? []].flat());
  for (const role of FUNCTION_ROLES) {
    expect(resources).toContain(`arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.${expected.namePrefix}-${role}:*`);
  }

  // The us-east-1 log groups the module owns.
  expect(await logGroupNames(moto)).toEqual(
    expect.arrayContaining(FUNCTION_ROLES.map((role) => `/aws/lambda/us-east-1.${expected.namePrefix}-${role}`)),
  );
  return { versions, configurations };
}

/** Lines of an apply's output, to check the order Terraform did things in. */
export class ApplyLog {
  readonly lines: string[];

  constructor(text: string) {
    this.lines = text.split("\n");
  }

  /** Indexes of the lines matching `pattern`; fails the test when there is none. */
  private find(label: string, pattern: RegExp): number[] {
    const found = this.lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));
    if (!found.length) throw new Error(`the apply never did: ${label} (${pattern})\n${this.progress()}`);
    return found;
  }

  /** Fails unless every line matching `before` comes before every line matching `after`, saying what the apply did. */
  expectOrder([beforeLabel, before]: [string, RegExp], [afterLabel, after]: [string, RegExp]): void {
    const last = Math.max(...this.find(beforeLabel, before));
    const first = Math.min(...this.find(afterLabel, after));
    if (last >= first) throw new Error(`expected "${beforeLabel}" before "${afterLabel}", but the apply did:\n${this.progress()}`);
  }

  /** The progress lines: what was created, changed and destroyed, in order. */
  private progress(): string {
    return this.lines
      .filter((l) => /: (Creating|Modifying|Destroying)\.\.\.|: (Creation|Modifications|Destruction) complete/.test(l))
      .map((l) => `  ${l}`)
      .join("\n");
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An apply line about `address` (a deposed object of it too) followed by `rest`, such as ": Creating...". */
export const line = (address: string, rest: string): RegExp =>
  new RegExp(`^${escape(address)}(?: \\(deposed object \\w+\\))?${escape(rest)}`);

/** An apply line about a deposed object of `address` (the old one a create_before_destroy replaced) followed by `rest`. */
export const deposed = (address: string, rest: string): RegExp =>
  new RegExp(`^${escape(address)} \\(deposed object \\w+\\)${escape(rest)}`);

// ---- What moto's CloudFront does not keep -------------------------------------------------
// moto drops every LambdaFunctionAssociation of a cache behavior, invents ForwardedValues for a
// behavior that uses a cache policy, and defaults SSLSupportMethod to sni-only, so a distribution
// never re-plans empty against it. The associations are checked in the requests the provider
// sent (moto's recording proxy), and a re-plan may change exactly those three attributes of the
// distribution, the associations back to what was sent.

/** Attributes of a distribution that differ between what Terraform sent and what moto answers. */
export const MOTO_DISTRIBUTION_GAPS = [
  "default_cache_behavior[0].forwarded_values",
  "default_cache_behavior[0].lambda_function_association",
  "viewer_certificate[0].ssl_support_method",
];

/** Paths whose planned value is unknown (computed at apply: etag, status, ...). */
function unknownPaths(afterUnknown: unknown, path = ""): string[] {
  if (afterUnknown === true) return [path];
  if (Array.isArray(afterUnknown)) return afterUnknown.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
  if (typeof afterUnknown === "object" && afterUnknown !== null) {
    return Object.entries(afterUnknown).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** The associations as a sorted list of what the provider sends. */
export const asSent = (associations: Associations): Array<{ eventType: string; lambdaArn: string; includeBody: boolean }> =>
  Object.values(associations)
    .map((a) => ({ eventType: a.event_type, lambdaArn: a.lambda_arn, includeBody: a.include_body }))
    .sort((a, b) => a.eventType.localeCompare(b.eventType));

/** The DistributionConfig of the last create (or update of `id`) the provider sent. */
export function lastSentConfig(moto: Moto, id?: string): string {
  const sent = moto.sent.filter(
    (r) =>
      r.service === "cloudfront" &&
      ((r.method === "POST" && /^\/2020-05-31\/distribution(\?|$)/.test(r.path)) ||
        (r.method === "PUT" && r.path === `/2020-05-31/distribution/${id}/config`)),
  );
  if (!sent.length) throw new Error("the provider sent no CreateDistribution or UpdateDistribution");
  return sent[sent.length - 1].body;
}

/** A re-plan after apply: only the distribution at `address` changes, and only in what moto does not keep. */
export async function expectOnlyMotoGaps(ws: Workspace, extra: string[], address: string, associations: Associations): Promise<void> {
  const replan = await ws.plan(extra);
  expect(replan.changes.map((c) => [c.address, c.change.actions])).toEqual([[address, ["update"]]]);
  const { before, after, after_unknown } = replan.changes[0].change;
  const computed = new Set(unknownPaths(after_unknown));
  expect(differences(before, after).filter((path) => !computed.has(path))).toEqual(MOTO_DISTRIBUTION_GAPS);
  // What the re-plan puts back is exactly what was sent: the connector's associations.
  const planned = (after as { default_cache_behavior: Array<{ lambda_function_association: Array<Record<string, unknown>> }> })
    .default_cache_behavior[0].lambda_function_association;
  expect(
    planned
      .map((a) => ({ eventType: a.event_type as string, lambdaArn: a.lambda_arn as string, includeBody: a.include_body as boolean }))
      .sort((a, b) => a.eventType.localeCompare(b.eventType)),
  ).toEqual(asSent(associations));
}
