// HTTP/1.1 to the node over one keep-alive agent per container: for in-line verdicts, http://
// nodes and TLS nodes that do not offer HTTP/2. Each request in flight holds a connection until
// its answer.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { NodeTarget } from "./connect";
import type { NodeRequest } from "./protocol";
import { codedError, type Exchange, IDLE_MS, settleOnce } from "./transport";

export interface H1Transport {
  open(req: NodeRequest): Exchange;
  /** Uses a TLS connection already open (at init, or the ALPN probe that found no HTTP/2) for the next request. */
  adopt(socket: TLSSocket): void;
}

export function h1Transport(target: NodeTarget): H1Transport {
  // Loaded when first needed: a function that speaks HTTP/2 to its node never needs them.
  const http = (target.secure ? require("node:https") : require("node:http")) as typeof import("node:https");
  let spare: TLSSocket | undefined;
  let adoptedAt = 0;
  const lastUsed = new WeakMap<Duplex, number>();
  const agent = target.secure
    ? new (class extends http.Agent {
        createConnection(): Duplex {
          const adopted = spare;
          spare = undefined;
          // One kept past IDLE_MS (an instance initialised long before its first event) may be
          // one the node has closed: replaced, as an idle pooled connection would be.
          if (adopted && !adopted.destroyed && Date.now() - adoptedAt <= IDLE_MS) return adopted;
          adopted?.destroy();
          return target.tlsSocket(["http/1.1"]);
        }
      })({ keepAlive: true })
    : new http.Agent({ keepAlive: true });
  agent.on("free", (socket: Duplex) => lastUsed.set(socket, Date.now()));
  const request = http.request;

  // A frozen container runs no timers: idle sockets are judged when the next request comes.
  // Runs on every request: no arrays built (for-in, not Object.values; indexes, not for-of).
  const dropIdle = (): void => {
    const at = Date.now();
    const free = agent.freeSockets;
    for (const name in free) {
      const sockets = free[name];
      if (!sockets) continue;
      for (let i = sockets.length - 1; i >= 0; i--) if (at - (lastUsed.get(sockets[i]) ?? at) > IDLE_MS) sockets[i].destroy();
    }
  };

  const open = (req: NodeRequest): Exchange => {
    dropIdle();
    const out = request({
      agent,
      hostname: target.hostname,
      port: target.port,
      lookup: target.lookup,
      method: req.method,
      path: req.path,
      headers: flatPairs(req.headers), // raw pairs keep order, casing and duplicates
    });
    let response: IncomingMessage | undefined;
    let failure: Error | undefined;
    // Only what is sent without waiting reads `written` (an in-line verdict never does): made on
    // first read, a promise and two listeners fewer per verdict. Read late, it still settles.
    let written: Promise<Error | undefined> | undefined;
    const writtenPromise = (): Promise<Error | undefined> =>
      new Promise((resolve) => {
        if (failure || out.writableFinished) return resolve(failure);
        const done = settleOnce(resolve);
        out.on("finish", () => done(undefined));
        out.on("error", done);
      });
    const answer = new Promise<number | Error>((resolve) => {
      const done = settleOnce(resolve);
      out.on("response", (res) => {
        response = res;
        res.resume(); // drain the body so the keep-alive socket returns to the pool
        done(res.statusCode ?? 0);
      });
      out.on("error", (err) => {
        failure ??= err;
        done(err);
      });
      // Every exchange closes; only one closed before its answer needs an error (and its stack).
      out.on("close", () => {
        if (response === undefined) done(codedError("socket hang up", "ECONNRESET"));
      });
    });
    // No empty body passed: end(<0 bytes>) would queue it apart from the head (a writev of three
    // chunks); end() sends the head in one write. The bytes on the wire are the same.
    out.end(req.body.length > 0 ? req.body : undefined);
    return {
      get written() {
        written ??= writtenPromise();
        return written;
      },
      answer,
      processed: () => false,
      retryable: (err: NodeJS.ErrnoException) =>
        out.reusedSocket && response === undefined && (err.code === "ECONNRESET" || err.code === "EPIPE"),
      // After a freeze (or any long block) expired timers run before the poll phase that reads
      // an answer already in the socket; setImmediate runs after it, so a socket whose answer
      // is complete is kept for reuse and only an unfinished exchange is torn down.
      abort: () => {
        if (out.destroyed) return;
        if (!out.writableFinished) {
          out.destroy();
          return;
        }
        setImmediate(() => {
          if (!response?.complete && !out.destroyed) out.destroy();
        });
      },
    };
  };

  return {
    open,
    adopt: (socket) => {
      spare = socket;
      adoptedAt = Date.now();
    },
  };
}

/** [[k, v], ...] as [k, v, ...]: Array.prototype.flat does the same several times slower. */
function flatPairs(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const flat: string[] = []; // pushed, not preallocated: a packed array, as node:http gets from callers
  for (let i = 0; i < pairs.length; i++) flat.push(pairs[i][0], pairs[i][1]);
  return flat;
}
