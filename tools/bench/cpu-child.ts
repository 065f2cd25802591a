// The client side of the CPU benchmark, in a process of its own: forked by scripts/bench.ts
// (which runs the node and the relay), so process.cpuUsage() here counts the client's work only.
// It loads an in-line and an async request bundle (Lambda folders, as Lambda loads them), then,
// on the parent's word, measures per request:
//   function  the in-line handler called with a CloudFront event (the whole function)
//   async     the async handler called with the same event (a copy, not waited for)
//   https     node:https with a keep-alive Agent sending the node the request the handler sent
//   raw       a TLS socket writing the bytes the handler's client wrote and reading the answer
//             (the floor: no HTTP machinery at all)
// in rounds of one short block per side, the order rotated round by round; every call is followed
// by the same idle gap, which a fifth side, "idle", spends without calls: CPU is read around each
// block and the idle side's cost is subtracted. Optionally CPU profiles of each side (inspector).
// Then, on another word, in-line latency, function against https, each call after an idle gap.
//   node cpu-child.cjs   (IPC: ToCpuChild in, FromCpuChild out)
import type { CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { Session } from "node:inspector";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { benchRequestEvent, outcomeOf } from "./events";
import { type CpuProfile, type ProfileSummary, summarizeProfile } from "./profile";
import { type CpuSample, idleSchedule, parseThreadStat, rotations, threadGroup } from "./stats";

export type CpuSideName = "function" | "async" | "https" | "raw" | "baseline";
export const CPU_SIDES: readonly CpuSideName[] = ["function", "https", "raw", "async"];
/** The sides measured: the four, and "baseline" (another in-line bundle) when given one. */
const sidesOf = (p: CpuPlan): CpuSideName[] => (p.baselineDir ? [...CPU_SIDES, "baseline"] : [...CPU_SIDES]);
/** The measured sides and "idle": the gap alone, no call. */
export type CpuSampleSide = CpuSideName | "idle";

export interface CpuPlan {
  /** Lambda folders (index.js + config.json) of the in-line and the async function. */
  inlineDir: string;
  asyncDir: string;
  /** Optionally another in-line function (an earlier build, say), measured as side "baseline". */
  baselineDir?: string;
  /** Where the direct clients connect (the relay), and the CA they trust. */
  host: string;
  port: number;
  caPem: string;
  /** Calls per side before anything is measured (connections, JIT). */
  warmup: number;
  /** Measured calls per side, in blocks of `block` calls. */
  requests: number;
  block: number;
  /**
   * Idle time after each measured call, inside its measurement: an answer still on its way (an
   * async copy's) is counted with its call, not another side's.
   */
  settleMs: number;
  /** Latency: pairs of calls (function, https), each call after an idle gap in [gapMinMs, gapMaxMs]. */
  pairs: number;
  gapMinMs: number;
  gapMaxMs: number;
  /** Profile each side over `requests` calls; the functions from bundles with their names kept. */
  profile?: { inlineDir: string; asyncDir: string; requests: number; intervalUs: number; dir: string };
}

/** The request the in-line handler sent, as the node received it (header values as latin1). */
export interface Template {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: string; // base64
}

export interface CpuResult {
  samples: Array<CpuSample<CpuSampleSide>>;
  wallMs: Partial<Record<CpuSideName, number>>;
  outcomes: Partial<Record<CpuSideName, Record<string, number>>>;
  latency: { function: number[]; https: number[]; gapsMs: number[] };
  profiles?: Partial<Record<CpuSideName, SideProfile>>;
  /** Lines the handlers logged while measured (the first few kept). */
  logLines: number;
  logSample: string[];
}

export type ToCpuChild =
  { type: "warm"; plan: CpuPlan } | { type: "prepare"; template: Template } | { type: "measure" } | { type: "latency" } | { type: "exit" };
export type FromCpuChild =
  | { type: "ready" }
  | { type: "warmed"; outcomes: Record<string, number> }
  | { type: "prepared"; outcomes: Record<string, number> }
  | { type: "result"; result: CpuResult }
  | { type: "latency"; latency: CpuResult["latency"]; outcomes: CpuResult["outcomes"] }
  | { type: "failed"; error: string };

type RequestHandler = (event: CloudFrontRequestEvent, context: Context) => Promise<CloudFrontRequestResult>;
type Call = () => Promise<string>;

const CONTEXT = { functionName: "us-east-1.wallarm-connector-bench", awsRequestId: "bench-cpu" } as Context;
const send = (msg: FromCpuChild): void => void process.send?.(msg);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Handler log lines are counted, not sent: IPC would cost CPU inside the measurements.
let logLines = 0;
const logSample: string[] = [];
console.log = (...args: unknown[]): void => {
  logLines++;
  if (logSample.length < 5) logSample.push(args.map(String).join(" ").slice(0, 300));
};
console.error = console.log;
console.warn = console.log;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (dir: string): RequestHandler => (require(join(dir, "index.js")) as { handler: RequestHandler }).handler;

let plan: CpuPlan;
let inline: RequestHandler;
let async: RequestHandler;

/** A handler side: the events are built before the measured calls (CloudFront hands them over ready). */
function handlerSide(handler: RequestHandler): { prepare(n: number): void; call: Call } {
  let events: CloudFrontRequestEvent[] = [];
  let next = 0;
  return {
    prepare: (n) => {
      events = Array.from({ length: n }, () => benchRequestEvent());
      next = 0;
    },
    call: async () => outcomeOf(await handler(events[next++] ?? benchRequestEvent(), CONTEXT)),
  };
}

/** Header pairs with the request id replaced, in its place: `id` is written where the handler wrote its own. */
const withId = (pairs: Array<[string, string]>, id: string): Array<[string, string]> =>
  pairs.map(([k, v]) => [k, k.toLowerCase() === "x-wallarm-request-id" ? id : v]);

// Added by node:http itself for a keep-alive agent; given again, it would be written twice.
const CLIENT_ADDED = new Set(["connection", "keep-alive", "transfer-encoding"]);

function httpsSide(template: Template): { call: Call; close(): void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: plan.caPem });
  const pairs = template.headers.filter(([k]) => !CLIENT_ADDED.has(k.toLowerCase()));
  const body = Buffer.from(template.body, "base64");
  let n = 0;
  return {
    call: () =>
      new Promise((resolve, reject) => {
        const headers = withId(pairs, `direct-${process.pid}-${++n}-Abc_dEf==`).flat();
        const req = https.request(
          { agent, host: plan.host, port: plan.port, method: template.method, path: template.path, headers },
          (res) => {
            res.resume();
            res.on("end", () => resolve(`status ${res.statusCode ?? 0}`));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body.length > 0 ? body : undefined);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * The floor: the same bytes on a kept TLS socket, and just enough parsing to know where the
 * answer ends (content-length, or the last chunk).
 */
async function rawSide(template: Template): Promise<{ call: Call; close(): void }> {
  const socket: TLSSocket = tlsConnect({ host: plan.host, port: plan.port, ca: plan.caPem, ALPNProtocols: ["http/1.1"] });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  socket.setNoDelay(true);
  const idAt = template.headers.findIndex(([k]) => k.toLowerCase() === "x-wallarm-request-id");
  const line = ([k, v]: [string, string]): string => `${k}: ${v}\r\n`;
  const before = `${template.method} ${template.path} HTTP/1.1\r\n${template.headers.slice(0, Math.max(0, idAt)).map(line).join("")}`;
  const idKey = idAt >= 0 ? template.headers[idAt][0] : "x-wallarm-request-id";
  const after = `${template.headers
    .slice(idAt + 1)
    .map(line)
    .join("")}\r\n`;
  const body = Buffer.from(template.body, "base64");
  let n = 0;
  let pending: { resolve: (s: string) => void; reject: (e: Error) => void } | undefined;
  let buffered: Buffer = Buffer.alloc(0);
  const tryComplete = (): void => {
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0 || !pending) return;
    const head = buffered.subarray(0, end).toString("latin1");
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const rest = buffered.subarray(end + 4);
    let complete: boolean;
    if (length) complete = rest.length >= Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) complete = rest.subarray(-5).toString("latin1") === "0\r\n\r\n";
    else complete = true;
    if (!complete) return;
    buffered = Buffer.alloc(0);
    const p = pending;
    pending = undefined;
    p.resolve(`status ${head.slice(9, 12)}`);
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    tryComplete();
  });
  const fail = (err: Error): void => {
    const p = pending;
    pending = undefined;
    p?.reject(err);
  };
  socket.on("error", fail);
  socket.on("close", () => fail(new Error("raw TLS socket closed")));
  return {
    call: () =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(`${before}${idKey}: raw-${process.pid}-${++n}-Abc_dEf==\r\n${after}`, "latin1");
        if (body.length > 0) socket.write(body);
      }),
    close: () => socket.destroy(),
  };
}

