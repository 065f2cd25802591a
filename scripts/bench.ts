// `npm run bench`: what the Lambda@Edge request function costs on the hot path, measured against
// what a plain client pays for the same exchange, and PRINTED next to each goal. It asserts
// nothing and `npm test` never runs it: it must tell the truth, not pass.
//
// Setup, the same for every figure:
// - TLS with a private CA made at run time (tools/pki.ts); the handler trusts it by node_ca_pem.
// - The node is tools/h2-node.ts (HTTP/2 + HTTP/1.1 by ALPN, or HTTP/1.1 only for the fallback).
// - A TCP relay (tools/bench/relay.ts) between client and node adds a round-trip time (default
//   2.7 ms, `npm run bench -- --rtt-ms 5`; `-- --only inline,cold` runs those phases alone): on loopback every client looks free, with a network
//   in between the round trips a client saves or wastes show.
// - The bundles run as Lambda runs them: index.js next to config.json in a fresh folder, loaded
//   with require. Cold starts and freezes run in fresh child processes (tools/bench/*-child.ts).
// - CPU per request (`-- --only cpu`): the client in a process of its own (tools/bench/cpu-child.ts),
//   the node and relay here, so process.cpuUsage() there counts the client's work alone. After a
//   warm-up at 0 ms RTT long enough for V8 to stop compiling, the in-line function, the async
//   function, node:https and a raw TLS socket (the floor) are measured call by call, interleaved,
//   each call followed by the same idle gap a fifth, empty side measures. `--cpu-baseline <file>`
//   measures another request.js beside them (an earlier build: before/after in one run);
//   `--cpu-profile [dir]` adds V8 CPU profiles of each side, kept as .cpuprofile files.
//
// Figures: inline overhead vs a direct keep-alive client (interleaved, request by request),
// CPU per request against node:https and the raw TLS floor, in-line latency with idle gaps,
// requests per second through the local edge with and without a static-asset filter,
// cold start vs a plain first HTTPS request, async against a 1 s node, outage cost before and
// after the circuit breaker trips, copies lost in keep-alive races, copies delivered while the
// instance is frozen, regional nodes (a near node at 3 ms and a far one at 80 ms: cost while both
// are healthy, nothing uninspected while the near one hangs or refuses, the return), bundle
// sizes, memory. Then one JSON object with all of it.
//
// Never hangs: every call, child process and phase has a time limit, and a watchdog prints what
// was measured and exits if the whole run overstays.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { build } from "esbuild";
import { ChildProcess, fork, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { PROBE_TIMEOUT_MS } from "../handlers/inspect";
import { LIVENESS_PATH } from "../handlers/protocol";
import { BUNDLE_BUDGET_BYTES, bundleHandlers } from "../modules/generator/bundle-handlers";
import { send } from "../tools/edge/client";
import { startEchoOrigin } from "../tools/edge/echo-origin";
import { startEdge } from "../tools/edge/server";
import { PROJECT_ROOT } from "../modules/generator/project-root";
import type { ColdResult } from "../tools/bench/cold-child";
import type {
  CpuPlan,
  CpuResult,
  CpuSampleSide,
  CpuSideName,
  FromCpuChild,
  SideProfile,
  Template,
  ToCpuChild,
} from "../tools/bench/cpu-child";
import { benchRequestEvent, outcomeOf } from "../tools/bench/events";
import type { FromChild, ToChild } from "../tools/bench/freeze-child";
import type { ProfileRow } from "../tools/bench/profile";
import { DEFAULT_RTT_MS, Relay, startRelay } from "../tools/bench/relay";
import { cpuSummary, median, percentile, ratio, roundRatios, segmentRatios, type Stats, statsOf } from "../tools/bench/stats";
import { H2Behaviour, H2Node, H2Request, startH2Node } from "../tools/h2-node";
import { lambdaFolder as writeLambdaFolder, requireHandler } from "../tools/lambda-folder";
import { makePki, Pki } from "../tools/pki";

// ---------------------------------------------------------------------------------------------
// Parameters. Counts are fixed so runs compare; time limits keep a broken handler from hanging.

const RTT_MS = rttFromArgs();
const INLINE_WARMUP = 100;
const INLINE_PAIRS = 2500; // handler + direct each: ~17 s per protocol at 2.7 ms RTT
const INLINE_PHASE_MS = 30_000;
const MEMORY_CALLS = 1000;
const COLD_RUNS = 15; // per side and protocol; the median of fresh processes
const CHILD_LIMIT_MS = 10_000;
const ASYNC_CALLS = 300;
const SLOW_NODE_MS = 1000;
const OUTAGE_CALLS = 20;
const OUTAGE_TIMEOUT_MS = 200;
const RACE_IDLE_MS = 150; // the relay's idle close (a load balancer that announces nothing)
const RACE_ROUNDS = 2;
const NODE_IDLE_MS = 200; // h2-node's idleTimeoutMs; Node's server closes 1 s later than set
const FREEZE_ROUNDS = 8;
const FREEZE_MS = 300;
const FREEZE_TIMEOUT_MS = 200; // node_timeout_ms: every timer armed before a freeze has expired on thaw
const CALL_LIMIT_MS = 3000; // a handler call that takes longer is recorded as "no return"
// CPU per request, in a client process of its own (tools/bench/cpu-child.ts): CPU_REQUESTS calls
// per side in rounds of one CPU_BLOCK-call block per side, then CPU_PAIRS latency pairs.
/** Calls per side before measuring, at 0 ms RTT: V8 compiles for the first few thousand (`--cpu-warmup N`). */
const CPU_WARMUP = intArg("--cpu-warmup", 4000);
const CPU_REQUESTS = 1000;
const CPU_BLOCK = 25;
/**
 * Idle after each measured call, inside its measurement: an async copy's answer is back by then
 * (the relay does not poll while CPU is measured, so each way may take up to 1 ms more).
 */
const CPU_SETTLE_MS = 2 * Math.ceil(RTT_MS) + 2;
const CPU_PAIRS = 300;
const CPU_GAP_MS = { min: 20, max: 50 };
const CPU_PROFILE_REQUESTS = 2000;
const CPU_PROFILE_INTERVAL_US = 100;
/** `--cpu-baseline <request.js>`: the cpu phase also measures that in-line bundle (an earlier build). */
const CPU_BASELINE = argValue("--cpu-baseline");
/** `--cpu-profile [dir]`: the cpu phase also profiles each side; the .cpuprofile files are kept. */
const CPU_PROFILE_DIR = cpuProfileDirFromArgs();
const WATCHDOG_MS = 360_000 + (CPU_PROFILE_DIR ? 120_000 : 0);

const GOALS = {
  inlineP50: 1.02,
  inlineP99: 1.1,
  cpuInline: 1.0,
  cpuAsync: 0.7,
  idleP50: 1.02,
  idleP99: 1.1,
  coldRatio: 1.2,
  asyncP99Ratio: 1.5,
  asyncConnections: 4,
  outageAfterMs: 1,
  regionsP50: 1.05,
  regionsUninspected: 0,
  regionsReturnMarginMs: 1000,
  outageMarginMs: 50,
  copiesAccounted: 1,
  freezeDelivered: 1,
  bundleBytes: { request: BUNDLE_BUDGET_BYTES, response: BUNDLE_BUDGET_BYTES },
} as const;

type RequestHandler = (event: CloudFrontRequestEvent, context: Context) => Promise<CloudFrontRequestResult>;
type Proto = "h2" | "h1";
const PROTO_LABEL: Record<Proto, string> = { h2: "node h2+h1.1", h1: "node h1.1 only" };
const CONTEXT = { functionName: "us-east-1.wallarm-connector-bench", awsRequestId: "bench" } as Context;

/** The value of `--name value` or `--name=value`, if given. */
function argValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
}

