// What the apply/update/destroy tests share: terraform run asynchronously (so the archive
// stand-in and the recording proxy in this process keep answering), a copy of generated/ that
// can be applied offline, a provider block aimed at moto, and what moto holds, read back.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import {
  type ArchiveStandIn,
  startArchiveStandIn,
  type TerraformJson,
  withArchiveStandIn,
  withArchiveStandInJson,
  withoutArchiveProvider,
} from "./archive-stand-in";
import { type Moto, motoBinary, startMoto, xmlAll, xmlText } from "./moto";
import { mirroredProviders, offlineEnv, terraformBinary } from "./terraform";

/**
 * The tree the lifecycle tests apply: generated/, or another rendering of it (such as one
 * written to a temporary folder from changed sources, before `npm run generate`).
 */
export const LIFECYCLE_SOURCE = process.env.WALLARM_LIFECYCLE_GENERATED_DIR ?? GENERATED_DIR;

/** Why the lifecycle tests cannot run here, or undefined when they can. */
export function lifecycleSkipReason(): string | undefined {
  const missing = [
    terraformBinary() === undefined && "terraform",
    motoBinary() === undefined && "moto_server",
    !mirroredProviders().includes("hashicorp/aws") && "a local hashicorp/aws provider mirror",
  ].filter(Boolean);
  return missing.length ? `${missing.join(", ")} missing` : undefined;
}

export interface TfRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr, without terraform's box drawing. */
  text: string;
  seconds: number;
}

