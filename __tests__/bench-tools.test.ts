// The benchmark's TCP relay (tools/bench/relay.ts): it must add the round-trip time it is asked
// for (measured by ping-pong through it against the same ping-pong direct), deliver every byte
// intact and in order, and close idle connections the way a server end does. Loopback only.
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { DEFAULT_RTT_MS, Relay, startRelay } from "../tools/bench/relay";

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
