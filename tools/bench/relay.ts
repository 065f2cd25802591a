// A TCP relay that adds network round-trip time between a client and a server on loopback, in
// user land (no root, no tc/netem): every chunk read from one side is written to the other side
// RTT/2 later, in the order it was read. TLS and HTTP/2 pass through untouched, so the client
// verifies the server's certificate as if it were connected directly.
//
// Timing: setTimeout fires on whole milliseconds (often 1 ms late), too coarse for a 1.35 ms
// one-way delay. Long waits use setTimeout up to ~1.5 ms before the due time and the rest is
// polled with setImmediate, which lets I/O run between polls; the spin only lasts while bytes
// are in flight.
//
// Modelled: one-way delay each direction, the TCP handshake's round trip (the first bytes from
// the client reach the server 1.5 RTT after connect), FIN and reset propagation, and optionally
// an idle timeout at the server's end (a load balancer or node that closes idle connections
// without announcing it: a client request then meets a closed connection and is reset).
import * as net from "node:net";
import { performance } from "node:perf_hooks";

export interface RelayOptions {
  /** The server's port on 127.0.0.1. */
  targetPort: number;
  /** Added round-trip time in ms (each direction is delayed by half). Default 2.7. */
  rttMs?: number;
  /** Delay the first client bytes by the TCP handshake's round trip too. Default true. */
  handshakeRtt?: boolean;
  /** Close a connection after this long without bytes in either direction (0 = never). */
  idleTimeoutMs?: number;
}

export interface Relay {
  port: number;
  /** https://127.0.0.1:<port>: the node certificate's IP SAN matches, as for a direct connection. */
  url: string;
  /** The round-trip time added now. */
  readonly rttMs: number;
  /**
   * Changes the added round-trip time from now on (bytes already in flight keep theirs): a
   * warm-up runs at 0 ms, then the measurement at the RTT asked for.
   */
  setRttMs(ms: number): void;
  /**
   * false: waits are whole-millisecond timers, never the setImmediate polling that keeps a core
   * busy while bytes are in flight; delivery is up to ~1 ms late each way. For measuring the
   * client's CPU, where the relay's own CPU would crowd the client (default true: precise).
   */
  setPrecise(precise: boolean): void;
  /** Client connections accepted so far. */
  connections(): number;
  /** Connections closed by the idle timeout so far. */
  idleCloses(): number;
  /** Client bytes that reached a connection already closed for idleness (and were reset). */
  droppedChunks(): number;
  stop(): Promise<void>;
}

type Item = { kind: "data"; chunk: Buffer } | { kind: "end" } | { kind: "destroy" };

interface Line {
  queue: Array<{ due: number; item: Item }>;
  deliver: (item: Item) => void;
  /** Both sockets are gone: the line is dropped once its queue is empty. */
  done: boolean;
}

