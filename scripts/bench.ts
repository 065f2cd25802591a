// Measures the Lambda@Edge handlers and PRINTS the figures: bundle sizes, cold start, added
// latency (inline, 16 KB body, blocked), async mode against a slow node, the response function,
// memory across many invocations and keep-alive reuse. It asserts nothing (machines differ, and
// a benchmark that fails CI on a noisy runner teaches people to ignore it) and `npm test` never
// runs it. Run: `npm run bench`. Output: aligned tables, then one line of JSON (for tooling).
//
// The bundles run as Lambda runs them: `index.js` next to `config.json` in a fresh folder, loaded
// with require; every node is a loopback recording node (tools/recording-node.ts).
import type {
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResponseEvent,
  CloudFrontResponseResult,
  Context,
} from "aws-lambda";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { base64Body, DOC_ORIGIN_RESPONSE, requestEvent } from "../__tests__/handlers/fixtures";
import { Behaviour, RecordingNode, startRecordingNode } from "../tools/recording-node";
import { bundleHandlers } from "./bundle-handlers";

// ---------------------------------------------------------------------------------------------
// Parameters. Counts are fixed so runs compare; the budget caps the whole run on a slow machine.

const COLD_RUNS = 20;
const WARMUP_CALLS = 100;
const HOT_CALLS = 2000;
const BODY_CALLS = 2000;
const BLOCK_CALLS = 500;
const ASYNC_CALLS = 300; // each keeps a socket busy for 400 ms, so this bounds open connections
const RESPONSE_CALLS = 2000;
const RESPONSE_GAP_CALLS = 500;
const RESPONSE_GAP_MS = 1;
const SLOW_NODE_MS = 400;
const BODY_BYTES = 16 * 1024;
/** Every measuring loop stops early once this much of the run has passed (the target is ~60 s). */
const BUDGET_MS = 50_000;

type RequestHandler = (event: CloudFrontRequestEvent, context: Context) => Promise<CloudFrontRequestResult>;
type ResponseHandler = (event: CloudFrontResponseEvent, context: Context) => Promise<CloudFrontResponseResult>;
type BundleName = "request" | "response";

interface Stats {
  n: number;
  /** All in microseconds. */
  median: number;
  p95: number;
  p99: number;
  max: number;
}

interface TimedLoop {
  stats: Stats;
  /** How the handler answered: "pass", or "status 403" / "status 503" for generated responses. */
  outcomes: Record<string, number>;
  /** True when the budget ended the loop before its count. */
  capped: boolean;
}

const CONTEXT = { functionName: "us-east-1.wallarm-connector-bench", awsRequestId: "bench" } as Context;
const startedAt = Date.now();
const deadline = startedAt + BUDGET_MS;
const tempDirs: string[] = [];
const nodes: RecordingNode[] = [];

// ---------------------------------------------------------------------------------------------
// Small helpers: statistics, formatting, temp dirs, log capture, GC.