/** Runs terraform without blocking this process (the stand-ins answer it from here). */
export function tf(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<TfRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      const text = `${stdout}\n${stderr}`
        .split("\n")
        .map((line) => line.replace(/^[│╷╵]\s?/, ""))
        .join("\n");
      resolve({ status: code ?? (signal ? -1 : 0), stdout, stderr, text, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * A copy of the generated tree that applies offline: lambda-edge's archive_file swapped for the
 * stand-in at `archiveUrl`, and hashicorp/archive dropped from every versions.tf.
 */
export function applicableCopy(archiveUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tf-lifecycle-modules-"));
  cpSync(LIFECYCLE_SOURCE, dir, { recursive: true, filter: (path) => !path.split("/").includes(".terraform") });
  const main = join(dir, "modules/lambda-edge/main.tf");
  writeFileSync(main, withArchiveStandIn(readFileSync(main, "utf8"), archiveUrl));
  for (const file of filesUnder(dir).filter((f) => f.endsWith("versions.tf"))) {
    writeFileSync(file, withoutArchiveProvider(readFileSync(file, "utf8")));
  }
  return dir;
}

/**
 * Environment for terraform: providers from the local mirror only, and every AWS service the
 * provider might call without an `endpoints` entry sent to `endpoint` too (never to AWS).
 */
export function lifecycleEnv(endpoint: string): NodeJS.ProcessEnv {
  return { ...offlineEnv(), AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: endpoint };
}

/** Services the modules call, all sent to moto (through its recording proxy). */
const SERVICES = ["cloudfront", "iam", "lambda", "logs", "sts"];

/** The settings that aim an aws provider block at moto, without the block around them. */
export function motoProviderSettings(endpoint: string): string {
  return `  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
${SERVICES.map((s) => `    ${s.padEnd(10)} = "${endpoint}"`).join("\n")}
  }
`;
}

/** A us-east-1 aws provider block aimed at moto. */
export function motoProvider(endpoint: string, alias?: string): string {
  return `provider "aws" {
${alias ? `  alias                       = "${alias}"\n` : ""}  region                      = "us-east-1"
${motoProviderSettings(endpoint)}}
`;
}

/** The aws provider versions the generated modules accept; the mirror serves one of them. */
const AWS_PROVIDER_VERSIONS = ">= 4.57.0";

/**
 * Makes a stack cdktf synthesized (`stackDir` holds its cdk.tf.json) apply offline against moto:
 * archive_file swapped for the stand-in at `archiveUrl`, the aws version constraint widened to
 * the mirror's (cdktf pins its prebuilt provider's exact version), state kept in the stack's
 * folder (cdktf's default is the app's working directory: the checkout here), and every aws
 * provider block, aliased or not, aimed at `endpoint` by an override file. Run after every synth.
 */
export function applicableSynth(stackDir: string, archiveUrl: string, endpoint: string): void {
  const file = join(stackDir, "cdk.tf.json");
  const config = withArchiveStandInJson(JSON.parse(readFileSync(file, "utf8")) as TerraformJson, archiveUrl);
  const aws = config.terraform?.required_providers?.aws;
  if (!aws) throw new Error(`${file} requires no aws provider`);
  aws.version = AWS_PROVIDER_VERSIONS;
  if (config.terraform?.backend) config.terraform.backend = { local: { path: "terraform.tfstate" } };
  writeFileSync(file, JSON.stringify(config, null, 2));
  const aliases = (config.provider?.aws ?? []).map((block) => block.alias as string | undefined);
  writeFileSync(
    join(stackDir, "moto_override.tf"),
    aliases.map((alias) => `provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ""}${motoProviderSettings(endpoint)}}\n`).join("\n"),
  );
}

/** A planned change, as `terraform show -json` gives it. */
export interface ResourceChange {
  address: string;
  change: { actions: string[]; before: unknown; after: unknown; after_unknown: unknown };
}

/**
 * A root module directory and the terraform commands a lifecycle runs in it. Every command
 * that fails throws with terraform's output; `log` keeps how long each took.
 */
export class Workspace {
  readonly log: Array<{ command: string; seconds: number }> = [];

  constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  async run(args: string[], okStatuses = [0]): Promise<TfRun> {
    const run = await tf([...args, "-no-color"], this.dir, this.env);
    this.log.push({ command: args[0], seconds: run.seconds });
    if (!okStatuses.includes(run.status)) throw new Error(`terraform ${args.join(" ")} exited with ${run.status}:\n${run.text}`);
    return run;
  }

  init(): Promise<TfRun> {
    return this.run(["init", "-input=false"]);
  }

  apply(extra: string[] = []): Promise<TfRun> {
    return this.run(["apply", "-auto-approve", "-input=false", "-parallelism=16", ...extra]);
  }

  destroy(extra: string[] = []): Promise<TfRun> {
    return this.run(["destroy", "-auto-approve", "-input=false", "-parallelism=16", ...extra]);
  }

  /**
   * `terraform plan -detailed-exitcode`: 0 when nothing would change; with changes (2), the
   * planned resource changes other than no-ops and reads.
   */
  async plan(extra: string[] = []): Promise<{ exitCode: number; changes: ResourceChange[] }> {
    const run = await this.run(["plan", "-detailed-exitcode", "-input=false", "-out=replan.tfplan", ...extra], [0, 2]);
    if (run.status === 0) return { exitCode: 0, changes: [] };
    const show = await this.run(["show", "-json", "replan.tfplan"]);
    const changes = (JSON.parse(show.stdout).resource_changes as ResourceChange[]).filter(
      (c) => !c.change.actions.every((a) => a === "no-op" || a === "read"),
    );
    return { exitCode: run.status, changes };
  }

  async outputs(): Promise<Record<string, unknown>> {
    const run = await this.run(["output", "-json"]);
    return Object.fromEntries(Object.entries(JSON.parse(run.stdout) as Record<string, { value: unknown }>).map(([k, o]) => [k, o.value]));
  }

  async stateList(): Promise<string[]> {
    const run = await this.run(["state", "list"]);
    return run.stdout.split("\n").filter(Boolean);
  }

  /** Total seconds of the commands so far. */
  get seconds(): number {
    return this.log.reduce((sum, entry) => sum + entry.seconds, 0);
  }
}

/** Paths (a.b[0].c) at which two JSON values differ. */
export function differences(before: unknown, after: unknown, path = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown) => typeof v === "object" && v !== null;
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => differences(item, after[i], `${path}[${i}]`));
  }
  if (isObject(before) && isObject(after) && !Array.isArray(before) && !Array.isArray(after)) {
    const b = before as Record<string, unknown>;
    const a = after as Record<string, unknown>;
    return [...new Set([...Object.keys(b), ...Object.keys(a)])].flatMap((key) =>
      differences(b[key], a[key], path ? `${path}.${key}` : key),
    );
  }
  return [path];
}

