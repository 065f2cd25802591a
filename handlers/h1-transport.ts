// HTTP/1.1 to the node over connections kept for the container's life: for in-line verdicts,
// http:// nodes and TLS nodes that do not offer HTTP/2. A request in flight holds its connection
// until its answer is read in full (no pipelining). The messages themselves are written and read
// by http1-messages.ts: one write and a few string operations per exchange, where Node's http
// client spent about as much CPU again as the rest of an inspection.
import { channel } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import type { NodeTarget } from "./connect";
import { AnswerReader, requestHead } from "./http1-messages";
import type { NodeRequest } from "./protocol";
import { type Exchange, IDLE_MS, settleOnce } from "./transport";

export interface H1Transport {
  open(req: NodeRequest): Exchange;
  /** Whether every connection open is waiting on an answer (none free, and no spare). */
  busy(): boolean;
  /** Uses a TLS connection already open (at init, or the ALPN probe that found no HTTP/2) for the next request. */
  adopt(socket: Socket): void;
}

/**
 * Each exchange is published here as it starts, is written in full and is over (its connection
 * pooled or closed), as `{ phase, request }` (the same NodeRequest object in each phase): for
 * tracing tools, as Node's own client publishes `http.client.request.start`. Costs nothing
 * without a subscriber.
 */
export const EXCHANGE_CHANNEL = "wallarm-connector:http1-exchange";
export type ExchangePhase = "start" | "written" | "over";

/** What a connection's socket events go to while an exchange uses it. */
interface InFlight {
  data(chunk: Buffer): void;
  /** The socket failed (err) or closed (no err). */
  broken(err: Error | undefined): void;
}

interface Connection {
  socket: Socket;
  inFlight: InFlight | undefined;
  /** Exchanges it completed: a connection that served before may have been closed by the node meanwhile. */
  served: number;
  idleSince: number;
}

export function h1Transport(target: NodeTarget): H1Transport {
  const exchanges = channel(EXCHANGE_CHANNEL);
  const publish = (phase: ExchangePhase, req: NodeRequest): void => {
    if (exchanges.hasSubscribers) exchanges.publish({ phase, request: req });
  };
  /** Connections free for the next request, the most recently used last (taken first). */
  const idle: Connection[] = [];
  let inFlight = 0;
  let spare: Socket | undefined;
  let adoptedAt = 0;
  // One kept past IDLE_MS (a frozen container runs no timers, so this is judged at use) may be
  // one the node has closed: replaced, never used.
  const fresh = (socket: Socket, since: number, at: number): boolean => !socket.destroyed && at - since <= IDLE_MS;

  const connection = (socket: Socket): Connection => {
    const conn: Connection = { socket, inFlight: undefined, served: 0, idleSince: 0 };
    socket.setNoDelay(true);
    // Installed once per connection, not per exchange: the events go to the exchange using it.
    socket.on("data", (chunk: Buffer) => {
      if (conn.inFlight) conn.inFlight.data(chunk);
      else socket.destroy(); // bytes while idle answer nothing this client asked: not to be trusted
    });
    socket.on("error", (err: Error) => conn.inFlight?.broken(err));
    socket.on("close", () => conn.inFlight?.broken(undefined));
    return conn;
  };

  const take = (): Connection => {
    const at = Date.now();
    for (let i = idle.length - 1; i >= 0; i--) {
      if (fresh(idle[i].socket, idle[i].idleSince, at)) continue;
      idle[i].socket.destroy();
      idle.splice(i, 1);
    }
    const pooled = idle.pop();
    if (pooled) {
      pooled.socket.ref();
      return pooled;
    }
    const adopted = spare;
    spare = undefined;
    if (adopted && fresh(adopted, adoptedAt, at)) return connection(adopted);
    adopted?.destroy();
    return connection(target.http1Socket());
  };

  const open = (req: NodeRequest): Exchange => {
    const head = requestHead(req); // throws before a connection is taken
    const conn = take();
    const socket = conn.socket;
    const reused = conn.served > 0;
    const reader = new AnswerReader(req.method);
    inFlight++;
    publish("start", req);

    // null until the write settles; then undefined (in the kernel) or why it failed.
    let writeResult: Error | undefined | null = null;
    let onWritten: ((err: Error | undefined) => void) | undefined;
    // Only what is sent without waiting reads `written` (an in-line verdict never does).
    let written: Promise<Error | undefined> | undefined;
    let over = false;
    const wrote = (err: Error | null | undefined): void => {
      if (writeResult !== null) return;
      writeResult = err ?? undefined;
      if (!err) publish("written", req);
      onWritten?.(writeResult);
      if (reader.complete && !over) finish();
    };
    let answered!: (value: number | Error) => void;
    const answer = new Promise<number | Error>((resolve) => {
      answered = settleOnce(resolve);
    });

    /** Back to the pool if the answer is complete and the connection clean, else closed. */
    const finish = (): void => {
      if (over) return;
      // A TLS write queued behind the handshake reports after the answer is in: the connection
      // is pooled once the write is known complete (wrote() comes back here).
      if (writeResult === null && reader.complete && reader.reusable && !socket.destroyed) return;
      over = true;
      inFlight--;
      conn.inFlight = undefined;
      if (reader.complete && reader.reusable && writeResult === undefined && !socket.destroyed) {
        conn.served++;
        conn.idleSince = Date.now();
        socket.unref(); // an idle connection must not keep a process alive
        idle.push(conn);
      } else {
        socket.destroy();
      }
      publish("over", req);
    };

    conn.inFlight = {
      data: (chunk) => {
        const before = reader.status;
        reader.read(chunk);
        if (reader.error) answered(reader.error);
        else if (before === undefined && reader.status !== undefined) answered(reader.status);
        if (reader.error || reader.complete) finish();
      },
      broken: (err) => {
        if (!err) reader.end();
        const failure = err ?? reader.error;
        if (failure) {
          wrote(failure);
          answered(failure);
        }
        finish();
      },
    };

    // The head and body in one write (corked: one TLS record where they fit).
    if (req.body.length === 0) socket.write(head, "latin1", wrote);
    else {
      socket.cork();
      socket.write(head, "latin1");
      socket.write(req.body, wrote);
      socket.uncork();
    }

    return {
      get written() {
        written ??= writeResult !== null ? Promise.resolve(writeResult) : new Promise((resolve) => (onWritten = resolve));
        return written;
      },
      answer,
      processed: () => false,
      // Nothing came back on a connection that had served before: the node closed it as the
      // request went out (its keep-alive timeout), and never saw the request.
      retryable: (err: NodeJS.ErrnoException) => reused && reader.received === 0 && (err.code === "ECONNRESET" || err.code === "EPIPE"),
      // After a freeze (or any long block) expired timers run before the poll phase that reads
      // an answer already in the socket; setImmediate runs after it, so a connection whose answer
      // is complete is kept for reuse and only an unfinished exchange is torn down.
      abort: () => {
        if (over) return;
        if (writeResult === null) socket.destroy();
        else setImmediate(() => over || socket.destroy());
      },
    };
  };

  const busy = (): boolean => {
    if (inFlight === 0) return false;
    const at = Date.now();
    return !idle.some((c) => fresh(c.socket, c.idleSince, at)) && !(spare && fresh(spare, adoptedAt, at));
  };

  return {
    open,
    busy,
    adopt: (socket) => {
      spare = socket;
      adoptedAt = Date.now();
    },
  };
}