export const DEFAULT_RTT_MS = 2.7;

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  let rttMs = opts.rttMs ?? DEFAULT_RTT_MS;
  let precise = true;
  let oneWay = rttMs / 2;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 0;
  const lines = new Set<Line>();
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let idleCloses = 0;
  let dropped = 0;
  let pumpScheduled = false;
  let stopped = false;

  // One pump serves every line: it writes what is due and reschedules itself while anything waits.
  const pump = (): void => {
    pumpScheduled = false;
    const now = performance.now();
    let next = Infinity;
    for (const line of lines) {
      while (line.queue.length > 0 && line.queue[0].due <= now) line.deliver(line.queue.shift()!.item);
      if (line.queue.length > 0) next = Math.min(next, line.queue[0].due);
      else if (line.done) lines.delete(line);
    }
    if (next !== Infinity && !stopped) schedule(next - now);
  };
  const schedule = (waitMs: number): void => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    if (waitMs <= 0) setImmediate(pump);
    else if (!precise) setTimeout(pump, Math.ceil(waitMs));
    else if (waitMs > 2.5) setTimeout(pump, Math.floor(waitMs - 1.5));
    else setImmediate(pump);
  };

  const makeLine = (deliver: (item: Item) => void): Line => {
    const line: Line = { queue: [], deliver, done: false };
    lines.add(line);
    return line;
  };
  const push = (line: Line, item: Item, due: number): void => {
    // Due times only grow within a line, so FIFO order is delivery order.
    const last = line.queue.length > 0 ? line.queue[line.queue.length - 1].due : 0;
    line.queue.push({ due: Math.max(due, last), item });
    schedule(Math.max(0, due - performance.now()));
  };

  // allowHalfOpen: a FIN travels through the relay like data, the other direction stays open.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    const acceptedAt = performance.now();
    const upstream = net.connect({ host: "127.0.0.1", port: opts.targetPort, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let closedForIdle = false;
    let lastActivity = performance.now();
    let idleTimer: NodeJS.Timeout | undefined;

    const writer = (to: net.Socket, from: net.Socket): ((item: Item) => void) => {
      let paused = false;
      return (item) => {
        if (to.destroyed) return;
        if (item.kind === "end") return void to.end();
        if (item.kind === "destroy") return void to.destroy();
        // Backpressure: stop reading the source while the destination's buffer is full.
        if (!to.write(item.chunk) && !paused) {
          paused = true;
          from.pause();
          to.once("drain", () => {
            paused = false;
            from.resume();
          });
        }
      };
    };
    const toClient = makeLine(writer(client, upstream));
    const toUpstreamWrite = writer(upstream, client);
    const toUpstream = makeLine((item) => {
      if (closedForIdle) {
        // The server end is gone: its kernel answers late bytes with a reset.
        if (item.kind === "data") {
          dropped++;
          push(toClient, { kind: "destroy" }, performance.now() + oneWay);
        }
        return;
      }
      if (item.kind === "data") touch();
      toUpstreamWrite(item);
    });

    const touch = (): void => {
      lastActivity = performance.now();
      if (idleTimeoutMs > 0 && !idleTimer) idleTimer = setTimeout(checkIdle, idleTimeoutMs);
    };
    const checkIdle = (): void => {
      idleTimer = undefined;
      if (closedForIdle || client.destroyed) return;
      const idle = performance.now() - lastActivity;
      if (idle < idleTimeoutMs) {
        idleTimer = setTimeout(checkIdle, Math.max(1, Math.ceil(idleTimeoutMs - idle)));
        return;
      }
      closedForIdle = true;
      idleCloses++;
      upstream.destroy();
      push(toClient, { kind: "end" }, performance.now() + oneWay); // the server's FIN, on its way
    };
    touch();

    client.on("data", (chunk: Buffer) => {
      const now = performance.now();
      const due = opts.handshakeRtt === false ? now + oneWay : Math.max(now + oneWay, acceptedAt + rttMs + oneWay);
      push(toUpstream, { kind: "data", chunk }, due);
    });
    upstream.on("data", (chunk: Buffer) => {
      touch();
      push(toClient, { kind: "data", chunk }, performance.now() + oneWay);
    });
    client.on("end", () => push(toUpstream, { kind: "end" }, performance.now() + oneWay));
    upstream.on("end", () => {
      if (!closedForIdle) push(toClient, { kind: "end" }, performance.now() + oneWay);
    });
    // A reset (or any error) reaches the other side one way later, after the bytes before it.
    client.on("error", () => push(toUpstream, { kind: "destroy" }, performance.now() + oneWay));
    upstream.on("error", () => {
      if (!closedForIdle) push(toClient, { kind: "destroy" }, performance.now() + oneWay);
    });
    const forget = (): void => {
      if (!client.destroyed || !upstream.destroyed) return;
      toClient.done = true;
      toUpstream.done = true;
      schedule(0); // the pump drops the lines once their queues are empty
      if (idleTimer) clearTimeout(idleTimer);
    };
    // A side closed after both ends are done; its peer follows once its queue has drained.
    client.on("close", () => {
      sockets.delete(client);
      push(toUpstream, { kind: "destroy" }, performance.now() + oneWay);
      forget();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      if (!closedForIdle) push(toClient, { kind: "destroy" }, performance.now() + oneWay);
      forget();
    });
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    url: `https://127.0.0.1:${port}`,
    get rttMs() {
      return rttMs;
    },
    setPrecise: (value) => {
      precise = value;
    },
    setRttMs: (ms) => {
      rttMs = ms;
      oneWay = ms / 2;
    },
    connections: () => accepted,
    idleCloses: () => idleCloses,
    droppedChunks: () => dropped,
    stop: async () => {
      stopped = true;
      sockets.forEach((s) => s.destroy());
      lines.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
