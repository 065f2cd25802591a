// Metrics without a log line per request: each function instance counts in memory and writes one
// CloudWatch embedded metric format (EMF) line per event type once the interval has passed, at
// the start of an invocation (a frozen instance runs no timers).

export const COUNTERS = [
  "Requests",
  "Inspected",
  "Skipped",
  "Blocked",
  "Refused",
  "Truncated",
  "NodeFailures",
  "CopiesLost",
  "CopiesRefused",
  "BreakerOpen",
  "Failovers",
] as const;
export type Counter = (typeof COUNTERS)[number];

interface Tally {
  counts: Record<Counter, number>;
  /** NodeLatency samples per bucket (bucket value as the key). */
  buckets: Record<string, number>;
  /** NodeLatency's exact statistics. */
  stats: { Min: number; Max: number; Count: number; Sum: number };
}

export interface Metrics {
  count(eventType: string, counter: Counter): void;
  latency(eventType: string, ms: number): void;
  /** Writes the counts when the interval has passed since the last line; call first in each invocation. */
  flush(now: number): void;
}

// The bound of the k-th bucket (10^(k/10) to two digits), computed once per k: toPrecision and
// Number() cost more than the rest of a request's metrics together.
const BOUNDS: number[] = [];
function bucketBound(k: number): number {
  return (BOUNDS[k] ??= Number((10 ** (k / 10)).toPrecision(2)));
}

/**
 * The bucket a latency is counted in: ten per decade, upper bounds rounded to two digits. A
 * latency is at most the 30 s node timeout, so a line holds at most 46 values, within EMF's 100.
 */
export const latencyBucket = (ms: number): number => bucketBound(Math.ceil(Math.log10(Math.max(ms, 1)) * 10));

export function metrics(namespace: string, intervalMs: number, write: (line: string) => void, started = Date.now()): Metrics {
  let tallies: Record<string, Tally> = {};
  let last = started;
  const tally = (eventType: string): Tally => {
    tallies[eventType] ??= {
      counts: Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Tally["counts"],
      buckets: {},
      stats: { Min: Infinity, Max: 0, Count: 0, Sum: 0 },
    };
    return tallies[eventType];
  };
  return {
    count: (eventType, counter) => {
      const { counts } = tally(eventType);
      // BreakerOpen says whether the breaker was open at all in the interval.
      counts[counter] = counter === "BreakerOpen" ? 1 : counts[counter] + 1;
    },
    latency: (eventType, ms) => {
      const { buckets, stats } = tally(eventType);
      const bucket = latencyBucket(ms);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
      stats.Min = Math.min(stats.Min, ms);
      stats.Max = Math.max(stats.Max, ms);
      stats.Count++;
      stats.Sum += ms;
    },
    flush: (at) => {
      if (at - last < intervalMs) return;
      last = at;
      for (const eventType in tallies) write(emfLine(namespace, at, eventType, tallies[eventType]));
      tallies = {};
    },
  };
}

function emfLine(namespace: string, timestamp: number, eventType: string, { counts, buckets, stats }: Tally): string {
  const sampled = stats.Count > 0;
  const names = sampled ? [...COUNTERS, "NodeLatency"] : COUNTERS;
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["EventType"]],
          Metrics: names.map((Name) => ({ Name, Unit: Name === "NodeLatency" ? "Milliseconds" : "Count" })),
        },
      ],
    },
    EventType: eventType,
    ...counts,
    ...(sampled ? { NodeLatency: { Values: Object.keys(buckets).map(Number), Counts: Object.values(buckets), ...stats } } : {}),
  });
}