/** CPU ms so far by thread group, from /proc/self/task/<tid>/stat (Linux); {} elsewhere. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = parseThreadStat(readFileSync(`/proc/self/task/${tid}/stat`, "utf8"));
      if (!stat) continue;
      const group = threadGroup(stat.name, Number(tid) === process.pid);
      out[group] = (out[group] ?? 0) + (stat.userTicks + stat.systemTicks) * 10; // USER_HZ = 100
    }
  } catch {
    // no /proc: the split is simply not reported
  }
  return out;
}

/** The main thread's CPU so far in µs (10 ms ticks), from /proc; undefined elsewhere. */
function mainThreadUs(): number | undefined {
  try {
    const stat = parseThreadStat(readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8"));
    return stat ? (stat.userTicks + stat.systemTicks) * 10_000 : undefined;
  } catch {
    return undefined;
  }
}

const tally = (outcomes: Record<string, number>, outcome: string): void => void (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);

type Side = { prepare?(n: number): void; call: Call };
let sides: Partial<Record<CpuSideName, Side>> | undefined;
let baseline: RequestHandler | undefined;
let named: { function: Side; async: Side } | undefined;
let closeDirect: () => void = () => undefined;

/** `n` calls of a side, the outcomes tallied; never throws. */
async function calls(side: Side, n: number, outcomes: Record<string, number>): Promise<void> {
  side.prepare?.(n);
  for (let i = 0; i < n; i++) tally(outcomes, await side.call().catch((err: Error) => `error: ${err.message}`));
}

/** Loads the functions (cold starts, their connections opened at init) and warms them. */
async function warm(p: CpuPlan): Promise<Record<string, number>> {
  plan = p;
  inline = load(p.inlineDir);
  async = load(p.asyncDir);
  if (p.baselineDir) baseline = load(p.baselineDir);
  if (p.profile) named = { function: handlerSide(load(p.profile.inlineDir)), async: handlerSide(load(p.profile.asyncDir)) };
  const outcomes: Record<string, number> = {};
  const handlers = [inline, async, ...(baseline ? [baseline] : [])].map(handlerSide);
  for (const side of [...handlers, ...(named ? [named.function, named.async] : [])]) {
    await calls(side, p.warmup, outcomes);
  }
  return outcomes;
}

/**
 * Opens the direct clients and warms them too, then all sides once more in turn: V8 keeps
 * compiling for thousands of calls (the bench asks for them at 0 ms RTT), and a side measured
 * while the compiler still works would pay for it.
 */
async function prepare(template: Template): Promise<Record<string, number>> {
  const direct = httpsSide(template);
  const raw = await rawSide(template);
  closeDirect = () => {
    direct.close();
    raw.close();
  };
  sides = {
    function: handlerSide(inline),
    async: handlerSide(async),
    https: direct,
    raw,
    ...(baseline ? { baseline: handlerSide(baseline) } : {}),
  };
  const outcomes: Record<string, number> = {};
  await calls(direct, plan.warmup, outcomes);
  await calls(raw, plan.warmup, outcomes);
  for (let i = 0; i < plan.warmup / 10; i++) for (const side of sidesOf(plan)) await calls(sides[side]!, 10, outcomes);
  return outcomes;
}

/** A side's profile summary, with the process CPU over the profiled calls (profiler overhead included). */
export type SideProfile = ProfileSummary & { file: string; processUs: number; threads: Record<string, number> };

/** CPU profile of `calls` calls of one side, through the inspector in this very process. */
async function profiled(name: CpuSideName, calls: number, call: Call, prepare?: (n: number) => void): Promise<SideProfile> {
  const profile = plan.profile!;
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object): Promise<T> =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: profile.intervalUs });
  prepare?.(calls);
  await post("Profiler.start");
  const before = process.cpuUsage();
  const threadsBefore = threadCpu();
  for (let i = 0; i < calls; i++) await call();
  await sleep(plan.settleMs);
  const used = process.cpuUsage(before);
  const threadsAfter = threadCpu();
  const { profile: result } = await post<{ profile: CpuProfile }>("Profiler.stop");
  session.disconnect();
  const file = join(profile.dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(result));
  const threads = Object.fromEntries(Object.entries(threadsAfter).map(([g, ms]) => [g, ms - (threadsBefore[g] ?? 0)]));
  return { ...summarizeProfile(result, 25), file, processUs: used.user + used.system, threads };
}

