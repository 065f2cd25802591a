// The benchmark's arithmetic, pure so it is unit-tested (__tests__/bench-tools.test.ts): order
// statistics, the idle-gap schedule of the interleaved latency runs, the rotation of the CPU
// blocks and their per-request totals.

export interface Stats {
  n: number;
  /** All in ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function statsOf(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** a / b, NaN when b is not positive. */
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** A small seeded generator (mulberry32): the same seed gives the same schedule on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface IdlePair {
  /** Which call of the pair goes first: alternates, so neither side always follows the other. */
  first: "function" | "direct";
  /** The idle time before each of the pair's two calls, in ms (the same for both: fair to each). */
  gapMs: number;
}

/**
 * The schedule of an interleaved latency run with idle gaps, as Lambda meets requests: `pairs`
 * pairs of one function call and one direct call, each call after an idle gap drawn uniformly
 * from [minMs, maxMs] (0.1 ms steps), the order alternating pair by pair.
 */
export function idleSchedule(pairs: number, minMs: number, maxMs: number, seed = 1): IdlePair[] {
  if (!(minMs >= 0 && maxMs >= minMs)) throw new Error(`idle gaps need 0 <= min <= max, got ${minMs}..${maxMs}`);
  const random = seededRandom(seed);
  return Array.from({ length: pairs }, (_, i) => ({
    first: i % 2 === 0 ? "function" : "direct",
    gapMs: Math.round((minMs + random() * (maxMs - minMs)) * 10) / 10,
  }));
}

/**
 * The order of the sides in each of `rounds` rounds of CPU blocks: rotated by one each round, so
 * each side runs in each position (first after a pause, after another side, last) equally often.
 */
export function rotations<T>(sides: readonly T[], rounds: number): T[][] {
  return Array.from({ length: rounds }, (_, r) => sides.map((_, i) => sides[(i + r) % sides.length]));
}

/**
 * The CPU of one block of `calls` calls of a side, each followed by the same idle gap, as
 * process.cpuUsage() differences around the whole block.
 */
export interface CpuSample<S extends string = string> {
  side: S;
  /** The round: in each, every side runs one block, in an order rotated round by round. */
  index: number;
  calls: number;
  userUs: number;
  systemUs: number;
  /** The main thread's share (from /proc, 10 ms ticks: exact only summed over many blocks). */
  mainUs?: number;
}

export interface CpuSide {
  calls: number;
  /** Means per call over all blocks, in µs: user + system, each alone, the main thread's share. */
  meanUs: number;
  userUs: number;
  systemUs: number;
  mainUs: number | null;
  /** Median and 90th percentile of the blocks' per-call CPU. */
  medianUs: number;
  p90Us: number;
  /** meanUs less the idle side's: what the call itself cost. */
  netUs: number;
  /** netUs of each of `segments` consecutive parts of the run (by round): the spread. */
  segmentsNetUs: number[];
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const total = (x: CpuSample): number => x.userUs + x.systemUs;
/** µs per call over a set of blocks: sums over sums, so a longer block weighs more. */
const perCall = (blocks: readonly CpuSample[], of: (x: CpuSample) => number = total): number => {
  const calls = blocks.reduce((n, x) => n + x.calls, 0);
  return calls > 0 ? blocks.reduce((n, x) => n + of(x), 0) / calls : NaN;
};

/**
 * Per side: the CPU per call, net of what the idle side (the same gaps, no call) costs, overall
 * and in `segments` consecutive parts of the run.
 */
export function cpuSummary<S extends string>(samples: ReadonlyArray<CpuSample<S>>, idle: S, segments = 10): Record<S, CpuSide> {
  const rounds = Math.max(0, ...samples.map((x) => x.index)) + 1;
  const segmentOf = (x: CpuSample<S>): number => Math.min(segments - 1, Math.floor((x.index * segments) / rounds));
  const idleBlocks = samples.filter((x) => x.side === idle);
  const out = {} as Record<S, CpuSide>;
  for (const side of [...new Set(samples.map((x) => x.side))]) {
    const mine = samples.filter((x) => x.side === side);
    const blocks = mine.map((x) => total(x) / x.calls).sort((a, b) => a - b);
    const withMain = mine.every((x) => x.mainUs !== undefined) && mine.length > 0;
    out[side] = {
      calls: mine.reduce((n, x) => n + x.calls, 0),
      meanUs: round1(perCall(mine)),
      userUs: round1(perCall(mine, (x) => x.userUs)),
      systemUs: round1(perCall(mine, (x) => x.systemUs)),
      mainUs: withMain ? round1(perCall(mine, (x) => x.mainUs ?? 0)) : null,
      medianUs: round1(percentile(blocks, 50)),
      p90Us: round1(percentile(blocks, 90)),
      netUs: round1(perCall(mine) - perCall(idleBlocks)),
      segmentsNetUs: Array.from({ length: segments }, (_, seg) =>
        round1(perCall(mine.filter((x) => segmentOf(x) === seg)) - perCall(idleBlocks.filter((x) => segmentOf(x) === seg))),
      ),
    };
  }
  return out;
}

/** a's net CPU over b's, segment by segment (both measured in the same stretch of the run). */
export function segmentRatios(a: CpuSide, b: CpuSide): number[] {
  return a.segmentsNetUs.map((v, i) => round3(ratio(v, b.segmentsNetUs[i] ?? NaN)));
}

/**
 * a's net CPU per call over b's, round by round: each round's three blocks (a, b and idle) ran
 * within a fraction of a second of each other, so a burst of load from elsewhere shifts one
 * round, and the median over the rounds shrugs it off.
 */
export function roundRatios<S extends string>(samples: ReadonlyArray<CpuSample<S>>, a: S, b: S, idle: S): number[] {
  const byRound = new Map<number, Partial<Record<S, number>>>();
  for (const x of samples) (byRound.get(x.index) ?? byRound.set(x.index, {}).get(x.index)!)[x.side] = total(x) / x.calls;
  const out: number[] = [];
  for (const [, r] of [...byRound.entries()].sort((p, q) => p[0] - q[0])) {
    const [va, vb, vi] = [r[a], r[b], r[idle]];
    if (va !== undefined && vb !== undefined && vi !== undefined) out.push(round3(ratio(va - vi, vb - vi)));
  }
  return out;
}

/** One line of /proc/<pid>/task/<tid>/stat: the thread's name and its user and system CPU in clock ticks. */
export function parseThreadStat(line: string): { name: string; userTicks: number; systemTicks: number } | undefined {
  // "tid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(" ");
  // Fields 14 and 15 of proc(5) (utime, stime); rest[0] is field 3 (state).
  const userTicks = Number(rest[11]);
  const systemTicks = Number(rest[12]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return undefined;
  return { name: line.slice(open + 1, close), userTicks, systemTicks };
}

/**
 * Thread names as groups: the main thread (the event loop) apart; the others, all named "node"
 * in Node 20 (V8's platform workers: concurrent compilation and GC; libuv's pool), as "workers";
 * V8's own named threads (the profiler's "v8:ProfEvntProc") by name.
 */
export function threadGroup(name: string, isMain: boolean): string {
  if (isMain) return "main";
  return name.startsWith("v8:") ? name : "workers";
}