function intArg(name: string, fallback: number): number {
  const raw = argValue(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return value;
}

function cpuProfileDirFromArgs(): string | undefined {
  if (!process.argv.slice(2).some((a) => a === "--cpu-profile" || a.startsWith("--cpu-profile="))) return undefined;
  const given = argValue("--cpu-profile");
  const dir = given && !given.startsWith("--") ? resolve(given) : mkdtempSync(join(tmpdir(), "bench-cpu-profile-"));
  mkdirSync(dir, { recursive: true });
  return dir;
}

function rttFromArgs(): number {
  const raw = argValue("--rtt-ms");
  if (raw === undefined) return DEFAULT_RTT_MS;
  const value = Number(raw);
  if (!(value >= 0 && value <= 200)) throw new Error(`--rtt-ms must be a number of ms (0-200), got ${raw}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Figures: each measured value with its goal; printed as a table and kept for the JSON.

interface Goal {
  op: "<=" | "<" | ">=";
  target: number;
}

interface Figure {
  key: string;
  label: string;
  /** null when it could not be measured (the note says why). */
  value: number | null;
  unit: "x" | "ms" | "us" | "B" | "%" | "count" | "req/s";
  goal?: Goal;
  note: string;
}

const figures: Figure[] = [];
/** Everything behind the figures: raw statistics per measurement, for the JSON. */
const details: Record<string, unknown> = {};
const errors: string[] = [];

function figure(key: string, label: string, value: number | null, unit: Figure["unit"], goal: Goal | undefined, note = ""): void {
  figures.push({ key, label, value: value === null || Number.isNaN(value) ? null : value, unit, goal, note });
}

function meets(f: Figure): boolean | null {
  if (!f.goal || f.value === null) return null;
  const { op, target } = f.goal;
  return op === "<=" ? f.value <= target : op === "<" ? f.value < target : f.value >= target;
}

// ---------------------------------------------------------------------------------------------
// Statistics and timing.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sleeps to within ~0.1 ms: setTimeout for the bulk (whole ms, often late), setImmediate after. */
async function preciseSleep(ms: number): Promise<void> {
  const until = performance.now() + ms;
  if (ms > 3) await sleep(Math.floor(ms - 2));
  while (performance.now() < until) await new Promise((r) => setImmediate(r));
}

/** Rejects after `ms`: every await on something outside our control goes through this. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

interface Call {
  ms: number;
  outcome: string;
}

/** One timed call of anything that settles; "no return" after CALL_LIMIT_MS, never a throw. */
async function timed(call: () => Promise<string>): Promise<Call> {
  const t0 = performance.now();
  let outcome: string;
  try {
    outcome = await within(CALL_LIMIT_MS, "call", call());
  } catch (err) {
    outcome = String(err).includes("no result") ? "no return" : `error: ${(err as Error).message}`;
  }
  return { ms: performance.now() - t0, outcome };
}

const callHandler = (h: RequestHandler, event: CloudFrontRequestEvent): Promise<Call> =>
  timed(async () => outcomeOf(await h(event, CONTEXT)));

function tally(calls: Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  calls.forEach((c) => (out[c.outcome] = (out[c.outcome] ?? 0) + 1));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Handler logs: captured per phase, never printed while measuring.

interface LogLine {
  phase: string;
  event: string;
  fields: Record<string, unknown>;
}

const handlerLogs: LogLine[] = [];
let currentPhase = "setup";
const out = { log: console.log.bind(console), error: console.error.bind(console) };

function recordLog(text: string, phase = currentPhase): void {
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") fields = parsed as Record<string, unknown>;
  } catch {
    fields = { event: "unparsed", text: text.slice(0, 200) };
  }
  handlerLogs.push({ phase, event: String(fields.event ?? "unparsed"), fields });
}

function captureConsole(): void {
  const capture = (...args: unknown[]): void => recordLog(args.map(String).join(" "));
  console.log = capture;
  console.error = capture;
  console.warn = capture;
}

function releaseConsole(): void {
  console.log = out.log;
  console.error = out.error;
}

const logsIn = (phase: string, event?: string): LogLine[] =>
  handlerLogs.filter((l) => l.phase === phase && (event === undefined || l.event === event));

/** Progress on stderr, so a slow run shows where it is; the results go to stdout at the end. */
const progress = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

// ---------------------------------------------------------------------------------------------
// Resources: temp dirs, nodes, relays, children. All released at the end, whatever happened.

const tempDirs: string[] = [];
const stoppers: Array<() => Promise<void>> = [];
const children = new Set<ChildProcess>();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

interface Env {
  pki: Pki;
  caFile: string;
  distDir: string;
  coldChild: string;
  freezeChild: string;
  cpuChild: string;
  /** With --cpu-profile: request.js bundled with its names kept, for readable profiles. */
  namedDistDir?: string;
}

interface Endpoint {
  node: H2Node;
  relay: Relay;
  stop(): Promise<void>;
}

async function endpoint(
  env: Env,
  proto: Proto,
  behaviour: H2Behaviour = { kind: "status", status: 200 },
  extra: { nodeIdleMs?: number; relayIdleMs?: number } = {},
): Promise<Endpoint> {
  const node = await startH2Node({
    key: env.pki.key,
    cert: env.pki.cert,
    h2: proto === "h2",
    behaviour,
    idleTimeoutMs: extra.nodeIdleMs,
  });
  const relay = await startRelay({ targetPort: node.port, rttMs: RTT_MS, idleTimeoutMs: extra.relayIdleMs });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await within(3000, "stopping a node", Promise.all([relay.stop(), node.stop()])).catch(() => undefined);
  };
  stoppers.push(stop);
  return { node, relay, stop };
}

interface HandlerConfigJson {
  wallarm_node_url: string;
  wallarm_mode: "inline" | "async";
  node_timeout_ms: number;
  fail_open: boolean;
  node_ca_pem: string;
  node_urls_by_region?: Record<string, string[]>;
  circuit_breaker_cooldown_ms?: number;
}

function handlerConfig(env: Env, ep: Endpoint, mode: "inline" | "async", timeoutMs = 1000): HandlerConfigJson {
  return { wallarm_node_url: ep.relay.url, wallarm_mode: mode, node_timeout_ms: timeoutMs, fail_open: true, node_ca_pem: env.pki.caPem };
}

/** A fresh Lambda folder: the request bundle as index.js beside config.json. */
function lambdaFolder(env: Env, config: HandlerConfigJson, distDir = env.distDir): string {
  return bundleFolder(join(distDir, "request.js"), config);
}

/** A fresh Lambda folder holding `bundle` as index.js beside config.json. */
function bundleFolder(bundle: string, config: HandlerConfigJson): string {
  const dir = writeLambdaFolder("bench-lambda-", bundle, JSON.stringify(config));
  tempDirs.push(dir);
  return dir;
}

/** require, as the Lambda runtime loads index.handler; a new folder is a new cold instance. */
function loadHandler(env: Env, config: HandlerConfigJson): RequestHandler {
  return requireHandler<RequestHandler>(lambdaFolder(env, config));
}

const requestIdOf = (r: H2Request): string =>
  r.headers.find(([k]) => k.toLowerCase() === "x-wallarm-request-id")?.[1].toString("latin1") ?? "";

async function setup(): Promise<Env> {
  const root = PROJECT_ROOT;
  const distDir = tempDir("bench-dist-");
  await bundleHandlers(distDir);
  const pki = makePki();
  const caFile = join(tempDir("bench-ca-"), "ca.pem");
  writeFileSync(caFile, pki.caPem);
  // The children run as plain CommonJS in fresh processes: built once here, not per spawn.
  const childDir = tempDir("bench-children-");
  await build({
    entryPoints: ["cold-child", "freeze-child", "cpu-child"].map((name) => join(root, "tools", "bench", `${name}.ts`)),
    outdir: childDir,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "error",
  });
  return {
    pki,
    caFile,
    distDir,
    coldChild: join(childDir, "cold-child.cjs"),
    freezeChild: join(childDir, "freeze-child.cjs"),
    cpuChild: join(childDir, "cpu-child.cjs"),
    namedDistDir: CPU_PROFILE_DIR ? await namedBundle(distDir) : undefined,
  };
}

/**
 * The request bundle as the generator builds it (modules/generator/bundle-handlers.ts) but with
 * identifiers kept, so a profile names the handler's functions; only the profiles use it.
 */
async function namedBundle(distDir: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const dir = join(distDir, "named");
  await build({
    entryPoints: [join(PROJECT_ROOT, "handlers", "request.ts")],
    outfile: join(dir, "request.js"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minifySyntax: true,
    minifyWhitespace: false,
    minifyIdentifiers: false,
    define: { __CONNECTOR_VERSION__: JSON.stringify(version) },
    logLevel: "warning",
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Bundle sizes.

function bundleSizes(env: Env): void {
  const sizes = (["request", "response"] as const).map((name) => {
    const bytes = readFileSync(join(env.distDir, `${name}.js`));
    const generated = resolve(PROJECT_ROOT, "generated", "modules", "lambda-edge", "dist", `${name}.js`);
    const sameAsGenerated = existsSync(generated) ? readFileSync(generated).equals(bytes) : "missing";
    const gzip = gzipSync(bytes, { level: 9 }).length;
    figure(
      `bundle_${name}_bytes`,
      `bundle ${name}.js (raw)`,
      bytes.length,
      "B",
      { op: "<=", target: GOALS.bundleBytes[name] },
      `gzip -9 ${gzip} B; same as generated/: ${String(sameAsGenerated)}`,
    );
    return { name, raw: bytes.length, gzip, sameAsGenerated };
  });
  details.bundles = sizes;
}

// ---------------------------------------------------------------------------------------------
// Inline overhead: the handler vs a direct keep-alive client, interleaved request by request.

interface DirectClient {
  /** The template's request, with x-wallarm-request-id `direct-<n>`; resolves with the status. */
  call(n: number): Promise<string>;
  close(): void;
}

/** Header pairs of the template as strings, minus what a client stack adds or HTTP/2 forbids. */
function replayHeaders(template: H2Request): Array<[string, string]> {
  const skip = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "x-wallarm-request-id"]);
  return template.headers.filter(([k]) => !skip.has(k.toLowerCase())).map(([k, v]) => [k, v.toString("latin1")]);
}

/** node:http2, one session: what a client that speaks HTTP/2 to the node pays per request. */
async function h2Direct(url: string, ca: string, template: H2Request): Promise<DirectClient> {
  const session = http2.connect(url, { ca });
  session.on("error", () => undefined);
  await within(
    5000,
    "direct h2 connect",
    new Promise<void>((res, rej) => {
      session.once("connect", () => res());
      session.once("error", rej);
    }),
  );
  const headers: http2.OutgoingHttpHeaders = {
    ":method": template.method,
    ":path": template.path,
    ":authority": template.authority || "127.0.0.1",
  };
  for (const [k, v] of replayHeaders(template)) {
    const name = k.toLowerCase();
    if (name === "host") continue; // :authority carries it
    const prev = headers[name];
    headers[name] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [String(prev)]), v];
  }
  return {
    call: (n) =>
      new Promise((res, rej) => {
        const stream = session.request({ ...headers, "x-wallarm-request-id": `direct-${n}` }, { endStream: template.body.length === 0 });
        let status = 0;
        stream.on("response", (h) => (status = Number(h[":status"])));
        stream.on("error", rej);
        stream.on("end", () => res(`status ${status}`));
        stream.resume();
        if (template.body.length > 0) stream.end(template.body);
      }),
    close: () => session.destroy(),
  };
}

/** node:https with a keep-alive Agent of one socket: the HTTP/1.1 client's cost per request. */
async function h1Direct(port: number, ca: string, template: H2Request): Promise<DirectClient> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  const pairs = replayHeaders(template);
  if (!pairs.some(([k]) => k.toLowerCase() === "host")) pairs.unshift(["Host", template.authority]);
  return {
    call: (n) =>
      new Promise((res, rej) => {
        const headers = [...pairs.flat(), "x-wallarm-request-id", `direct-${n}`];
        const req = https.request({ agent, host: "127.0.0.1", port, method: template.method, path: template.path, headers }, (r) => {
          r.resume();
          r.on("end", () => res(`status ${r.statusCode ?? 0}`));
          r.on("error", rej);
        });
        req.on("error", rej);
        req.end(template.body.length > 0 ? template.body : undefined);
      }),
    close: () => agent.destroy(),
  };
}

interface MemoryReading {
  rss: number;
  heapUsed: number;
  external: number;
}

/** npm runs the bench without --expose-gc; the flag can be set at run time, gc read from a context. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Two full GCs with a pause between: V8 frees Buffer backing stores on a background thread. */
async function readMemory(gc: () => void): Promise<MemoryReading> {
  gc();
  await sleep(100);
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

async function inlineOverhead(env: Env, proto: Proto, gc: () => void): Promise<void> {
  const ep = await endpoint(env, proto);
  const deadline = Date.now() + INLINE_PHASE_MS;
  const handler = loadHandler(env, handlerConfig(env, ep, "inline"));
  const warm: Call[] = [];
  for (let i = 0; i < INLINE_WARMUP && Date.now() < deadline; i++) warm.push(await callHandler(handler, benchRequestEvent()));
  const template = ep.node.requests[ep.node.requests.length - 1];
  if (!template) throw new Error(`the handler sent nothing to the node in ${warm.length} warm-up calls (${JSON.stringify(tally(warm))})`);
  const direct =
    proto === "h2" ? await h2Direct(ep.relay.url, env.pki.caPem, template) : await h1Direct(ep.relay.port, env.pki.caPem, template);
  let n = 0;
  for (let i = 0; i < INLINE_WARMUP && Date.now() < deadline; i++) await timed(() => direct.call(n++));

  // Interleaved, the order alternating, so drift and noise hit both sides alike.
  const handlerCalls: Call[] = [];
  const directCalls: Call[] = [];
  for (let i = 0; i < INLINE_PAIRS && Date.now() < deadline; i++) {
    const event = benchRequestEvent(); // built outside the timed region: CloudFront hands it over ready
    if (i % 2 === 0) {
      handlerCalls.push(await callHandler(handler, event));
      directCalls.push(await timed(() => direct.call(n++)));
    } else {
      directCalls.push(await timed(() => direct.call(n++)));
      handlerCalls.push(await callHandler(handler, event));
    }
  }
  direct.close();

  const handlerReqs = ep.node.requests.filter((r) => !requestIdOf(r).startsWith("direct-"));
  const handlerProtocols = [...new Set(handlerReqs.map((r) => r.protocol))].join("+") || "none";
  const handlerConns = new Set(handlerReqs.map((r) => r.connection)).size;
  const hs = statsOf(handlerCalls.map((c) => c.ms));
  const ds = statsOf(directCalls.map((c) => c.ms));
  const label = PROTO_LABEL[proto];
  const note = (p: "p50" | "p99"): string =>
    `handler ${hs[p].toFixed(2)} ms (${handlerProtocols}) vs direct ${ds[p].toFixed(2)} ms (${proto === "h2" ? "h2" : "http/1.1"}), n=${hs.n}`;
  figure(
    `inline_p50_ratio_${proto}`,
    `inline p50 handler/direct, ${label}`,
    ratio(hs.p50, ds.p50),
    "x",
    { op: "<=", target: GOALS.inlineP50 },
    note("p50"),
  );
  figure(
    `inline_p99_ratio_${proto}`,
    `inline p99 handler/direct, ${label}`,
    ratio(hs.p99, ds.p99),
    "x",
    { op: "<=", target: GOALS.inlineP99 },
    note("p99"),
  );
  details[`inline_${proto}`] = {
    handler: hs,
    direct: ds,
    handler_outcomes: tally(handlerCalls),
    direct_outcomes: tally(directCalls),
    warmup_outcomes: tally(warm),
    handler_protocol: handlerProtocols,
    handler_connections: handlerConns,
    node_connections: ep.node.connections(),
    capped_by_time: hs.n < INLINE_PAIRS,
  };

  if (proto === "h2") {
    // Retention per invocation: handler-only calls between two readings after forced GC. The
    // node's recordings are dropped first so the readings show the handler, not the node.
    ep.node.requests.splice(0);
    const before = await readMemory(gc);
    let calls = 0;
    for (; calls < MEMORY_CALLS && Date.now() < deadline + 10_000; calls++) await callHandler(handler, benchRequestEvent());
    ep.node.requests.splice(0);
    const after = await readMemory(gc);
    const perCall = (k: keyof MemoryReading): number => (calls > 0 ? Math.round((after[k] - before[k]) / calls) : NaN);
    figure(
      "memory_heap_per_call",
      "heapUsed growth per inline call (after GC)",
      perCall("heapUsed"),
      "B",
      undefined,
      `${calls} calls; rss ${mib(before.rss)} -> ${mib(after.rss)}`,
    );
    details.memory = {
      before,
      after,
      calls,
      per_call: { rss: perCall("rss"), heapUsed: perCall("heapUsed"), external: perCall("external") },
    };
  }
  await ep.stop();
}

// ---------------------------------------------------------------------------------------------
// CPU per request (issue 23): what Lambda@Edge is short of. The client runs in a process of its
// own (tools/bench/cpu-child.ts), the node and the relay here, so process.cpuUsage() in the child
// counts the client's work only: the in-line function, the async function (a copy), node:https
// with a keep-alive Agent and a raw TLS socket (the floor), each sending the request the in-line
// function sent. Then in-line latency against node:https with idle gaps between the calls.

async function cpuCost(env: Env): Promise<void> {
  const ep = await endpoint(env, "h2"); // in-line speaks HTTP/1.1 to it, async HTTP/2, as deployed
  const named = env.namedDistDir;
  const plan: CpuPlan = {
    inlineDir: lambdaFolder(env, handlerConfig(env, ep, "inline")),
    asyncDir: lambdaFolder(env, handlerConfig(env, ep, "async")),
    baselineDir: CPU_BASELINE ? bundleFolder(resolve(CPU_BASELINE), handlerConfig(env, ep, "inline")) : undefined,
    host: "127.0.0.1",
    port: ep.relay.port,
    caPem: env.pki.caPem,
    warmup: CPU_WARMUP,
    requests: CPU_REQUESTS,
    block: CPU_BLOCK,
    settleMs: CPU_SETTLE_MS,
    pairs: CPU_PAIRS,
    gapMinMs: CPU_GAP_MS.min,
    gapMaxMs: CPU_GAP_MS.max,
    profile:
      CPU_PROFILE_DIR && named
        ? {
            inlineDir: lambdaFolder(env, handlerConfig(env, ep, "inline"), named),
            asyncDir: lambdaFolder(env, handlerConfig(env, ep, "async"), named),
            requests: CPU_PROFILE_REQUESTS,
            intervalUs: CPU_PROFILE_INTERVAL_US,
            dir: CPU_PROFILE_DIR,
          }
        : undefined,
  };
  const child = fork(env.cpuChild, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const wait = async (type: FromCpuChild["type"], ms: number): Promise<FromCpuChild> => {
    const m = await waitMessage<FromCpuChild>(child, (x) => x.type === type || x.type === "failed", ms, "cpu child").catch((err: Error) => {
      throw new Error(`${err.message}${stderr ? `; stderr: ${stderr.trim()}` : ""}`);
    });
    if (m.type === "failed") throw new Error(`cpu child: ${m.error}`);
    return m;
  };
  try {
    await wait("ready", 5000);
    // The warm-up runs at 0 ms RTT: thousands of calls per side until V8 stops compiling. Until
    // the latency part the relay does not poll (its CPU would crowd the measured client).
    ep.relay.setRttMs(0);
    ep.relay.setPrecise(false);
    child.send({ type: "warm", plan } satisfies ToCpuChild);
    const warmed = await wait("warmed", 60_000);
    // The template: the last in-line request as the node received it (HTTP/1.1, the handler's bytes).
    const inlineReq = [...ep.node.requests]
      .reverse()
      .find(
        (r) => r.protocol === "http/1.1" && r.headers.some(([k, v]) => k.toLowerCase() === "x-wallarm-mode" && v.toString() === "inline"),
      );
    if (!inlineReq) throw new Error(`the in-line function sent nothing over HTTP/1.1 in its warm-up (${JSON.stringify(warmed)})`);
    const template: Template = {
      method: inlineReq.method,
      path: inlineReq.path,
      headers: inlineReq.headers.map(([k, v]) => [k, v.toString("latin1")]),
      body: inlineReq.body.toString("base64"),
    };
    child.send({ type: "prepare", template } satisfies ToCpuChild);
    const prepared = await wait("prepared", 60_000);
    ep.node.requests.splice(0);
    ep.relay.setRttMs(RTT_MS);
    child.send({ type: "measure" } satisfies ToCpuChild);
    const done = await wait("result", plan.profile ? 220_000 : 130_000);
    // Latency wants the relay's exact RTT; for CPU its polling would only crowd the client.
    ep.relay.setPrecise(true);
    child.send({ type: "latency" } satisfies ToCpuChild);
    const timed = await wait("latency", 60_000);
    if (done.type === "result" && timed.type === "latency") {
      done.result.latency = timed.latency;
      for (const [side, o] of Object.entries(timed.outcomes) as Array<[CpuSideName, Record<string, number>]>) {
        const into = (done.result.outcomes[side] ??= {});
        for (const [k, n] of Object.entries(o)) into[k] = (into[k] ?? 0) + n;
      }
    }
    const warmOutcomes = {
      functions: warmed.type === "warmed" ? warmed.outcomes : {},
      all: prepared.type === "prepared" ? prepared.outcomes : {},
    };
    if (done.type === "result") cpuFigures(done.result, template, warmOutcomes, asyncProtocols(ep.node.requests));
  } finally {
    if (child.connected) child.send({ type: "exit" } satisfies ToCpuChild, () => undefined);
    await sleep(100);
    signal(child, "SIGKILL");
    await ep.stop();
  }
}

/** How the node received the async copies: "http/1.1 N, h2 M" (HTTP/2 only while HTTP/1.1 waits). */
function asyncProtocols(requests: ReadonlyArray<{ protocol: string; headers: Array<[string, Buffer]> }>): string {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    if (r.headers.some(([k, v]) => k.toLowerCase() === "x-wallarm-mode" && v.toString() === "async"))
      counts[r.protocol] = (counts[r.protocol] ?? 0) + 1;
  }
  return Object.entries(counts)
    .map(([protocol, n]) => `${protocol} ${n}`)
    .join(", ");
}

function cpuFigures(result: CpuResult, template: Template, warmOutcomes: Record<string, unknown>, copiesBy: string): void {
  const per = cpuSummary<CpuSampleSide>(result.samples, "idle");
  // Net of the idle side: each block holds its calls and the idle gap after each.
  const us = (side: CpuSideName): number => per[side]?.netUs ?? NaN;
  const rangeOf = (values: number[]): string => (values.length ? `${Math.min(...values)}-${Math.max(...values)}` : "n/a");
  const outcomes = (side: CpuSideName): string => {
    const o = result.outcomes[side] ?? {};
    return Object.keys(o).length === 1 && (o.pass || o["status 200"]) ? "" : `; outcomes ${JSON.stringify(o)}`;
  };
  const sideNote = (side: CpuSideName): string => {
    const p = per[side];
    if (!p) return "not measured";
    const main = p.mainUs !== null && per.idle?.mainUs != null ? `, main thread ${Math.round(p.mainUs - per.idle.mainUs)}` : "";
    return `mean net of idle: user ${p.userUs} + sys ${p.systemUs} less idle ${per.idle?.meanUs ?? "?"}${main}; tenths ${rangeOf(p.segmentsNetUs)}${outcomes(side)}`;
  };
  const sideFigure = (side: CpuSideName, key: string, label: string): void => figure(key, label, us(side), "us", undefined, sideNote(side));
  sideFigure("function", "cpu_function_us", "CPU per in-line request: the function");
  sideFigure("https", "cpu_https_us", "CPU per request: node:https keep-alive client");
  sideFigure("raw", "cpu_raw_us", "CPU per request: raw TLS socket (the floor)");
  sideFigure("async", "cpu_async_us", "CPU per async copy: the function");
  const roundsOf = (a: CpuSideName, b: CpuSideName): number[] => roundRatios<CpuSampleSide>(result.samples, a, b, "idle");
  // The median of the rounds' ratios: robust to a round spoilt by load from elsewhere.
  const ratioFigure = (a: CpuSideName, b: CpuSideName, key: string, label: string, goal: Goal | undefined, extra = ""): void => {
    const rounds = roundsOf(a, b).sort((x, y) => x - y);
    const spread = `rounds p25-p75 ${percentile(rounds, 25)}-${percentile(rounds, 75)}`;
    figure(
      key,
      label,
      median(rounds),
      "x",
      goal,
      `median of ${rounds.length} rounds (${spread}); of means ${ratio(us(a), us(b)).toFixed(3)}${extra}`,
    );
  };
  const setup = `; ${CPU_BLOCK}-call blocks, ${CPU_SETTLE_MS} ms idle after each call, after ${CPU_WARMUP} calls to warm up; client in its own process`;
  ratioFigure(
    "function",
    "https",
    "cpu_inline_ratio",
    "CPU per in-line request, function / https client",
    { op: "<=", target: GOALS.cpuInline },
    setup,
  );
  ratioFigure(
    "async",
    "https",
    "cpu_async_ratio",
    "CPU per async copy, function / https client",
    { op: "<=", target: GOALS.cpuAsync },
    `; copies by protocol: ${copiesBy}`,
  );
  ratioFigure("function", "raw", "cpu_function_floor_ratio", "CPU per in-line request, function / raw TLS floor", undefined);
  ratioFigure("https", "raw", "cpu_https_floor_ratio", "CPU per request, https client / raw TLS floor", undefined);
  if (per.baseline) {
    sideFigure("baseline", "cpu_baseline_us", `CPU per in-line request: --cpu-baseline bundle`);
    ratioFigure(
      "function",
      "baseline",
      "cpu_baseline_ratio",
      "CPU per in-line request, function / --cpu-baseline bundle",
      undefined,
      `; ${CPU_BASELINE}`,
    );
  }
  const fs = statsOf(result.latency.function);
  const hs = statsOf(result.latency.https);
  const gaps = `${CPU_GAP_MS.min}-${CPU_GAP_MS.max} ms idle before each call, n=${fs.n}`;
  figure(
    "idle_p50_ratio",
    "in-line p50 with idle gaps, function / https client",
    ratio(fs.p50, hs.p50),
    "x",
    { op: "<=", target: GOALS.idleP50 },
    `${fs.p50.toFixed(2)} ms vs ${hs.p50.toFixed(2)} ms; ${gaps}`,
  );
  figure(
    "idle_p99_ratio",
    "in-line p99 with idle gaps, function / https client",
    ratio(fs.p99, hs.p99),
    "x",
    { op: "<=", target: GOALS.idleP99 },
    `${fs.p99.toFixed(2)} ms vs ${hs.p99.toFixed(2)} ms`,
  );
  details.cpu = {
    per_request_us: per,
    round_ratios: {
      function_https: roundsOf("function", "https"),
      async_https: roundsOf("async", "https"),
      function_raw: roundsOf("function", "raw"),
      https_raw: roundsOf("https", "raw"),
      ...(per.baseline ? { function_baseline: roundsOf("function", "baseline") } : {}),
    },
    tenth_ratios: {
      function_https: per.function && per.https ? segmentRatios(per.function, per.https) : [],
      async_https: per.async && per.https ? segmentRatios(per.async, per.https) : [],
    },
    wall_ms: Object.fromEntries(Object.entries(result.wallMs).map(([k, v]) => [k, round2(v)])),
    outcomes: result.outcomes,
    warmup_outcomes: warmOutcomes,
    latency: { function: fs, https: hs },
    handler_log_lines: result.logLines,
    handler_log_sample: result.logSample,
    template: {
      method: template.method,
      path: template.path,
      headers: template.headers.length,
      body_bytes: Buffer.from(template.body, "base64").length,
    },
  };
  if (result.profiles) details.cpu_profile = result.profiles;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------------
// Cold start in fresh processes: the bundle's first call vs a plain first HTTPS request.

interface ChildRun {
  result: ColdResult | undefined;
  /** Spawn to exit, as the parent saw it (includes Node's own start-up), in ms. */
  wallMs: number;
  problem?: string;
}

function runColdChild(env: Env, args: string[]): Promise<ChildRun> {
  return new Promise((res) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [env.coldChild, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), CHILD_LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(killer);
      children.delete(child);
      const wallMs = performance.now() - t0;
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        res({ result: JSON.parse(line) as ColdResult, wallMs });
      } catch {
        res({ result: undefined, wallMs, problem: `exit ${String(code)}: ${(stderr || stdout).trim().slice(0, 300)}` });
      }
    });
  });
}

async function coldStart(env: Env, proto: Proto): Promise<void> {
  const ep = await endpoint(env, proto);
  const handlerRuns: ChildRun[] = [];
  const httpsRuns: ChildRun[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    // Alternating which goes first, so neither side always finds a warmer machine.
    const runHandler = async (): Promise<void> => {
      const dir = lambdaFolder(env, handlerConfig(env, ep, "inline"));
      handlerRuns.push(await runColdChild(env, ["handler", dir]));
    };
    const runHttps = async (): Promise<void> => void httpsRuns.push(await runColdChild(env, ["https", `${ep.relay.url}/`, env.caFile]));
    if (i % 2 === 0) {
      await runHandler();
      await runHttps();
    } else {
      await runHttps();
      await runHandler();
    }
  }
  const ok = (runs: ChildRun[]): ColdResult[] =>
    runs.map((r) => r.result).filter((r): r is ColdResult => r !== undefined && !r.error && Number.isFinite(r.elapsedMs));
  const h = ok(handlerRuns);
  const b = ok(httpsRuns);
  const hMed = median(h.map((r) => r.elapsedMs));
  const bMed = median(b.map((r) => r.elapsedMs));
  const problems = [...handlerRuns, ...httpsRuns].map((r) => r.problem ?? r.result?.error).filter(Boolean);
  figure(
    `cold_ratio_${proto}`,
    `cold start handler/plain https, ${PROTO_LABEL[proto]}`,
    ratio(hMed, bMed),
    "x",
    { op: "<=", target: GOALS.coldRatio },
    `median ${hMed.toFixed(1)} ms vs ${bMed.toFixed(1)} ms (require ${median(h.map((r) => r.loadMs)).toFixed(1)} ms), ${h.length}+${b.length} of ${COLD_RUNS}+${COLD_RUNS} runs ok` +
      (problems.length ? `; ${problems.length} failed` : ""),
  );
  if (proto === "h2") {
    figure(
      "cold_rss",
      "RSS of a fresh instance after its first call",
      median(h.map((r) => r.rss)),
      "B",
      undefined,
      `plain https process: ${mib(median(b.map((r) => r.rss)))}; peak ${mib(median(h.map((r) => r.maxRss)))}`,
    );
  }
  details[`cold_${proto}`] = {
    handler_ms: h.map((r) => round2(r.elapsedMs)),
    handler_require_ms: h.map((r) => round2(r.loadMs)),
    handler_outcomes: tally(h.map((r) => ({ ms: r.elapsedMs, outcome: r.outcome }))),
    handler_logs: h.flatMap((r) => r.logs).length,
    https_ms: b.map((r) => round2(r.elapsedMs)),
    process_wall_ms: { handler: round2(median(handlerRuns.map((r) => r.wallMs))), https: round2(median(httpsRuns.map((r) => r.wallMs))) },
    rss: { handler: median(h.map((r) => r.rss)), https: median(b.map((r) => r.rss)) },
    problems: problems.slice(0, 5),
  };
  h.flatMap((r) => r.logs).forEach((l) => recordLog(l));
  await ep.stop();
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Async mode against a node that answers in 1 s: the handler must return once the copy is out,
// and not open a connection per copy waiting for its answer.

interface AsyncRun {
  stats: Stats;
  outcomes: Record<string, number>;
  sent: number;
  arrived: number;
  connections: number;
}

async function asyncRun(env: Env, proto: Proto, delayMs: number): Promise<AsyncRun> {
  const ep = await endpoint(env, proto, { kind: "status", status: 200, delayMs });
  const handler = loadHandler(env, handlerConfig(env, ep, "async"));
  const deadline = Date.now() + 15_000;
  for (let i = 0; i < 3; i++) await callHandler(handler, benchRequestEvent()); // connection, JIT
  const calls: Call[] = [];
  for (let i = 0; i < ASYNC_CALLS && Date.now() < deadline; i++) calls.push(await callHandler(handler, benchRequestEvent()));
  const sent = calls.length + 3;
  await ep.node.waitForRequests(sent, 3000).catch(() => undefined);
  const arrived = ep.node.requests.length;
  // Let the late answers go out before the node stops, so the next phase starts clean.
  const until = Date.now() + delayMs + 1500;
  while (ep.node.pending() > 0 && Date.now() < until) await sleep(20);
  await sleep(200); // the last answers cross the relay: stopping earlier would cut streams off
  const connections = ep.node.connections();
  await ep.stop();
  return { stats: statsOf(calls.map((c) => c.ms)), outcomes: tally(calls), sent, arrived, connections };
}

async function asyncSlowNode(env: Env): Promise<void> {
  currentPhase = "async instant h2";
  const instant = await asyncRun(env, "h2", 0);
  currentPhase = "async slow h2";
  const slow = await asyncRun(env, "h2", SLOW_NODE_MS);
  currentPhase = "async slow h1";
  const slowH1 = await asyncRun(env, "h1", SLOW_NODE_MS);
  const logged = (phase: string): string => {
    const events = Object.entries(countEvents(logsIn(phase)));
    return events.length ? `; logged ${events.map(([e, n]) => `${e}=${n}`).join(" ")}` : "";
  };
  const note =
    `p99 ${slow.stats.p99.toFixed(2)} ms vs ${instant.stats.p99.toFixed(2)} ms with an instant node; ` +
    `copies ${slow.arrived}/${slow.sent} arrived${logged("async slow h2")}`;
  figure(
    "async_p99_ratio",
    `async p99, node answers in ${SLOW_NODE_MS} ms / instant`,
    ratio(slow.stats.p99, instant.stats.p99),
    "x",
    { op: "<=", target: GOALS.asyncP99Ratio },
    note,
  );
  figure(
    "async_connections",
    `async, ${SLOW_NODE_MS} ms node: node connections, ${PROTO_LABEL.h2}`,
    slow.connections,
    "count",
    { op: "<=", target: GOALS.asyncConnections },
    `${slow.sent} copies, node_timeout_ms 1000 (default)`,
  );
  figure(
    "async_connections_h1",
    `async, ${SLOW_NODE_MS} ms node: node connections, ${PROTO_LABEL.h1}`,
    slowH1.connections,
    "count",
    { op: "<=", target: GOALS.asyncConnections },
    `${slowH1.arrived}/${slowH1.sent} copies arrived; p99 ${slowH1.stats.p99.toFixed(2)} ms${logged("async slow h1")}`,
  );
  details.async = { instant_h2: instant, slow_h2: slow, slow_h1: slowH1 };
}

// ---------------------------------------------------------------------------------------------
// Outage: a node that accepts and never answers, the liveness probe neither. Each call costs
// node_timeout_ms plus the probe's time until the breaker opens, then (goal) almost nothing;
// every request passes (fail_open).

async function outage(env: Env, proto: Proto): Promise<void> {
  const ep = await endpoint(env, proto, { kind: "hang" });
  const handler = loadHandler(env, handlerConfig(env, ep, "inline", OUTAGE_TIMEOUT_MS));
  const deadline = Date.now() + 15_000;
  const calls: Call[] = [];
  for (let i = 0; i < OUTAGE_CALLS && Date.now() < deadline; i++) calls.push(await callHandler(handler, benchRequestEvent()));
  // Calls up to the last one that waited (half the timeout or more) are "before the trip".
  let lastWait = -1;
  calls.forEach((c, i) => (c.ms >= OUTAGE_TIMEOUT_MS / 2 ? (lastWait = i) : undefined));
  const before = calls.slice(0, lastWait + 1).map((c) => c.ms);
  const after = calls.slice(lastWait + 1).map((c) => c.ms);
  const passes = calls.filter((c) => c.outcome === "pass").length;
  const label = PROTO_LABEL[proto];
  // Worst case for a failed request: the node's timeout, then the liveness probe's.
  figure(
    `outage_before_ms_${proto}`,
    `outage, cost per call before the breaker trips, ${label}`,
    before.length ? Math.max(...before) : null,
    "ms",
    { op: "<", target: OUTAGE_TIMEOUT_MS + PROBE_TIMEOUT_MS + GOALS.outageMarginMs },
    `worst of ${before.length} calls that waited; node_timeout_ms ${OUTAGE_TIMEOUT_MS} + probe ${PROBE_TIMEOUT_MS}`,
  );
  figure(
    `outage_after_ms_${proto}`,
    `outage, cost per call after the breaker trips, ${label}`,
    after.length ? median(after) : null,
    "ms",
    { op: "<", target: GOALS.outageAfterMs },
    after.length ? `median of ${after.length} calls, max ${Math.max(...after).toFixed(3)} ms` : `never tripped in ${calls.length} calls`,
  );
  figure(
    `outage_fail_open_${proto}`,
    `outage, requests passed (fail-open), ${label}`,
    calls.length ? (100 * passes) / calls.length : null,
    "%",
    { op: ">=", target: 100 },
    JSON.stringify(tally(calls)),
  );
  details[`outage_${proto}`] = {
    calls_ms: calls.map((c) => round2(c.ms)),
    outcomes: tally(calls),
    node_requests: ep.node.requests.length,
    node_connections: ep.node.connections(),
    log_events: countEvents(logsIn(currentPhase)),
  };
  await ep.stop();
}

function countEvents(lines: LogLine[]): Record<string, number> {
  const outEvents: Record<string, number> = {};
  lines.forEach((l) => (outEvents[l.event] = (outEvents[l.event] ?? 0) + 1));
  return outEvents;
}

// ---------------------------------------------------------------------------------------------
// Keep-alive race: async copies sent just as the node's end closes an idle connection. A copy
// written into a connection the node already closed is lost unless the handler notices; the goal
// is that every copy either arrives or is logged (node_copy_lost, or node_copy_failed).

interface RaceResult {
  sent: number;
  arrived: number;
  duplicates: number;
  lostLines: number;
  failedLines: number;
  connections: number;
  closesByIdle: number;
  resetsInFlight: number;
}

async function raceRun(env: Env, phase: string, ep: Endpoint, gaps: number[]): Promise<RaceResult> {
  currentPhase = phase;
  const handler = loadHandler(env, handlerConfig(env, ep, "async"));
  const ids = new Set<string>();
  const first = benchRequestEvent();
  ids.add(first.Records[0].cf.config.requestId);
  await callHandler(handler, first);
  const deadline = Date.now() + 30_000;
  for (const gap of gaps) {
    if (Date.now() > deadline) break;
    await preciseSleep(gap); // measured from the previous return, as idle time between invocations
    const event = benchRequestEvent();
    ids.add(event.Records[0].cf.config.requestId);
    await callHandler(handler, event);
  }
  // Late detections (a reset after return, a timeout) are logged later: give them the time.
  await sleep(1500);
  const seen = ep.node.requests.map(requestIdOf).filter((id) => ids.has(id));
  const lines = logsIn(phase);
  return {
    sent: ids.size,
    arrived: new Set(seen).size,
    duplicates: seen.length - new Set(seen).size,
    lostLines: lines.filter((l) => l.event === "node_copy_lost").length,
    failedLines: lines.filter((l) => l.event === "node_copy_failed").length,
    connections: ep.node.connections(),
    closesByIdle: ep.relay.idleCloses(),
    resetsInFlight: ep.relay.droppedChunks(),
  };
}

async function keepAliveRace(env: Env): Promise<void> {
  // 1. A load balancer in front of the node closes idle connections silently (the relay): the
  //    copies are spaced so that some reach it just after it closed, before its FIN is back.
  const sweep = (center: number, from: number, to: number, step: number): number[] => {
    const gaps: number[] = [];
    for (let d = from; d <= to + 1e-9; d += step) gaps.push(center + d);
    return gaps;
  };
  const relayGaps = Array.from({ length: RACE_ROUNDS }, () => sweep(RACE_IDLE_MS, -2, 5, 0.5)).flat();
  const lb = await endpoint(env, "h1", { kind: "status", status: 200 }, { relayIdleMs: RACE_IDLE_MS });
  const viaLb = await raceRun(env, "race relay-idle", lb, relayGaps);
  await lb.stop();
  // 2. The node's own idle timeout (h2-node idleTimeoutMs, HTTP/1.1 only). Node's https server
  //    closes keepAliveTimeout + 1 s after the last answer and announces `timeout=<s>` to the
  //    client, so the spacing is centred on that actual close.
  const nodeClose = NODE_IDLE_MS + 1000;
  const nodeEp = await endpoint(env, "h1", { kind: "status", status: 200 }, { nodeIdleMs: NODE_IDLE_MS });
  const viaNode = await raceRun(env, "race node-idle", nodeEp, sweep(nodeClose, -2, 4, 1));
  await nodeEp.stop();

  const all = [viaLb, viaNode];
  const sent = all.reduce((s, r) => s + r.sent, 0);
  const accounted = all.reduce((s, r) => s + Math.min(r.sent, r.arrived + r.lostLines + r.failedLines), 0);
  const describe = (r: RaceResult): string =>
    `${r.arrived}/${r.sent} arrived, ${r.lostLines} node_copy_lost, ${r.failedLines} node_copy_failed, ${r.connections} conns`;
  figure(
    "race_copies_accounted",
    "keep-alive race: copies arrived or logged / sent",
    sent ? (100 * accounted) / sent : null,
    "%",
    { op: ">=", target: 100 * GOALS.copiesAccounted },
    `relay idle ${RACE_IDLE_MS} ms: ${describe(viaLb)} (${viaLb.resetsInFlight} copies met a closed end); node idle ${nodeClose} ms: ${describe(viaNode)}`,
  );
  figure(
    "race_copies_lost",
    "keep-alive race: copies that never arrived",
    sent - all.reduce((s, r) => s + r.arrived, 0),
    "count",
    undefined,
    `of ${sent}; logged as lost or failed: ${all.reduce((s, r) => s + r.lostLines + r.failedLines, 0)}`,
  );
  details.race = {
    relay_idle: { idle_ms: RACE_IDLE_MS, ...viaLb },
    node_idle: { idle_timeout_ms: NODE_IDLE_MS, closes_at_ms: nodeClose, ...viaNode },
  };
}

// ---------------------------------------------------------------------------------------------
// Freeze: the handler in a child process that is SIGSTOPped right after it returns (as Lambda
// freezes an instance), then resumed. The copy must reach the node while the process is stopped.

interface FreezeRound {
  requestId: string;
  returnedMs: number;
  outcome: string;
  arrivedBeforeStop: boolean;
  arrivedByThaw: boolean;
}

/** A signal to a child that may have exited meanwhile (ESRCH is not an error here). */
function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, sig);
  } catch {
    // already gone
  }
}

function waitMessage<M = FromChild>(child: ChildProcess, accept: (m: M) => boolean, ms: number, what = "freeze child"): Promise<M> {
  return within(
    ms,
    what,
    new Promise<M>((res, rej) => {
      const onMessage = (m: M): void => {
        if (!accept(m)) return;
        child.off("message", onMessage);
        res(m);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => rej(new Error(`${what} exited (${String(code)})`)));
    }),
  );
}

async function freezeRounds(env: Env, selfStop: boolean): Promise<{ rounds: FreezeRound[]; connections: number; lateArrivals: number }> {
  const phase = selfStop ? "freeze self-stop" : "freeze";
  currentPhase = phase;
  const ep = await endpoint(env, "h2");
  const dir = lambdaFolder(env, handlerConfig(env, ep, "async", FREEZE_TIMEOUT_MS));
  const child = fork(env.freezeChild, [dir], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  children.add(child);
  child.on("message", (m: FromChild) => (m.type === "log" ? recordLog(m.line, phase) : undefined));
  child.on("exit", () => children.delete(child));
  const rounds: FreezeRound[] = [];
  const arrived = (id: string): boolean => ep.node.requests.some((r) => requestIdOf(r) === id);
  try {
    await waitMessage(child, (m) => m.type === "ready", 5000);
    for (let i = 0; i < FREEZE_ROUNDS; i++) {
      const requestId = `freeze-${selfStop ? "self" : "parent"}-${i}-Abc==`;
      const msg: ToChild = { type: "invoke", requestId, selfStop };
      child.send(msg);
      const returned = await waitMessage(child, (m) => m.type === "returned" && m.requestId === requestId, 5000);
      if (!selfStop) signal(child, "SIGSTOP");
      const arrivedBeforeStop = arrived(requestId);
      await sleep(FREEZE_MS);
      const arrivedByThaw = arrived(requestId);
      signal(child, "SIGCONT");
      const r = returned.type === "returned" ? returned : undefined;
      rounds.push({ requestId, returnedMs: round2(r?.elapsedMs ?? NaN), outcome: r?.outcome ?? "?", arrivedBeforeStop, arrivedByThaw });
      await sleep(30); // idle between invocations; the thawed instance runs its expired timers
    }
    await sleep(300);
  } finally {
    if (child.exitCode === null) {
      signal(child, "SIGCONT");
      if (child.connected) child.send({ type: "exit" } satisfies ToChild, () => undefined);
      await sleep(100);
      signal(child, "SIGKILL");
    }
  }
  const lateArrivals = rounds.filter((r) => !r.arrivedByThaw && arrived(r.requestId)).length;
  const connections = ep.node.connections();
  await ep.stop();
  return { rounds, connections, lateArrivals };
}

async function freeze(env: Env): Promise<void> {
  const byParent = await freezeRounds(env, false);
  const bySelf = await freezeRounds(env, true);
  const pct = (r: { rounds: FreezeRound[] }): number | null =>
    r.rounds.length ? (100 * r.rounds.filter((x) => x.arrivedByThaw).length) / r.rounds.length : null;
  const describe = (r: { rounds: FreezeRound[]; connections: number; lateArrivals: number }): string =>
    `${r.rounds.filter((x) => x.arrivedByThaw).length}/${r.rounds.length} by thaw (${r.rounds.filter((x) => x.arrivedBeforeStop).length} before the stop), ${r.lateArrivals} after thaw, ${r.connections} connection(s)`;
  figure(
    "freeze_delivered",
    "freeze (SIGSTOP by parent on return): copies delivered while stopped",
    pct(byParent),
    "%",
    { op: ">=", target: 100 * GOALS.freezeDelivered },
    describe(byParent),
  );
  figure(
    "freeze_connections",
    "freeze: node connections over the rounds",
    byParent.connections,
    "count",
    { op: "<=", target: 1 },
    `${byParent.rounds.length} rounds, ${FREEZE_MS} ms frozen, node_timeout_ms ${FREEZE_TIMEOUT_MS}`,
  );
  figure("freeze_self_delivered", "freeze (child stops itself in the returning tick)", pct(bySelf), "%", undefined, describe(bySelf));
  details.freeze = {
    parent_stop: byParent,
    self_stop: bySelf,
    log_events: countEvents([...logsIn("freeze"), ...logsIn("freeze self-stop")]),
  };
}

// ---------------------------------------------------------------------------------------------
// The run: phases in order, each bounded; a failed phase is reported and the run goes on.

const PHASES: Array<[string, number, (env: Env, gc: () => void) => Promise<void>]> = [
  ["inline h2", 50_000, (env, gc) => inlineOverhead(env, "h2", gc)],
  ["inline h1", 40_000, (env, gc) => inlineOverhead(env, "h1", gc)],
  ["cpu", CPU_PROFILE_DIR ? 300_000 : 180_000, (env) => cpuCost(env)],
  ["cold h2", 20_000, (env) => coldStart(env, "h2")],
  ["cold h1", 20_000, (env) => coldStart(env, "h1")],
  ["async", 30_000, (env) => asyncSlowNode(env)],
  ["outage h2", 10_000, (env) => outage(env, "h2")],
  ["outage h1", 10_000, (env) => outage(env, "h1")],
  ["race", 30_000, (env) => keepAliveRace(env)],
  ["freeze", 20_000, (env) => freeze(env)],
  ["filter", 40_000, (env) => filterSavings(env)],
  ["regions", 60_000, (env) => regions(env)],
];

// ---------------------------------------------------------------------------------------------
// Nodes near every edge (node_urls_by_region): a function instance in REGION with a near node
// (3 ms round trip) listed for it and a far wallarm_node_url (80 ms). Healthy, the near node
// serves at the cost of a direct client to it; refusing or hanging, every request is judged by
// the far node (none passed by the fail policy), the breaker skipping the near one once tripped;
// back, the traffic returns within the cool-down plus a second.

const REGION = "eu-west-1";
const NEAR_RTT_MS = 3;
const FAR_RTT_MS = 80;
const REGION_PAIRS = 150;
const REGION_OUTAGE_CALLS = 20;
const REGION_COOLDOWN_MS = 2000;

/** A request function cold-started in REGION (AWS_REGION is read once, when it loads). */
function handlerInRegion(env: Env, near: Endpoint, far: Endpoint): RequestHandler {
  const saved = process.env.AWS_REGION;
  process.env.AWS_REGION = REGION;
  try {
    return loadHandler(env, {
      ...handlerConfig(env, far, "inline"),
      node_urls_by_region: { [REGION]: [near.relay.url] },
      circuit_breaker_cooldown_ms: REGION_COOLDOWN_MS,
    });
  } finally {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  }
}

/** Request ids of the handler's requests a node received: liveness probes (which carry the id of the request they follow) and direct calls aside. */
const handlerIds = (ep: Endpoint): Set<string> =>
  new Set(
    ep.node.requests
      .filter((r) => !r.path.endsWith(LIVENESS_PATH))
      .map(requestIdOf)
      .filter((id) => id.startsWith("bench-")),
  );

/** Calls the handler `count` times; how many requests no node received (passed uninspected). */
async function judgedBy(
  handler: RequestHandler,
  count: number,
  near: Endpoint,
  far: Endpoint,
): Promise<{ uninspected: number; calls: Call[] }> {
  const ids: string[] = [];
  const calls: Call[] = [];
  for (let i = 0; i < count; i++) {
    const event = benchRequestEvent();
    ids.push(event.Records[0].cf.config.requestId);
    calls.push(await callHandler(handler, event));
  }
  const seen = new Set([...handlerIds(near), ...handlerIds(far)]);
  return { uninspected: ids.filter((id) => !seen.has(id)).length, calls };
}

async function regions(env: Env): Promise<void> {
  const near = await endpoint(env, "h1");
  const far = await endpoint(env, "h1");
  near.relay.setRttMs(NEAR_RTT_MS);
  far.relay.setRttMs(FAR_RTT_MS);

  // Healthy: interleaved with a direct keep-alive client to the near node.
  const healthy = handlerInRegion(env, near, far);
  for (let i = 0; i < INLINE_WARMUP; i++) await callHandler(healthy, benchRequestEvent());
  const template = near.node.requests[near.node.requests.length - 1];
  if (!template) throw new Error("the handler sent nothing to the near node");
  const direct = await h1Direct(near.relay.port, env.pki.caPem, template);
  let n = 0;
  const handlerCalls: Call[] = [];
  const directCalls: Call[] = [];
  for (let i = 0; i < REGION_PAIRS; i++) {
    const event = benchRequestEvent();
    if (i % 2 === 0) {
      handlerCalls.push(await callHandler(healthy, event));
      directCalls.push(await timed(() => direct.call(n++)));
    } else {
      directCalls.push(await timed(() => direct.call(n++)));
      handlerCalls.push(await callHandler(healthy, event));
    }
  }
  direct.close();
  const hs = statsOf(handlerCalls.map((c) => c.ms));
  const ds = statsOf(directCalls.map((c) => c.ms));
  figure(
    "regions_p50_ratio",
    `regions, in-line p50 handler/direct to the near node (${NEAR_RTT_MS} ms; far ${FAR_RTT_MS} ms)`,
    ratio(hs.p50, ds.p50),
    "x",
    { op: "<=", target: GOALS.regionsP50 },
    `handler ${hs.p50.toFixed(2)} ms vs direct ${ds.p50.toFixed(2)} ms, n=${hs.n}; far node got ${handlerIds(far).size} requests`,
  );

  // The near node hangs: timeout + probe until its breaker trips, then the far node at once.
  near.node.setBehaviour({ kind: "hang" });
  const hanging = await judgedBy(healthy, REGION_OUTAGE_CALLS, near, far);
  const hangAfter = hanging.calls.filter((c) => c.ms < 1000).map((c) => c.ms);
  figure(
    "regions_hang_uninspected",
    "regions, near node hanging: requests passed uninspected",
    hanging.uninspected,
    "count",
    { op: "<=", target: GOALS.regionsUninspected },
    `${REGION_OUTAGE_CALLS} calls; after the trip p50 ${hangAfter.length ? median(hangAfter).toFixed(1) : "-"} ms (far RTT ${FAR_RTT_MS} ms)`,
  );

  // Back: calls every 100 ms until one is judged by the near node again.
  near.node.setBehaviour({ kind: "status", status: 200 });
  const back = Date.now();
  let returnedMs: number | null = null;
  const nearBefore = handlerIds(near).size;
  while (Date.now() - back < REGION_COOLDOWN_MS + 5000) {
    await callHandler(healthy, benchRequestEvent());
    if (handlerIds(near).size > nearBefore) {
      returnedMs = Date.now() - back;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  figure(
    "regions_return_ms",
    "regions, near node back: traffic returns to it after",
    returnedMs,
    "ms",
    { op: "<=", target: REGION_COOLDOWN_MS + GOALS.regionsReturnMarginMs },
    `circuit_breaker_cooldown_ms ${REGION_COOLDOWN_MS} + 1 s`,
  );

  // The near node refuses connections (stopped): a new instance, every request judged by the far node.
  await near.stop();
  const refusing = await judgedBy(handlerInRegion(env, near, far), REGION_OUTAGE_CALLS, near, far);
  figure(
    "regions_refused_uninspected",
    "regions, near node refusing connections: requests passed uninspected",
    refusing.uninspected,
    "count",
    { op: "<=", target: GOALS.regionsUninspected },
    `${REGION_OUTAGE_CALLS} calls, p50 ${median(refusing.calls.map((c) => c.ms)).toFixed(1)} ms (far RTT ${FAR_RTT_MS} ms)`,
  );
  details.regions = {
    healthy: { handler: hs, direct: ds },
    hanging_ms: hanging.calls.map((c) => round2(c.ms)),
    refusing_ms: refusing.calls.map((c) => round2(c.ms)),
    log_events: countEvents(logsIn(currentPhase)),
  };
  await far.stop();
}

// ---------------------------------------------------------------------------------------------
// Request filters: what skipping static assets saves. The local edge (the bundles as CloudFront
// runs them) in front of an echo origin, the node behind the relay; the same request mix with and
// without skip_extensions, in alternating blocks so drift hits both alike.

const FILTER_MIX = ["/assets/app.js", "/img/logo.png", "/img/hero.png", "/css/site.css", "/products?page=2", "/cart", "/img/a.png"];
const FILTER_BLOCKS = 4;
const FILTER_REQUESTS = 700; // per block
const FILTER_CONCURRENCY = 16;

async function filterSavings(env: Env): Promise<void> {
  const ep = await endpoint(env, "h2");
  const origin = await startEchoOrigin();
  stoppers.push(() => origin.close());
  const config = { ...handlerConfig(env, ep, "inline"), wallarm_mode: "inline" as const };
  const edges = {
    without: await startEdge({ bundleDir: env.distDir, origin: origin.url, config }),
    with: await startEdge({ bundleDir: env.distDir, origin: origin.url, config: { ...config, skip_extensions: ["js", "css", "png"] } }),
  };
  Object.values(edges).forEach((e) => stoppers.push(() => e.close()));
  const elapsed = { without: 0, with: 0 };
  const nodeRequests = { without: 0, with: 0 };
  for (let block = 0; block < FILTER_BLOCKS * 2; block++) {
    const side = block % 2 === 0 ? "without" : "with";
    const before = ep.node.requests.length;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: FILTER_CONCURRENCY }, async () => {
        while (next < FILTER_REQUESTS) {
          const target = FILTER_MIX[next++ % FILTER_MIX.length];
          const reply = await within(CALL_LIMIT_MS, "an edge request", send(edges[side].url, target));
          if (reply.status !== 200) throw new Error(`${target} answered ${reply.status} through the edge`);
        }
      }),
    );
    elapsed[side] += performance.now() - started;
    nodeRequests[side] += ep.node.requests.length - before;
  }
  const rps = (side: "with" | "without") => (FILTER_BLOCKS * FILTER_REQUESTS) / (elapsed[side] / 1000);
  const mix = `${FILTER_MIX.filter((t) => /\.(js|css|png)$/.test(t)).length} of ${FILTER_MIX.length} requests static`;
  figure("filter_rps_without", "edge req/s, every request inspected", rps("without"), "req/s", undefined, mix);
  figure("filter_rps_with", "edge req/s, skip_extensions js,css,png", rps("with"), "req/s", undefined, `concurrency ${FILTER_CONCURRENCY}`);
  figure("filter_speedup", "edge req/s with the filter / without", ratio(rps("with"), rps("without")), "x", undefined, "");
  figure(
    "filter_node_share",
    "node requests with the filter / without",
    ratio(nodeRequests.with, nodeRequests.without),
    "x",
    undefined,
    `${nodeRequests.with} vs ${nodeRequests.without}`,
  );
  details.filter = { elapsedMs: elapsed, nodeRequests, blocks: FILTER_BLOCKS, requestsPerBlock: FILTER_REQUESTS };
}

const startedAt = Date.now();

async function run(): Promise<void> {
  const gc = exposeGc();
  progress(`building bundles and certificates (RTT ${RTT_MS} ms)`);
  const env = await setup();
  bundleSizes(env);
  const only = argValue("--only")?.split(",");
  for (const [name, limitMs, body] of PHASES.filter(([name]) => !only || only.some((word) => name.startsWith(word)))) {
    currentPhase = name;
    progress(`${name} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
    try {
      // A phase over its limit is abandoned: its nodes are stopped below, so whatever it still
      // runs in the background fails fast instead of competing with the next phase.
      await within(limitMs, `phase ${name}`, body(env, gc));
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
    }
    // Nodes of a phase that failed half way are stopped here; the next phase starts clean.
    await Promise.all(stoppers.splice(0).map((s) => s()));
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  figure("bench_peak_rss", "peak RSS of the bench process (handlers, nodes, relays)", peak, "B", undefined, "");
}

function formatValue(value: number | null, unit: Figure["unit"]): string {
  if (value === null) return "n/a";
  if (unit === "x") return `${value.toFixed(3)}x`;
  if (unit === "ms") return `${value < 1 ? value.toFixed(3) : value.toFixed(1)} ms`;
  if (unit === "us") return `${value.toFixed(0)} us`;
  if (unit === "B") return value >= 1024 * 1024 ? mib(value) : `${value} B`;
  if (unit === "%") return `${value.toFixed(1)}%`;
  if (unit === "req/s") return `${value.toFixed(0)} req/s`;
  return String(value);
}

function printReport(): void {
  const rows = figures.map((f) => {
    const ok = meets(f);
    const goal = f.goal ? `${f.goal.op} ${formatValue(f.goal.target, f.unit)}` : "-";
    const vsGoal = f.goal && f.value !== null && f.goal.target !== 0 ? (f.value / f.goal.target).toFixed(2) : "-";
    return [
      f.label,
      formatValue(f.value, f.unit),
      goal,
      vsGoal,
      ok === null ? (f.goal ? "NOT MEASURED" : "") : ok ? "ok" : "MISSED",
      f.note,
    ];
  });
  const header = ["figure", "measured", "goal", "/goal", "", "notes"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]) : i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  out.log(`\nWallarm connector bench: TLS with a private CA (node_ca_pem), relay adding ${RTT_MS} ms RTT, node tools/h2-node.ts`);
  out.log(line(header));
  out.log(line(widths.map((w) => "-".repeat(w))));
  rows.forEach((r) => out.log(line(r)));

  const byPhase: Record<string, Record<string, number>> = {};
  handlerLogs.forEach((l) => ((byPhase[l.phase] ??= {})[l.event] = (byPhase[l.phase][l.event] ?? 0) + 1));
  out.log("\nhandler log lines by phase:");
  Object.entries(byPhase).forEach(([phase, events]) =>
    out.log(
      `  ${phase}: ${Object.entries(events)
        .map(([e, n]) => `${e}=${n}`)
        .join(" ")}`,
    ),
  );
  if (Object.keys(byPhase).length === 0) out.log("  none");
  printProfiles();
  if (errors.length) out.log(`\nphases that failed:\n${errors.map((e) => `  ${e}`).join("\n")}`);
  const missed = figures.filter((f) => meets(f) === false).length;
  const unmeasured = figures.filter((f) => f.goal && f.value === null).length;
  const runtimeMs = Date.now() - startedAt;
  out.log(
    `\n${figures.filter((f) => meets(f)).length} goals met, ${missed} missed, ${unmeasured} not measured; runtime ${(runtimeMs / 1000).toFixed(1)} s (node ${process.version})\n`,
  );
  const json = {
    rtt_ms: RTT_MS,
    runtime_ms: runtimeMs,
    node_version: process.version,
    figures: Object.fromEntries(
      figures.map((f) => [f.key, { value: f.value, unit: f.unit, goal: f.goal ?? null, met: meets(f), label: f.label, note: f.note }]),
    ),
    details,
    logs: byPhase,
    errors,
  };
  out.log(JSON.stringify(json));
}

/** With --cpu-profile: where each side's CPU went, top functions by self time, then by script. */
function printProfiles(): void {
  const profiles = details.cpu_profile as Partial<Record<CpuSideName, SideProfile>> | undefined;
  if (!profiles) return;
  const rows = (list: ProfileRow[], n: number): string[] =>
    list.slice(0, n).map((r) => `    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.samples).padStart(6)}  ${r.name}`);
  for (const [side, p] of Object.entries(profiles)) {
    const threads = Object.entries(p.threads)
      .map(([g, ms]) => `${g} ${ms} ms`)
      .join(", ");
    out.log(
      `\nCPU profile, ${side}: ${p.samples - p.idleSamples} busy samples of ${p.samples} over ${CPU_PROFILE_REQUESTS} requests ` +
        `(every ${CPU_PROFILE_INTERVAL_US} us at best); process CPU ${(p.processUs / 1000).toFixed(0)} ms (${threads}); ${p.file}`,
    );
    out.log("  self, % of busy samples:");
    rows(p.self, 15).forEach((l) => out.log(l));
    out.log("  total (self and callees):");
    rows(p.total, 15).forEach((l) => out.log(l));
    out.log("  self by script:");
    rows(p.scripts, 8).forEach((l) => out.log(l));
  }
}

async function cleanupAll(): Promise<void> {
  children.forEach((c) => {
    signal(c, "SIGCONT"); // a stopped child must not be left behind stopped if SIGKILL fails
    signal(c, "SIGKILL");
  });
  await Promise.all(stoppers.splice(0).map((s) => s()));
  tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
}

// The last resort: a phase limit that did not hold (a synchronous loop in the handler, say).
const watchdog = setTimeout(() => {
  errors.push(`watchdog: the run exceeded ${WATCHDOG_MS / 1000} s; figures so far follow`);
  releaseConsole();
  printReport();
  void cleanupAll().finally(() => process.exit(2));
}, WATCHDOG_MS);

captureConsole();
run()
  .catch((err: unknown) => void errors.push(`run: ${(err as Error).stack ?? String(err)}`))
  .then(async () => {
    clearTimeout(watchdog);
    releaseConsole();
    await cleanupAll();
    printReport();
    // Exit explicitly: keep-alive sockets of the loaded instances must not decide when we stop.
    process.exit(0); // a phase that failed is reported above; the bench asserts nothing
  });