async function measure(): Promise<CpuResult> {
  if (!sides) throw new Error("measure before prepare");
  const all = sides;
  const measured = sidesOf(plan);
  const outcomes: CpuResult["outcomes"] = Object.fromEntries(measured.map((s) => [s, {}]));
  const wallMs: CpuResult["wallMs"] = Object.fromEntries(measured.map((s) => [s, 0]));

  // CPU: rounds of one block per side (and one of idle gaps alone), the order rotated each round.
  const samples: CpuResult["samples"] = [];
  logLines = 0;
  const rounds = rotations<CpuSampleSide>([...measured, "idle"], Math.max(1, Math.round(plan.requests / plan.block)));
  for (const [index, order] of rounds.entries()) {
    for (const side of order) {
      const calls = side === "idle" ? undefined : all[side]!;
      calls?.prepare?.(plan.block);
      const t0 = performance.now();
      const mainBefore = mainThreadUs();
      const before = process.cpuUsage();
      for (let i = 0; i < plan.block; i++) {
        if (calls) tally((outcomes[side as CpuSideName] ??= {}), await calls.call().catch((err: Error) => `error: ${err.message}`));
        await sleep(plan.settleMs);
      }
      const used = process.cpuUsage(before);
      const mainAfter = mainThreadUs();
      if (side !== "idle") wallMs[side] = (wallMs[side] ?? 0) + performance.now() - t0;
      const mainUs = mainBefore !== undefined && mainAfter !== undefined ? mainAfter - mainBefore : undefined;
      samples.push({
        side,
        index,
        calls: plan.block,
        userUs: used.user,
        systemUs: used.system,
        ...(mainUs !== undefined ? { mainUs } : {}),
      });
    }
  }

  let profiles: CpuResult["profiles"];
  if (plan.profile) {
    // The bundles with their names kept (warmed with the others).
    const [fn, copy] = [named!.function, named!.async];
    const n = plan.profile.requests;
    profiles = {
      function: await profiled("function", n, fn.call, fn.prepare),
      https: await profiled("https", n, all.https!.call),
      raw: await profiled("raw", n, all.raw!.call),
      async: await profiled("async", n, copy.call, copy.prepare),
    };
  }
  return { samples, wallMs, outcomes, latency: { function: [], https: [], gapsMs: [] }, profiles, logLines, logSample };
}

