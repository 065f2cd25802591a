// HTTP/2 to a TLS node that offers it by ALPN: a request is one stream, so a copy waiting for a
// slow node holds no connection. A few sessions at most; a session the node sends GOAWAY on, or
// that sat idle, takes no new streams.
import type { ClientHttp2Session, ClientHttp2Stream, connect } from "node:http2";
import type { TLSSocket } from "node:tls";
import type { NodeTarget } from "./connect";
import { http2Headers, type NodeRequest } from "./protocol";
import { codedError, type Exchange, IDLE_MS, settleOnce } from "./transport";

/** Sessions opened at most when every open one has all its streams in use. */
export const MAX_SESSIONS = 4;

// RFC 9113 error codes, and nghttp2's stream states (node:http2 constants of the same names).
const NGHTTP2_REFUSED_STREAM = 7;
const NGHTTP2_CANCEL = 8;
const NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL = 5;
const NGHTTP2_STREAM_STATE_CLOSED = 7;

// Loaded once a node has chosen HTTP/2: with an HTTP/1.1 node the cold start never pays for it.
let http2Connect: typeof connect | undefined;
function loadHttp2(): typeof connect {
  http2Connect ??= (require("node:http2") as { connect: typeof connect }).connect;
  return http2Connect;
}

interface Pooled {
  session: ClientHttp2Session;
  active: number;
  lastUsed: number;
  closing: boolean;
  /** The last stream the node said (GOAWAY) it processed; later ones may be sent again. */
  goawayLast?: number;
}

/** An HTTP/2 session, or the TLS socket of a node that chose HTTP/1.1. */
export type Opened = { kind: "h2"; pooled: Pooled } | { kind: "http/1.1"; socket: TLSSocket };

export interface H2Transport {
  /**
   * A session to use (at once when one is open), or the socket of a node that does not speak
   * HTTP/2 (after the handshake).
   */
  acquire(timeoutMs: number): Opened | Promise<Opened>;
  exchange(pooled: Pooled, req: NodeRequest): Exchange;
}

export function h2Transport(target: NodeTarget): H2Transport {
  const pool: Pooled[] = [];
  let connecting: Promise<Opened> | undefined;

  const retire = (p: Pooled): void => {
    p.closing = true;
    if (p.active === 0 && !p.session.closed) p.session.close();
  };

  const connect = async (timeoutMs: number): Promise<Opened> => {
    const handshake = target.connectTls(["h2", "http/1.1"], timeoutMs);
    setImmediate(loadHttp2); // while the handshake waits on the network, not after it
    const socket = await handshake;
    if (socket.alpnProtocol !== "h2") return { kind: "http/1.1", socket };
    const session = loadHttp2()(`https://${target.hostname}:${target.port}`, { createConnection: () => socket });
    const pooled: Pooled = { session, active: 0, lastUsed: Date.now(), closing: false };
    session.unref(); // a stream left in the background must not keep a process alive
    session.on("error", () => retire(pooled)); // streams report their own errors
    session.on("goaway", (_code: number, lastStreamId: number) => {
      pooled.goawayLast = lastStreamId;
      retire(pooled);
    });
    session.on("close", () => {
      pooled.closing = true;
      const at = pool.indexOf(pooled);
      if (at >= 0) pool.splice(at, 1);
    });
    pool.push(pooled);
    return { kind: "h2", pooled };
  };

  const acquire = (timeoutMs: number): Opened | Promise<Opened> => {
    const at = Date.now();
    for (const p of [...pool]) if (p.active === 0 && at - p.lastUsed > IDLE_MS) retire(p);
    const open = pool.filter((p) => !p.closing && !p.session.destroyed);
    const free = open.find((p) => p.active < (p.session.remoteSettings.maxConcurrentStreams ?? 100));
    if (free) return { kind: "h2", pooled: free };
    if (open.length > 0 && open.length >= MAX_SESSIONS) return { kind: "h2", pooled: open.reduce((a, b) => (b.active < a.active ? b : a)) };
    // One handshake at a time: a burst of requests shares the session being opened.
    connecting ??= connect(timeoutMs).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const exchange = (pooled: Pooled, req: NodeRequest): Exchange => {
    pooled.active++;
    let stream: ClientHttp2Stream;
    try {
      stream = pooled.session.request(http2Headers(req), { endStream: req.body.length === 0 });
    } catch (err) {
      // The session went away between acquire and request (GOAWAY just read): never sent.
      pooled.active--;
      retire(pooled);
      const error = err as Error;
      return {
        written: Promise.resolve(error),
        answer: Promise.resolve(error),
        retryable: () => true,
        processed: () => false,
        abort: () => undefined,
      };
    }
    let answered = false;
    let sent = false;
    const released = (): void => {
      pooled.active--;
      pooled.lastUsed = Date.now();
      if (pooled.closing && pooled.active === 0 && !pooled.session.closed) pooled.session.close();
    };
    stream.once("close", released);
    const closedEarly = (): Error =>
      codedError(`stream closed before an answer (code ${stream.rstCode ?? "none"})`, "ERR_HTTP2_STREAM_ERROR");
    const written = new Promise<Error | undefined>((resolve) => {
      const done = settleOnce(resolve);
      // "finish" can come before the frame ending the stream leaves nghttp2 (Node completes the
      // shutdown synchronously): a container frozen then would hold the copy back. Wait until
      // nghttp2 has sent the end of this stream (half-closed local, or closed).
      const flushed = (): void => {
        const state = stream.state.state;
        if (stream.destroyed || state === NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL || state === NGHTTP2_STREAM_STATE_CLOSED) {
          sent = true;
          done(undefined);
        } else setImmediate(flushed);
      };
      stream.on("finish", flushed);
      stream.on("error", done);
      // Every stream closes; only one closed early needs an error (and its stack).
      stream.on("close", () => {
        if (!sent) done(closedEarly());
      });
    });
    const answer = new Promise<number | Error>((resolve) => {
      const done = settleOnce(resolve);
      stream.on("response", (headers) => {
        answered = true;
        done(Number(headers[":status"]));
      });
      stream.on("error", done);
      stream.on("close", () => {
        if (!answered) done(closedEarly());
      });
    });
    stream.resume(); // the answer's body is not needed; reading it frees flow-control window
    if (req.body.length > 0) stream.end(req.body);
    return {
      written,
      answer,
      processed: () => sent && (stream.id ?? Infinity) <= (pooled.goawayLast ?? 0),
      // Not processed by the node: refused, above the GOAWAY's last stream, or cut off before
      // it was fully written. A stream the node had in full and then lost is not sent twice.
      retryable: () =>
        !answered && (!sent || stream.rstCode === NGHTTP2_REFUSED_STREAM || (stream.id ?? 0) > (pooled.goawayLast ?? Infinity)),
      abort: () => {
        if (!stream.closed) stream.close(NGHTTP2_CANCEL);
      },
    };
  };

  return { acquire, exchange };
}