// ---- What moto holds ---------------------------------------------------------------------

export interface LambdaConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Version: string;
  Runtime: string;
  MemorySize: number;
  Timeout: number;
  Role: string;
  Handler: string;
  CodeSha256: string;
  Environment?: { Variables?: Record<string, string> };
  Architectures?: string[];
}

/** A function version's configuration, or undefined when there is no such function or version. */
export async function lambdaVersion(moto: Moto, name: string, qualifier: string): Promise<LambdaConfiguration | undefined> {
  const answer = await moto.lambda(`/${encodeURIComponent(name)}?Qualifier=${encodeURIComponent(qualifier)}`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GetFunction ${name}:${qualifier}: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { Configuration: LambdaConfiguration }).Configuration;
}

/** Published versions of a function ($LATEST left out). */
export async function lambdaVersions(moto: Moto, name: string): Promise<string[]> {
  const answer = await moto.lambda(`/${encodeURIComponent(name)}/versions`);
  if (answer.status !== 200) throw new Error(`ListVersionsByFunction ${name}: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { Versions: LambdaConfiguration[] }).Versions.map((v) => v.Version).filter((v) => v !== "$LATEST");
}

export async function lambdaFunctionNames(moto: Moto): Promise<string[]> {
  const answer = await moto.lambda("/");
  if (answer.status !== 200) throw new Error(`ListFunctions: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { Functions: LambdaConfiguration[] }).Functions.map((f) => f.FunctionName).sort();
}

export interface PolicyDocument {
  Statement: Array<{
    Effect: string;
    Action: string | string[];
    Principal?: { Service?: string | string[] };
    Resource?: string | string[];
  }>;
}

