// The benchmark's tools. The TCP relay (tools/bench/relay.ts): it must add the round-trip time it
// is asked for (measured by ping-pong through it against the same ping-pong direct), deliver every
// byte intact and in order, and close idle connections the way a server end does. Loopback only.
// Then the pure helpers: statistics, schedules, thread CPU and profile summaries.
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { type CpuProfile, scriptName, summarizeProfile } from "../tools/bench/profile";
import { DEFAULT_RTT_MS, Relay, startRelay } from "../tools/bench/relay";
import {
  type CpuSample,
  cpuSummary,
  idleSchedule,
  median,
  parseThreadStat,
  percentile,
  ratio,
  rotations,
  roundRatios,
  segmentRatios,
  statsOf,
  threadGroup,
} from "../tools/bench/stats";

let echo: net.Server;
let echoPort: number;
const relays: Relay[] = [];
const clients = new Set<net.Socket>();

beforeAll(async () => {
  echo = net.createServer((socket) => {
    socket.on("error", () => undefined);
    socket.pipe(socket); // echoes every byte; ends when the client ends
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});
afterAll(async () => {
  clients.forEach((c) => c.destroy());
  await Promise.all(relays.map((r) => r.stop()));
  await new Promise((resolve) => echo.close(resolve));
});

async function relay(rttMs?: number, idleTimeoutMs?: number): Promise<Relay> {
  const r = await startRelay({ targetPort: echoPort, rttMs, idleTimeoutMs });
  relays.push(r);
  return r;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once("error", reject);
    clients.add(socket);
  });
}

/** Reads until `bytes` bytes arrived (or the socket ended, or 5 s passed). */
function readBytes(socket: net.Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => finish(new Error(`read ${got} of ${bytes} bytes in 5 s`)), 5000);
    const onData = (c: Buffer): void => {
      chunks.push(c);
      got += c.length;
      if (got >= bytes) finish();
    };
    const onEnd = (): void => finish();
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
  });
}

/** Ping-pong round trips in ms over `rounds` one-byte exchanges (after the first), ascending. */
async function roundTrips(port: number, rounds: number): Promise<number[]> {
  const socket = await connect(port);
  const samples: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const t0 = performance.now();
    socket.write("x");
    await readBytes(socket, 1);
    if (i > 0) samples.push(performance.now() - t0); // the first also pays the handshake RTT
  }
  socket.destroy();
  return samples.sort((a, b) => a - b);
}

test.each([DEFAULT_RTT_MS, 20])(
  "adds a round-trip time of %p ms",
  async (rttMs) => {
    const r = await relay(rttMs);
    const relayed = await roundTrips(r.port, 30);
    // Order statistics, not medians, so a busy machine cannot fail it: each byte is held half the
    // RTT each way, so no exchange is quicker than the RTT, and one that took under two RTTs
    // shows the relay adds one, not two.
    expect(relayed[0]).toBeGreaterThanOrEqual(rttMs);
    expect(relayed[0]).toBeLessThan(2 * rttMs);
    expect(r.connections()).toBe(1);
  },
  20_000,
);

test("the first bytes also pay the TCP handshake's round trip", async () => {
  const r = await relay(20);
  const t0 = performance.now();
  const socket = await connect(r.port);
  socket.write("x");
  await readBytes(socket, 1);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * 20 * 0.95);
  socket.destroy();
});

test("bytes arrive intact and in order, the end too", async () => {
  const r = await relay();
  const socket = await connect(r.port);
  const data = randomBytes(2 * 1024 * 1024);
  const received = readBytes(socket, data.length);
  // Many writes of uneven sizes, some back to back, some after a pause, then a half close.
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = 1 + ((i * 7919) % 65_536);
    socket.write(data.subarray(offset, offset + size));
    offset += size;
    if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  socket.end();
  const echoed = await received;
  expect(echoed.length).toBe(data.length);
  expect(echoed.equals(data)).toBe(true);
  await new Promise((resolve) => (socket.closed ? resolve(undefined) : socket.once("close", resolve)));
}, 20_000);

test("the RTT and the timing mode can change mid-connection; bytes keep their order", async () => {
  const r = await relay(5);
  const socket = await connect(r.port);
  const received = readBytes(socket, 9);
  socket.write("abc");
  r.setRttMs(0); // the next bytes would overtake the first ones if due times were not kept in order
  expect(r.rttMs).toBe(0);
  socket.write("def");
  r.setPrecise(false);
  r.setRttMs(3);
  socket.write("ghi");
  expect((await received).toString()).toBe("abcdefghi");
  socket.destroy();
});