function elapsedMicros(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1000;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function statsOf(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Microseconds below 1 ms, milliseconds above: the unit a reader expects for each range. */
function formatMicros(us: number): string {
  if (Number.isNaN(us)) return "-";
  return us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? "-" : "";
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${abs} B`;
  if (abs < 1024 * 1024) return `${sign}${(abs / 1024).toFixed(1)} KiB`;
  return `${sign}${(abs / 1024 / 1024).toFixed(1)} MiB`;
}

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  // Text columns left, figures right: first column is the label, the others are numbers.
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  rows.forEach((r) => console.log(line(r)));
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * The handlers log one JSON line per blocked request or failure. During a loop those lines are
 * counted per event instead of printed: 2000 lines would bury the table, and the counts show
 * whether a loop took the path it was meant to measure (e.g. no node_failure in the 200 loop).
 */
const logCounts: Record<string, number> = {};
function muteLogs(): () => void {
  const saved = { log: console.log, error: console.error };
  const count = (...args: unknown[]): void => {
    let event = "unparsed";
    try {
      event = String((JSON.parse(args.map(String).join(" ")) as { event?: unknown }).event);
    } catch {
      // a line that is not JSON is still a line the handler wrote
    }
    logCounts[event] = (logCounts[event] ?? 0) + 1;
  };
  console.log = count;
  console.error = count;
  return () => {
    console.log = saved.log;
    console.error = saved.error;
  };
}

/**
 * npm runs the bench without --expose-gc; the flag can still be set at run time and the gc
 * function fetched from a fresh context. A forced GC before each memory reading makes heapUsed
 * show what is retained, not what merely has not been collected yet.
 */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The recording node runs in this process and keeps every request it received. Those copies are
 * dropped (and counted) before a memory reading, so the reading shows the handler, not the node.
 */
const forgotten = new Map<RecordingNode, number>();
function dropRecordings(node: RecordingNode): void {
  forgotten.set(node, (forgotten.get(node) ?? 0) + node.requests.splice(0).length);
}
function requestsSeen(node: RecordingNode): number {
  return node.requests.length + (forgotten.get(node) ?? 0);
}

async function startNode(behaviour: Behaviour): Promise<RecordingNode> {
  const node = await startRecordingNode({ behaviour });
  nodes.push(node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Bundles and cold-started instances.

interface BundleSize {
  name: BundleName;
  raw: number;
  gzip: number;
  /** Whether generated/modules/lambda-edge/dist holds the same bytes (a stale dist would lie). */
  sameAsGenerated: boolean | "missing";
}

function bundleSize(distDir: string, name: BundleName): BundleSize {
  const bytes = readFileSync(join(distDir, `${name}.js`));
  const generated = resolve(__dirname, "..", "generated", "modules", "lambda-edge", "dist", `${name}.js`);
  const sameAsGenerated = existsSync(generated) ? readFileSync(generated).equals(bytes) : "missing";
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, sameAsGenerated };
}

/** A fresh Lambda folder: the bundle as index.js beside config.json. Returns index.js's path. */
function lambdaFolder(distDir: string, name: BundleName, config: object): string {
  const dir = tempDir(`bench-${name}-`);
  copyFileSync(join(distDir, `${name}.js`), join(dir, "index.js"));
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return join(dir, "index.js");
}

/** require, as the Lambda runtime loads index.handler; a new path is a new module instance. */
function load<H>(indexJs: string): H {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(indexJs) as { handler: H }).handler;
}

function coldRequest(distDir: string, config: object): RequestHandler {
  return load<RequestHandler>(lambdaFolder(distDir, "request", config));
}

function inlineConfig(node: RecordingNode): object {
  return { wallarm_node_url: node.url, wallarm_mode: "inline", node_timeout_ms: 1000, fail_open: true };
}

// ---------------------------------------------------------------------------------------------
// Measurements.

interface ColdStart {
  require: Stats;
  firstRequire: number;
  firstCall: Stats;
}

/**
 * Cold start of one bundle: require of a fresh copy (new folder, so no module cache), then the
 * first handler call, which reads config.json, builds the agent and opens the first connection.
 */
async function measureColdStart(distDir: string, name: BundleName, node: RecordingNode): Promise<ColdStart> {
  const requireTimes: number[] = [];
  const firstCalls: number[] = [];
  const config = inlineConfig(node);
  for (let i = 0; i < COLD_RUNS && Date.now() < deadline; i++) {
    const indexJs = lambdaFolder(distDir, name, config);
    const t0 = process.hrtime.bigint();
    const handler = load<RequestHandler | ResponseHandler>(indexJs);
    requireTimes.push(elapsedMicros(t0));
    const t1 = process.hrtime.bigint();
    if (name === "request") await (handler as RequestHandler)(requestEvent(), CONTEXT);
    else await (handler as ResponseHandler)(DOC_ORIGIN_RESPONSE, CONTEXT);
    firstCalls.push(elapsedMicros(t1));
    delete require.cache[indexJs]; // nothing else holds it: let the instance be collected
  }
  return { require: statsOf(requireTimes), firstRequire: requireTimes[0] ?? NaN, firstCall: statsOf(firstCalls) };
}

function outcomeOf(result: CloudFrontRequestResult | CloudFrontResponseResult): string {
  if (result && "status" in result && !("uri" in result)) return `status ${String(result.status)}`;
  return result ? "pass" : "undefined";
}

interface LoopOptions {
  warmup: number;
  count: number;
  /** Untimed idle time after each call, as between real invocations; 0 runs back to back. */
  gapMs?: number;
  classify?: (result: CloudFrontRequestResult | CloudFrontResponseResult) => string;
}

/**
 * Sequential calls, warm-up first (JIT, pooled socket), each timed alone with hrtime. The node
 * shares this event loop, so a sample includes its parsing too; the bare-http baseline pays the
 * same, and the difference is what the handler adds.
 */
async function timedLoop<E>(
  call: (event: E) => Promise<CloudFrontRequestResult | CloudFrontResponseResult>,
  makeEvent: () => E,
  { warmup, count, gapMs = 0, classify = outcomeOf }: LoopOptions,
): Promise<TimedLoop> {
  for (let i = 0; i < warmup && Date.now() < deadline; i++) {
    await call(makeEvent());
    if (gapMs > 0) await sleep(gapMs);
  }
  const samples: number[] = [];
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const event = makeEvent(); // built outside the timed region: CloudFront hands it over ready
    const t0 = process.hrtime.bigint();
    const result = await call(event);
    samples.push(elapsedMicros(t0));
    const outcome = classify(result);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (gapMs > 0) await sleep(gapMs);
  }
  return { stats: statsOf(samples), outcomes, capped: samples.length < count };
}

/** The same node round trip without the handler: what the handler adds on top of the network. */
async function bareRoundTrips(node: RecordingNode): Promise<TimedLoop> {
  const agent = new http.Agent({ keepAlive: true });
  const once = (): Promise<CloudFrontRequestResult> =>
    new Promise((done, fail) => {
      const req = http.request({ agent, hostname: "127.0.0.1", port: node.port, method: "GET", path: "/" }, (res) => {
        res.resume();
        res.on("end", () => done(undefined));
      });
      req.on("error", fail);
      req.end();
    });
  try {
    return await timedLoop(once, () => undefined, { warmup: WARMUP_CALLS, count: HOT_CALLS, classify: () => "answered" });
  } finally {
    agent.destroy();
  }
}

interface MemoryReading {
  rss: number;
  heapUsed: number;
  /** Buffers and other memory outside the V8 heap (socket data, bodies). */
  external: number;
}

/** Two full GCs with a pause between: V8 frees Buffer backing stores on a background thread. */
async function readMemory(gc: () => void): Promise<MemoryReading> {
  gc();
  await sleep(100);
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

// ---------------------------------------------------------------------------------------------
// The run.

interface Results {
  sizes: BundleSize[];
  cold: Record<BundleName, ColdStart>;
  loops: Record<string, TimedLoop>;
  /** Readings before, after the timed inline loop, and after a second batch of the same size. */
  memory: { before: MemoryReading; after: MemoryReading; afterSecond: MemoryReading; invocations: number };
  connections: Record<string, { connections: number; requests: number }>;
}

async function run(): Promise<Results> {
  const gc = exposeGc();
  const distDir = tempDir("bench-dist-");
  await bundleHandlers(distDir);
  const sizes = [bundleSize(distDir, "request"), bundleSize(distDir, "response")];

  const coldNode = await startNode({ kind: "status", status: 200 });
  const cold = {
    request: await measureColdStart(distDir, "request", coldNode),
    response: await measureColdStart(distDir, "response", coldNode),
  };

  const loops: Record<string, TimedLoop> = {};
  const connections: Results["connections"] = {};
  const seen = (label: string, node: RecordingNode): void => {
    connections[label] = { connections: node.connections(), requests: requestsSeen(node) };
  };

  // Inline, node answers 200 at once. Memory is read around this loop: the warm-up has filled
  // the pool and JIT, so growth across it is what each request leaves behind.
  const okNode = await startNode({ kind: "status", status: 200 });
  const inline = coldRequest(distDir, inlineConfig(okNode));
  const callInline = (e: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> => inline(e, CONTEXT);
  await timedLoop(callInline, () => requestEvent(), { warmup: WARMUP_CALLS, count: 0 });
  dropRecordings(okNode);
  const before = await readMemory(gc);
  loops["request inline 200"] = await timedLoop(callInline, () => requestEvent(), { warmup: 0, count: HOT_CALLS });
  dropRecordings(okNode);
  const after = await readMemory(gc);
  // A second, untimed batch: the first one also pays one-off costs (optimised code, V8's young
  // generation growing to its working size); per-request retention shows in both deltas alike.
  const invocations = loops["request inline 200"].stats.n;
  await timedLoop(callInline, () => requestEvent(), { warmup: 0, count: invocations });
  dropRecordings(okNode);
  const afterSecond = await readMemory(gc);
  const memory = { before, after, afterSecond, invocations };
  seen("request inline 200", okNode);

  const bareNode = await startNode({ kind: "status", status: 200 });
  loops["baseline: bare http keep-alive"] = await bareRoundTrips(bareNode);
  seen("baseline: bare http keep-alive", bareNode);

  const bodyNode = await startNode({ kind: "status", status: 200 });
  const withBody = coldRequest(distDir, inlineConfig(bodyNode));
  const body = base64Body(randomBytes(BODY_BYTES));
  // 16 KiB of random bytes, which CloudFront hands over base64-encoded (about 21.8 KB of text).
  const bodyEvent = (): CloudFrontRequestEvent =>
    requestEvent({
      method: "POST",
      headers: [["Host", "shop.example.com"], ["Content-Type", "application/octet-stream"], ["Content-Length", String(BODY_BYTES)]],
      body,
    });
  loops["request inline 200, 16 KiB body"] = await timedLoop((e: CloudFrontRequestEvent) => withBody(e, CONTEXT), bodyEvent, {
    warmup: WARMUP_CALLS,
    count: BODY_CALLS,
  });
  seen("request inline 200, 16 KiB body", bodyNode);

  const blockNode = await startNode({ kind: "status", status: 403 });
  const blocking = coldRequest(distDir, inlineConfig(blockNode));
  loops["request inline 403 (blocked)"] = await timedLoop((e: CloudFrontRequestEvent) => blocking(e, CONTEXT), () => requestEvent(), {
    warmup: WARMUP_CALLS,
    count: BLOCK_CALLS,
  });
  seen("request inline 403 (blocked)", blockNode);

  // Async against a node that answers late: the handler must return once the copy is written.
  const slowNode = await startNode({ kind: "status", status: 200, delayMs: SLOW_NODE_MS });
  const asyncHandler = coldRequest(distDir, { ...inlineConfig(slowNode), wallarm_mode: "async" });
  loops[`request async, node answers in ${SLOW_NODE_MS} ms`] = await timedLoop(
    (e: CloudFrontRequestEvent) => asyncHandler(e, CONTEXT),
    () => requestEvent(),
    { warmup: 10, count: ASYNC_CALLS }, // few warm-ups: each one also holds a socket for 400 ms
  );
  await sleep(SLOW_NODE_MS + 100); // let the last copy land and the late answers go out
  seen(`request async, node answers in ${SLOW_NODE_MS} ms`, slowNode);

  // The response function returns once its report is written, before the node's answer. Back
  // to back, the next call finds the pooled socket still waiting for that answer; with a short
  // idle gap (as between real invocations) the answer has arrived. Both show keep-alive reuse.
  for (const gapMs of [0, RESPONSE_GAP_MS]) {
    const label = gapMs ? `response, ${gapMs} ms idle between calls` : "response (report to node)";
    const reportNode = await startNode({ kind: "status", status: 200 });
    const respond = load<ResponseHandler>(lambdaFolder(distDir, "response", inlineConfig(reportNode)));
    loops[label] = await timedLoop((e: CloudFrontResponseEvent) => respond(e, CONTEXT), () => DOC_ORIGIN_RESPONSE, {
      warmup: WARMUP_CALLS,
      count: gapMs ? RESPONSE_GAP_CALLS : RESPONSE_CALLS,
      gapMs,
    });
    await sleep(50); // the last report is written, not necessarily received yet
    seen(label, reportNode);
  }

  return { sizes, cold, loops, memory, connections };
}

function printResults(r: Results, runtimeMs: number): void {
  printTable(
    "Bundle sizes (fresh bundleHandlers)",
    ["bundle", "raw", "gzip -9", "same as generated/"],
    r.sizes.map((s) => [`${s.name}.js`, `${s.raw} B`, `${s.gzip} B`, String(s.sameAsGenerated)]),
  );

  const statRow = (label: string, s: Stats, note: string): string[] => [
    label,
    String(s.n),
    formatMicros(s.median),
    formatMicros(s.p95),
    formatMicros(s.p99),
    formatMicros(s.max),
    note,
  ];
  const timingHeader = ["timing", "n", "median", "p95", "p99", "max", "notes"];
  const coldRows = (["request", "response"] as const).flatMap((name) => [
    statRow(`${name}: require fresh bundle`, r.cold[name].require, `first ${formatMicros(r.cold[name].firstRequire)}`),
    statRow(`${name}: first call (config, agent, connect)`, r.cold[name].firstCall, ""),
  ]);
  printTable("Cold start", timingHeader, coldRows);

  const loopRows = Object.entries(r.loops).map(([label, l]) => {
    const outcomes = Object.entries(l.outcomes).map(([k, v]) => `${k}=${v}`).join(" ");
    const conn = r.connections[label];
    const connNote = conn ? `conns=${conn.connections} node-reqs=${conn.requests}` : "";
    return statRow(label, l.stats, [outcomes, connNote, l.capped ? "CAPPED by time budget" : ""].filter(Boolean).join("  "));
  });
  printTable("Warm invocations (sequential, handler time)", timingHeader, loopRows);

  const { before, after, afterSecond, invocations } = r.memory;
  const perCall = (a: number, b: number): string => (invocations > 0 ? `${((b - a) / invocations).toFixed(1)} B` : "-");
  const memoryRow = (label: string, pick: (m: MemoryReading) => number): string[] => [
    label,
    formatBytes(pick(before)),
    formatBytes(pick(after)),
    formatBytes(pick(afterSecond)),
    perCall(pick(before), pick(after)),
    perCall(pick(after), pick(afterSecond)),
  ];
  printTable(
    `Memory, request inline 200, ${invocations} invocations per batch (after forced GC)`,
    ["measure", "before", "after 1st", "after 2nd", "per call 1st", "per call 2nd"],
    [
      memoryRow("rss", (m) => m.rss),
      memoryRow("heapUsed", (m) => m.heapUsed),
      memoryRow("external", (m) => m.external),
    ],
  );

  const logs = Object.entries(logCounts).map(([k, v]) => `${k}=${v}`).join(" ") || "none";
  console.log(`\nhandler log lines during the run: ${logs}`);
  console.log(`bench runtime: ${(runtimeMs / 1000).toFixed(1)} s (node ${process.version}, budget ${BUDGET_MS / 1000} s)\n`);
  console.log(JSON.stringify({ unit: "µs", runtime_ms: Math.round(runtimeMs), ...r, logs: logCounts }));
}

async function main(): Promise<void> {
  const unmute = muteLogs();
  let results: Results;
  try {
    results = await run();
  } finally {
    unmute();
    await Promise.all(nodes.map((n) => n.stop()));
    tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  }
  printResults(results, Date.now() - startedAt);
}

main().then(
  // Exit explicitly: keep-alive sockets of the loaded instances must not decide when we stop.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