/** A role's trust policy, or undefined when IAM has no such role. */
export async function roleTrustPolicy(moto: Moto, roleName: string): Promise<PolicyDocument | undefined> {
  const answer = await moto.iam("GetRole", { RoleName: roleName });
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GetRole ${roleName}: ${answer.status} ${answer.body}`);
  return JSON.parse(decodeURIComponent(xmlText(answer.body, "AssumeRolePolicyDocument") ?? ""));
}

/** Every role in IAM. */
export async function roleNames(moto: Moto): Promise<string[]> {
  const answer = await moto.iam("ListRoles");
  return xmlAll(answer.body, "RoleName").sort();
}

/** A role's inline policies, by name. */
export async function roleInlinePolicies(moto: Moto, roleName: string): Promise<Record<string, PolicyDocument>> {
  const list = await moto.iam("ListRolePolicies", { RoleName: roleName });
  const names = xmlAll(xmlText(list.body, "PolicyNames") ?? "", "member");
  const entries = await Promise.all(
    names.map(async (name) => {
      const answer = await moto.iam("GetRolePolicy", { RoleName: roleName, PolicyName: name });
      return [name, JSON.parse(decodeURIComponent(xmlText(answer.body, "PolicyDocument") ?? ""))] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export async function logGroupNames(moto: Moto): Promise<string[]> {
  const answer = await moto.logs("DescribeLogGroups", {});
  return (JSON.parse(answer.body) as { logGroups: Array<{ logGroupName: string }> }).logGroups.map((g) => g.logGroupName).sort();
}

export async function distributionIds(moto: Moto): Promise<string[]> {
  const answer = await moto.cloudfront("/distribution");
  return xmlAll(answer.body, "DistributionSummary").map((summary) => xmlText(summary, "Id") ?? "");
}

/** Everything the connector could have left in moto: function names, roles, log groups, distributions. */
export async function leftInMoto(moto: Moto): Promise<Record<string, string[]>> {
  return {
    functions: await lambdaFunctionNames(moto),
    roles: await roleNames(moto),
    logGroups: await logGroupNames(moto),
    distributions: await distributionIds(moto),
  };
}

// ---- Cases side by side ------------------------------------------------------------------

/**
 * The steps of one lifecycle, run in order once `start()` is called, while the test file's `it`s
 * wait for them one by one: several scenarios (each with its own moto) then progress side by side
 * (most of an apply is the provider waiting), and every step still reports as its own test. A
 * step after a failed one does not run and says which step failed.
 */
export class Scenario {
  private readonly results = new Map<string, Promise<void>>();
  private chain: Promise<void>;
  private open!: () => void;
  private failed?: string;

  constructor(readonly name: string) {
    this.chain = new Promise((resolve) => (this.open = resolve));
  }

  /** Adds a step (at describe time); returns its name for the `it`. */
  step(name: string, run: () => Promise<void>): string {
    if (this.results.has(name)) throw new Error(`${this.name}: two steps named "${name}"`);
    const result = this.chain.then(async () => {
      if (this.failed) throw new Error(`not run: the earlier step "${this.failed}" failed`);
      try {
        await run();
      } catch (error) {
        this.failed = name;
        throw error;
      }
    });
    result.catch(() => undefined); // reported by the step's test
    this.chain = result.catch(() => undefined);
    this.results.set(name, result);
    return name;
  }

  /** Lets the steps run. */
  start(): void {
    this.open();
  }

  /** Resolves when the step passed; rejects with its failure. */
  result(name: string): Promise<void> {
    const result = this.results.get(name);
    if (!result) throw new Error(`${this.name}: no step "${name}"`);
    return result;
  }

  /** Resolves when every step has run, whatever the outcome. */
  done(): Promise<void> {
    return this.chain;
  }
}

/** What one test waits for: its step (an apply that waits for CloudFront takes about a minute). */
export const STEP_MS = 300_000;

/** What `leftInMoto` finds once a case is destroyed. */
export const NOTHING_LEFT = { functions: [], roles: [], logGroups: [], distributions: [] };

/** -var arguments. */
export const vars = (values: Record<string, string | number>): string[] => Object.entries(values).map(([k, v]) => `-var=${k}=${v}`);

export interface LifecycleSuite {
  /** The archive stand-in and the applicable copy of the generated tree (set before any step runs). */
  readonly archive: ArchiveStandIn;
  readonly modules: string;
  /** A case: its steps run in order, side by side with the other cases', and each is a test. */
  scenario(name: string): { step(title: string, run: () => Promise<void>): void };
  /** A moto of the case's own, empty, stopped after the file. */
  moto(): Promise<Moto>;
  /** A case's workspace, whose terraform times are logged after the file. */
  track(name: string, ws: Workspace): Workspace;
}

/**
 * Call inside a describe: starts the archive stand-in and copies the generated tree before the
 * scenarios' steps may run, and afterwards waits for them, stops every moto and logs timings.
 */
export function lifecycleSuite(title: string): LifecycleSuite {
  let archive: ArchiveStandIn | undefined;
  let modules: string | undefined;
  const scenarios: Scenario[] = [];
  const motos: Moto[] = [];
  const workspaces: Array<[string, Workspace]> = [];

  beforeAll(async () => {
    archive = await startArchiveStandIn();
    modules = applicableCopy(archive.url);
    for (const scenario of scenarios) scenario.start();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(scenarios.map((scenario) => scenario.done()));
    await Promise.all(motos.map((moto) => moto.stop()));
    await archive?.close();
    const timings = workspaces.map(
      ([name, ws]) =>
        `  ${name}: ${ws.seconds.toFixed(0)} s of terraform (${ws.log.map((e) => `${e.command} ${e.seconds.toFixed(0)}`).join(", ")})`,
    );
    console.log(`${title}, cases side by side:\n${timings.join("\n")}`);
  }, STEP_MS);

  return {
    get archive() {
      if (!archive) throw new Error("the archive stand-in is not started yet");
      return archive;
    },
    get modules() {
      if (!modules) throw new Error("the generated tree is not copied yet");
      return modules;
    },
    scenario(name) {
      const scenario = new Scenario(name);
      scenarios.push(scenario);
      return { step: (title, run) => it(scenario.step(title, run), () => scenario.result(title), STEP_MS) };
    },
    async moto() {
      const moto = await startMoto(); // started and reset: empty
      motos.push(moto);
      return moto;
    },
    track(name, ws) {
      workspaces.push([name, ws]);
      return ws;
    },
  };
}