test("an idle timeout closes the connection; bytes sent after it get a reset", async () => {
  const r = await relay(DEFAULT_RTT_MS, 100);
  const socket = await connect(r.port);
  socket.write("x");
  await readBytes(socket, 1);
  const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
  const t0 = performance.now();
  await ended;
  expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  expect(r.idleCloses()).toBe(1);

  // A request that crosses the server's close on the wire: written just before the FIN arrives.
  const s2 = await connect(r.port);
  s2.on("error", () => undefined);
  s2.write("y");
  await readBytes(s2, 1);
  const closed = new Promise<boolean>((resolve) => s2.once("close", (hadError: boolean) => resolve(hadError)));
  await new Promise((resolve) => setTimeout(resolve, 100 + 0.5));
  if (!s2.readableEnded) s2.write("z"); // may or may not beat the close; either way it never echoes
  await closed;
  expect(r.idleCloses()).toBe(2);
}, 10_000);

// ---------------------------------------------------------------------------------------------
// The bench's arithmetic (tools/bench/stats.ts, tools/bench/profile.ts): pure, no timing.

describe("statistics", () => {
  test("nearest-rank percentiles, and their rounding", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
    expect(statsOf([3, 1, 2.00049])).toEqual({ n: 3, p50: 2, p90: 3, p99: 3, max: 3 });
    expect(median([5, 1, 3])).toBe(3);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
  });

  test("the idle schedule alternates the order, gives both calls of a pair the same gap, and repeats", () => {
    const schedule = idleSchedule(200, 20, 50, 7);
    expect(schedule).toHaveLength(200);
    schedule.forEach((pair, i) => {
      expect(pair.first).toBe(i % 2 === 0 ? "function" : "direct");
      expect(pair.gapMs).toBeGreaterThanOrEqual(20);
      expect(pair.gapMs).toBeLessThanOrEqual(50);
      expect(Math.round(pair.gapMs * 10)).toBeCloseTo(pair.gapMs * 10, 6);
    });
    // Spread over the range, not stuck at one value; the same seed, the same schedule.
    const gaps = schedule.map((p) => p.gapMs);
    expect(Math.min(...gaps)).toBeLessThan(25);
    expect(Math.max(...gaps)).toBeGreaterThan(45);
    expect(idleSchedule(200, 20, 50, 7)).toEqual(schedule);
    expect(idleSchedule(200, 20, 50, 8)).not.toEqual(schedule);
    expect(idleSchedule(3, 10, 10).map((p) => p.gapMs)).toEqual([10, 10, 10]);
    expect(() => idleSchedule(3, 50, 20)).toThrow(/min <= max/);
  });

  test("rotations put each side in each position once per cycle", () => {
    const order = rotations(["a", "b", "c"], 4);
    expect(order).toEqual([
      ["a", "b", "c"],
      ["b", "c", "a"],
      ["c", "a", "b"],
      ["a", "b", "c"],
    ]);
    for (const round of order) expect([...round].sort()).toEqual(["a", "b", "c"]);
  });

  test("CPU per call: means net of the idle side, by tenth of the run, and round by round", () => {
    // Rounds of f, h and idle blocks of 10 calls; per call f costs 300 µs and h 150 µs on top of
    // the idle gap's 50 µs, except in the second half of the run, where everything costs twice as
    // much (a busier machine). Round 7's f block met a burst of load: 10 times its cost.
    const samples: Array<CpuSample<"f" | "h" | "idle">> = [];
    const sides = [
      ["f", 350],
      ["h", 200],
      ["idle", 50],
    ] as const;
    for (let round = 0; round < 20; round++) {
      const k = round < 10 ? 1 : 2;
      for (const [side, us] of sides) {
        const block = 10 * us * k * (side === "f" && round === 7 ? 10 : 1);
        samples.push({ side, index: round, calls: 10, userUs: 0.8 * block, systemUs: 0.2 * block, mainUs: block });
      }
    }
    const per = cpuSummary(samples, "idle", 2);
    expect(per.f).toEqual({
      calls: 200,
      meanUs: 682.5, // (9 x 350 + 3500 + 10 x 700) / 20
      userUs: 546,
      systemUs: 136.5,
      mainUs: 682.5,
      medianUs: 700,
      p90Us: 700,
      netUs: 607.5, // less the idle side's 75
      segmentsNetUs: [615, 600],
    });
    expect(per.h.netUs).toBe(225);
    expect(per.idle.netUs).toBe(0);
    expect(segmentRatios(per.f, per.h)).toEqual([4.1, 2]);
    // Round by round, the burst spoils one round only: the median of the rounds stays at 2.
    const rounds = roundRatios(samples, "f", "h", "idle");
    expect(rounds).toHaveLength(20);
    expect(rounds[7]).toBe(23);
    expect(median(rounds)).toBe(2);
    expect(roundRatios(samples, "f", "missing" as "h", "idle")).toEqual([]);
    expect(
      cpuSummary(
        samples.map(({ mainUs: _, ...rest }) => rest),
        "idle",
      ).f.mainUs,
    ).toBeNull();
  });

  test("thread CPU from /proc/<pid>/task/<tid>/stat, names with spaces and parentheses too", () => {
    const line = (comm: string): string =>
      `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1200 0 0 0 731 52 0 0 20 0 11 0 123456 1000000 5000 18446744073709551615`;
    expect(parseThreadStat(line("node"))).toEqual({ name: "node", userTicks: 731, systemTicks: 52 });
    expect(parseThreadStat(line("a (b) c"))).toEqual({ name: "a (b) c", userTicks: 731, systemTicks: 52 });
    expect(parseThreadStat("garbage")).toBeUndefined();
    expect(threadGroup("node", true)).toBe("main");
    expect(threadGroup("node", false)).toBe("workers");
    expect(threadGroup("V8 DefaultWorke", false)).toBe("workers");
    expect(threadGroup("libuv-worker", false)).toBe("workers");
    expect(threadGroup("v8:ProfEvntProc", false)).toBe("v8:ProfEvntProc");
  });
});