/** In-line latency, function against https, each call after an idle gap; then the clients close. */
async function measureLatency(): Promise<{ latency: CpuResult["latency"]; outcomes: CpuResult["outcomes"] }> {
  if (!sides) throw new Error("latency before prepare");
  const all = sides;
  const outcomes: CpuResult["outcomes"] = {};
  // Function and https alternately, every call after an idle gap, as Lambda meets requests.
  const latency: CpuResult["latency"] = { function: [], https: [], gapsMs: [] };
  const schedule = idleSchedule(plan.pairs, plan.gapMinMs, plan.gapMaxMs);
  const timedCall = async (side: "function" | "https", gapMs: number): Promise<void> => {
    all[side]!.prepare?.(1);
    await sleep(gapMs);
    const t0 = performance.now();
    const outcome = await all[side]!.call().catch((err: Error) => `error: ${err.message}`);
    latency[side].push(performance.now() - t0);
    tally((outcomes[side] ??= {}), outcome);
  };
  for (const { first, gapMs } of schedule) {
    latency.gapsMs.push(gapMs);
    if (first === "function") {
      await timedCall("function", gapMs);
      await timedCall("https", gapMs);
    } else {
      await timedCall("https", gapMs);
      await timedCall("function", gapMs);
    }
  }

  closeDirect();
  return { latency, outcomes };
}

process.on("message", (msg: ToCpuChild) => {
  if (msg.type === "exit") return void process.exit(0);
  const work: Promise<FromCpuChild> =
    msg.type === "warm"
      ? warm(msg.plan).then((outcomes) => ({ type: "warmed", outcomes }))
      : msg.type === "prepare"
        ? prepare(msg.template).then((outcomes) => ({ type: "prepared", outcomes }))
        : msg.type === "measure"
          ? measure().then((result) => ({ type: "result", result }))
          : measureLatency().then(({ latency, outcomes }) => ({ type: "latency", latency, outcomes }));
  work.then(send, (err: unknown) => send({ type: "failed", error: (err as Error).stack ?? String(err) }));
});
// The parent going away must not leave this process behind.
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
