// Sends NodeRequests to the node over connections kept for the container's life: HTTP/1.1, or
// HTTP/2 when the caller allows it, its HTTP/1.1 connection waits on an answer and a TLS node
// offers it by ALPN. Never rejects: every failure becomes a SendOutcome with a reason, so
// callers decide the fail policy in one place.
import { nodeTarget } from "./connect";
import { h1Transport } from "./h1-transport";
import { h2Transport, type Opened } from "./h2-transport";
import { fitsHttp2, type NodeRequest } from "./protocol";
import type { TLSSocket } from "node:tls";
import type { Exchange } from "./transport";

export type FailureReason =
  "timeout" | "connection_refused" | "dns_failure" | "tls_failure" | "connection_reset" | "malformed_answer" | "network_error";

export interface Failure {
  kind: "failed";
  reason: FailureReason;
  code?: string;
}

/** What a request sent in wait mode comes to: the node's status, or why there is none. */
export type WaitOutcome = { kind: "answered"; status: number } | Failure;

export type SendOutcome =
  | WaitOutcome
  /** The request was handed to the kernel (fire-and-forget mode). */
  | { kind: "sent" }
  /**
   * Not on the wire within the flush time (a slow handshake, a busy connection): it goes on in
   * the background, and onLost or onAnswer tells its fate.
   */
  | { kind: "pending" };

export interface SendOptions {
  /** true: resolve with the node's status. false: resolve once the request is on the wire. */
  waitForAnswer: boolean;
  /** Wait mode: the whole exchange. Flush mode: how long the request may live in the background. */
  timeoutMs: number;
  /** Flush mode: the longest the caller waits for the request to reach the socket. */
  flushMs?: number;
  /**
   * Flush mode: called when a request already reported "sent" or "pending" is finally lost (its
   * connection failed before any answer, and the one retry failed too; or, pending, it never
   * reached the wire before the timeout), possibly after the handler returned. `onWire`: whether
   * it had reached the wire.
   */
  onLost?: (failure: Failure, onWire: boolean) => void;
  /** Flush mode: the node's status for a request already reported "sent", when it arrives. */
  onAnswer?: (status: number) => void;
}

export interface NodeClient {
  send(req: NodeRequest, opts: SendOptions & { waitForAnswer: true }): Promise<WaitOutcome>;
  send(req: NodeRequest, opts: SendOptions): Promise<SendOutcome>;
  /** Opens the first connection (HTTP/1.1) in the background: at init, before the first request. */
  warm(): void;
}

/**
 * http2: for requests sent without waiting, use HTTP/2 when the HTTP/1.1 connection is busy and
 * the node offers it, so copies waiting on a slow node hold streams of one connection, not a
 * connection each. Without it, HTTP/1.1 only: a function that waits on each answer has one
 * request in flight.
 */
