// Opening connections to the node: the name is resolved with a bounded wait and refreshed,
// and TLS uses one secure context built at cold start (pinned to node_ca_pem when set).
import type { LookupAddress, lookup as dnsLookup } from "node:dns";
import { connect as tcpConnect, isIP, type LookupFunction, type Socket } from "node:net";
import { connect as tlsConnect, createSecureContext, type TLSSocket } from "node:tls";
import { codedError } from "./transport";

/** The longest a request waits for a name resolution it cannot share or reuse. */
export const LOOKUP_TIMEOUT_MS = 1000;

/**
 * Age after which a resolved address is looked up again, in the background: a DNS failover
 * (Route 53 failover or latency records, TTL 60 s) reaches warm instances within a minute.
 */
export const ADDRESS_REFRESH_MS = 60_000;

export interface NodeTarget {
  secure: boolean;
  hostname: string;
  port: number;
  /** After a connection failure: resolve again on the next connection. */
  forgetAddress(): void;
  /** Opens a TLS connection offering these ALPN protocols; resolves on handshake. */
  connectTls(alpn: string[], timeoutMs: number): Promise<TLSSocket>;
  /** The same, returned at once: what is written before the handshake goes out after it. */
  tlsSocket(alpn: string[]): TLSSocket;
  /** A connection for HTTP/1.1, returned at once: TLS offering only http/1.1, or TCP to an http:// node. */
  http1Socket(): Socket;
}

export function nodeTarget(node: URL, caPem: string | null): NodeTarget {
  const secure = node.protocol === "https:";
  const hostname = node.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 literal without brackets
  const port = node.port ? Number(node.port) : secure ? 443 : 80;
  const resolver = onceResolver(hostname);
  // Built once: parsing a trust store per connection costs tens of ms of CPU. With a CA given,
  // only that CA is trusted (pinning); otherwise Node's public roots.
  const secureContext = secure ? createSecureContext(caPem ? { ca: caPem } : {}) : undefined;
  let session: Buffer | undefined; // TLS session ticket: later handshakes resume, one round trip less

  const tlsSocket = (alpn: string[]): TLSSocket => {
    const socket = tlsConnect({
      host: hostname,
      port,
      ...(isIP(hostname) ? {} : { servername: hostname }),
      secureContext,
      ALPNProtocols: alpn,
      lookup: resolver.lookup,
      ...(session ? { session } : {}),
    });
    socket.on("session", (ticket: Buffer) => {
      session = ticket;
    });
    // Whoever uses the socket handles its errors; one while it waits unused must not crash.
    socket.on("error", () => undefined);
    return socket;
  };

  const connectTls = (alpn: string[], timeoutMs: number): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const socket = tlsSocket(alpn);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(codedError("connect timeout", "ETIMEDOUT")), timeoutMs).unref();
      socket.once("error", fail);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.off("error", fail);
        resolve(socket);
      });
    });

  const http1Socket = (): Socket => {
    if (secure) return tlsSocket(["http/1.1"]);
    const socket = tcpConnect({ host: hostname, port, lookup: resolver.lookup });
    socket.on("error", () => undefined); // as for TLS: its user handles errors
    return socket;
  };

  return { secure, hostname, port, forgetAddress: resolver.forget, connectTls, tlsSocket, http1Socket };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** Resolves a name to one address; the system resolver (getaddrinfo, /etc/hosts included) by default. */
export type Resolve = (hostname: string, done: (err: NodeJS.ErrnoException | null, address: string, family: number) => void) => void;
// node:dns is loaded on first use (a few ms at cold start): a node given by IP never needs it.
const systemResolve: Resolve = (hostname, done) => (require("node:dns") as { lookup: typeof dnsLookup }).lookup(hostname, {}, done);

/**
 * One resolution reused until a connection fails, and looked up again in the background once it
 * is `refreshAfterMs` old (the old address serves until the new one is in: no request waits for
 * a refresh, and a failed refresh keeps it). At most one lookup runs at a time (a hung resolver
 * holds one libuv thread, not all four), and a caller waits for it at most LOOKUP_TIMEOUT_MS; a
 * late answer still fills the cache for the next request.
 */
export function onceResolver(
  hostname: string,
  resolve: Resolve = systemResolve,
  refreshAfterMs = ADDRESS_REFRESH_MS,
  now: () => number = Date.now,
): { lookup: LookupFunction; forget(): void } {
  let cached: LookupAddress | undefined;
  let resolvedAt = 0;
  let running = false;
  let waiting: Array<(err: NodeJS.ErrnoException | null) => void> = [];

  const flush = (err: NodeJS.ErrnoException | null): void => waiting.splice(0).forEach((wake) => wake(err));

  const lookup = (_host: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const reply = (err: NodeJS.ErrnoException | null): void => {
      if (err || !cached) callback(err ?? new Error("no address"), options.all ? [] : "");
      else if (options.all) callback(null, [cached]);
      else callback(null, cached.address, cached.family);
    };
    if (cached) {
      process.nextTick(reply, null);
      if (!running && now() - resolvedAt >= refreshAfterMs) query();
      return;
    }
    const timer = setTimeout(() => {
      waiting = waiting.filter((w) => w !== wake);
      reply(codedError(`lookup ${hostname} timed out`, "EAI_AGAIN"));
    }, LOOKUP_TIMEOUT_MS).unref();
    const wake = (err: NodeJS.ErrnoException | null): void => {
      clearTimeout(timer);
      reply(err);
    };
    waiting.push(wake);
    if (!running) query();
  };
  const query = (): void => {
    running = true;
    resolve(hostname, (err, address, family) => {
      running = false;
      if (!err) {
        cached = { address, family };
        resolvedAt = now();
      }
      flush(err);
    });
  };
  const forget = (): void => {
    cached = undefined;
  };
  return { lookup: lookup as LookupFunction, forget };
}
