// `npm run edge`: the command-line flags reach the functions' config.json under the module's
// variable names, run against the stand-in bundles (fake-bundles/).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { CONFIG_DEFAULTS } from "../../handlers/config";
import { send } from "../../tools/edge/client";

const root = join(__dirname, "..", "..");
const bundleDir = join(__dirname, "fake-bundles");
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGTERM");
});

/** Starts the CLI and resolves with its URL once it says it listens. */
function startCli(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ["scripts/run-ts.mjs", "tools/edge/cli.ts", "--port", "0", "--bundle-dir", bundleDir, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /local edge on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (url) resolve(url[1]);
    });
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`edge exited with ${code}: ${err}${out}`)));
  });
}

async function shown(url: string): Promise<{ config: Record<string, unknown>; region?: string }> {
  const reply = await send(url, "/", { method: "GET", headers: { "X-Test": "show-event" } });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body.toString()) as { config: Record<string, unknown>; region?: string };
}
const shownConfig = async (url: string): Promise<Record<string, unknown>> => (await shown(url)).config;

test("--region sets the functions' AWS_REGION and --region-node lists that region's nodes, in order", async () => {
  const url = await startCli(
    ...["--node", "https://central.example.com", "--region", "eu-west-1"],
    ...["--region-node", "https://eu-1.example.com", "--region-node", "https://eu-2.example.com"],
  );
  const { config, region } = await shown(url);
  expect(region).toBe("eu-west-1");
  expect(config).toMatchObject({
    wallarm_node_url: "https://central.example.com",
    node_urls_by_region: { "eu-west-1": ["https://eu-1.example.com", "https://eu-2.example.com"] },
  });
}, 30_000);

test("without --region the functions run in us-east-1 with wallarm_node_url alone", async () => {
  const { config, region } = await shown(await startCli("--node", "http://127.0.0.1:9"));
  expect(region).toBe("us-east-1");
  expect(config).toMatchObject({ node_urls_by_region: {} });
}, 30_000);

test("--breaker-threshold and --breaker-cooldown-ms set the circuit breaker keys", async () => {
  const url = await startCli("--node", "http://127.0.0.1:9", "--breaker-threshold", "3", "--breaker-cooldown-ms", "2500");
  expect(await shownConfig(url)).toMatchObject({ circuit_breaker_threshold: 3, circuit_breaker_cooldown_ms: 2500 });
}, 30_000);

test("filter and metrics flags set their keys, lists split on commas", async () => {
  const url = await startCli(
    ...["--node", "http://127.0.0.1:9", "--skip-extensions", "png,css", "--skip-path-prefixes", "/static/,/health"],
    ...["--skip-methods", "OPTIONS", "--metrics-interval-s", "5", "--no-metrics"],
  );
  expect(await shownConfig(url)).toMatchObject({
    skip_extensions: ["png", "css"],
    skip_path_prefixes: ["/static/", "/health"],
    skip_methods: ["OPTIONS"],
    metrics_interval_seconds: 5,
    metrics_enabled: false,
  });
}, 30_000);

test("without the flags the handler's defaults are written", async () => {
  const url = await startCli("--node", "http://127.0.0.1:9");
  expect(await shownConfig(url)).toMatchObject({
    circuit_breaker_threshold: CONFIG_DEFAULTS.circuit_breaker_threshold,
    circuit_breaker_cooldown_ms: CONFIG_DEFAULTS.circuit_breaker_cooldown_ms,
  });
}, 30_000);

test("the flags are in the usage text and must be whole numbers", async () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["scripts/run-ts.mjs", "tools/edge/cli.ts", ...args],
        { cwd: root, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const help = await run("--help");
  expect(help.stdout).toMatch(/--breaker-threshold N +config circuit_breaker_threshold/);
  expect(help.stdout).toMatch(/--breaker-cooldown-ms N +config circuit_breaker_cooldown_ms/);
  const bad = await run("--node", "http://127.0.0.1:9", "--breaker-cooldown-ms", "1.5");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--breaker-cooldown-ms must be a whole number, got "1.5"');
}, 30_000);