export function createNodeClient(node: URL, caPem: string | null, http2: boolean): NodeClient {
  const target = nodeTarget(node, caPem);
  const h1 = h1Transport(target);
  const h2 = target.secure && http2 ? h2Transport(target) : undefined;
  let protocol: "probe" | "h1" = h2 ? "probe" : "h1";

  // The node chose HTTP/1.1 by ALPN: the probe's connection serves the next request, and
  // HTTP/1.1 is kept for the container's life.
  const keepHttp1 = (socket: TLSSocket): void => {
    if (protocol === "probe") h1.adopt(socket);
    protocol = "h1";
  };

  // HTTP/1.1 while its connection is free: the cheapest exchange (an HTTP/2 stream in Node costs
  // about twice the CPU). Once it waits on an answer (a slow node, or copies closer together
  // than its round trip), HTTP/2: at most one HTTP/1.1 connection waits, however slow the node.
  // Synchronous while a connection or session is open: the request reaches the socket without
  // a promise's detour.
  const open = (req: NodeRequest, timeoutMs: number): Exchange | Promise<Exchange> => {
    if (!h2 || protocol === "h1" || !fitsHttp2(req) || !h1.busy()) return h1.open(req);
    const use = (opened: Opened): Exchange => {
      if (opened.kind === "h2") return h2.exchange(opened.pooled, req);
      keepHttp1(opened.socket);
      return h1.open(req);
    };
    const opened = h2.acquire(timeoutMs);
    return opened instanceof Promise ? opened.then(use) : use(opened);
  };

  const attempt = (req: NodeRequest, opts: SendOptions, deadline: number, mayRetry: boolean): Promise<SendOutcome> =>
    new Promise((resolve) => {
      let settled: SendOutcome | undefined;
      const settle = (outcome: SendOutcome): void => {
        if (settled) return;
        settled = outcome;
        clearTimeout(flushTimer);
        resolve(outcome);
      };
      const timeLeft = (): number => Math.max(1, deadline - Date.now());
      let exchange: Exchange | undefined;
      let flushTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      let onWire = false;
      /** The caller has returned: what becomes of the request now goes to onLost / onAnswer. */
      const inBackground = (): boolean => settled?.kind === "sent" || settled?.kind === "pending";
      // unref: a request left running in the background must not keep a process alive.
      const timer = setTimeout(() => {
        timedOut = true;
        exchange?.abort();
        // Never on the wire: lost. On the wire, the node holds it: not lost, even unanswered.
        if (settled?.kind === "pending" && !onWire) opts.onLost?.({ kind: "failed", reason: "timeout" }, false);
        settle({ kind: "failed", reason: "timeout" });
      }, timeLeft()).unref();
      if (!opts.waitForAnswer) {
        flushTimer = setTimeout(() => settle({ kind: "pending" }), opts.flushMs ?? 100).unref();
      }

      const failed = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        const failure: Failure = { kind: "failed", reason: classify(err), ...(err.code ? { code: err.code } : {}) };
        if (failure.reason === "dns_failure" || failure.reason === "connection_refused") target.forgetAddress();
        // A copy the node says it processed is not lost, even if its answer never came.
        if (inBackground()) {
          if (!exchange?.processed()) opts.onLost?.(failure, onWire);
        } else settle(failure);
      };

      const start = (ex: Exchange): void => {
        exchange = ex;
        if (timedOut) {
          ex.abort(); // the time was up while connecting
          return;
        }
        if (!opts.waitForAnswer) {
          void ex.written.then((err) => {
            if (err !== undefined) return;
            onWire = true;
            settle({ kind: "sent" });
          });
        }
        void ex.answer.then((result) => {
          if (typeof result === "number") {
            clearTimeout(timer);
            if (inBackground()) opts.onAnswer?.(result);
            settle({ kind: "answered", status: result });
            return;
          }
          if (timedOut) return; // the error of our own abort
          if (mayRetry && ex.retryable(result)) {
            clearTimeout(timer);
            // The node closed a connection that had served before: once more on a fresh one,
            // with the same request id. After "sent", in the background with its own budget.
            const retry = settled
              ? attempt(req, { ...opts, waitForAnswer: true }, Date.now() + opts.timeoutMs, false)
              : attempt(req, opts, Math.max(deadline, Date.now() + 1), false);
            void retry.then((outcome) => {
              if (!inBackground()) settle(outcome);
              else if (outcome.kind === "failed") opts.onLost?.(outcome, onWire);
              else if (outcome.kind === "answered") opts.onAnswer?.(outcome.status);
            });
            return;
          }
          failed(result);
        });
      };
      try {
        const opened = open(req, timeLeft());
        if (opened instanceof Promise) opened.then(start, failed);
        else start(opened);
      } catch (err) {
        failed(err as NodeJS.ErrnoException);
      }
    });

  function send(req: NodeRequest, opts: SendOptions & { waitForAnswer: true }): Promise<WaitOutcome>;
  function send(req: NodeRequest, opts: SendOptions): Promise<SendOutcome>;
  function send(req: NodeRequest, opts: SendOptions): Promise<SendOutcome> {
    return attempt(req, opts, Date.now() + opts.timeoutMs, true);
  }

  return {
    send,
    // The first request joins this handshake; a failure here is the first request's to report.
    warm: () => h1.adopt(target.http1Socket()),
  };
}

/** What a failure's code says happened: name resolution, refusal, a cut connection, TLS, garbage. */
function classify(err: NodeJS.ErrnoException): FailureReason {
  const code = err.code ?? "";
  if (code === "ECONNREFUSED") return "connection_refused";
  if (code === "ETIMEDOUT") return "timeout";
  if (/^(ENOTFOUND|EAI_)/.test(code)) return "dns_failure";
  if (/^(ECONNRESET|EPIPE|ERR_HTTP2_(STREAM|GOAWAY))/.test(code)) return "connection_reset";
  if (/^(HPE_|ERR_HTTP2)/.test(code)) return "malformed_answer";
  return /CERT|SSL|TLS|UNABLE_TO_/.test(code) ? "tls_failure" : "network_error";
}