describe("CPU profile summary", () => {
  // (root) -> handler (bundle) -> send -> write (native); (root) -> (garbage collector); (idle).
  const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 5, 6] },
      { id: 2, callFrame: frame("handler", "file:///tmp/x/index.js", 9), children: [3] },
      { id: 3, callFrame: frame("send", "node:_http_client", 99), children: [4] },
      { id: 4, callFrame: frame("write") },
      { id: 5, callFrame: frame("(garbage collector)") },
      { id: 6, callFrame: frame("(idle)") },
    ],
    startTime: 0,
    endTime: 1000,
    // Ten samples, 100 µs apart: handler x2, send x3, write x1, gc x2, idle x2.
    samples: [2, 2, 3, 3, 3, 4, 5, 5, 6, 6],
    timeDeltas: [0, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  };

  test("self time by function and by script, total time with callees; idle apart", () => {
    const s = summarizeProfile(profile);
    expect(s.samples).toBe(10);
    expect(s.idleSamples).toBe(2);
    expect(s.self).toEqual([
      { name: "send node:_http_client:100", samples: 3, pct: 37.5 },
      { name: "handler index.js:10", samples: 2, pct: 25 },
      { name: "(garbage collector)", samples: 2, pct: 25 },
      { name: "write (native):0", samples: 1, pct: 12.5 },
    ]);
    expect(s.total.slice(0, 3)).toEqual([
      { name: "handler index.js:10", samples: 6, pct: 75 },
      { name: "send node:_http_client:100", samples: 4, pct: 50 },
      { name: "(garbage collector)", samples: 2, pct: 25 },
    ]);
    expect(s.scripts.map((r) => [r.name, r.samples])).toEqual([
      ["node:_http_client", 3],
      ["index.js", 2],
      ["(garbage collector)", 2],
      ["(native)", 1],
    ]);
    expect(summarizeProfile(profile, 1).self).toHaveLength(1);
  });

  test("script names: the file of a path or URL, node: ids whole", () => {
    expect(scriptName("file:///tmp/bench-lambda-x/index.js")).toBe("index.js");
    expect(scriptName("/a/b/c.cjs")).toBe("c.cjs");
    expect(scriptName("node:internal/streams/writable")).toBe("node:internal/streams/writable");
    expect(scriptName("")).toBe("(native)");
  });
});
