// Sends NodeRequests to the node over one keep-alive agent per cold start. Never rejects: every
// failure becomes a SendOutcome with a reason, so callers decide the fail policy in one place.
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import type { NodeRequest } from "./protocol";

export type FailureReason =
  | "timeout"
  | "connection_refused"
  | "dns_failure"
  | "tls_failure"
  | "connection_reset"
  | "malformed_answer"
  | "network_error";

export type SendOutcome =
  /** The node answered (wait mode). */
  | { kind: "answered"; status: number }
  /** The request was written to the socket (fire-and-forget mode). */
  | { kind: "sent" }
  | { kind: "failed"; reason: FailureReason; code?: string };

export interface SendOptions {
  /** true: resolve with the node's status. false: resolve once the request is flushed. */
  waitForAnswer: boolean;
  /** Wait mode: the whole exchange. Flush mode: how long the request may live in the background. */
  timeoutMs: number;
  /** Flush mode: the longest the caller waits for the request to reach the socket. */
  flushMs?: number;
}

export interface NodeClient {
  send(req: NodeRequest, opts: SendOptions): Promise<SendOutcome>;
}

export function createNodeClient(node: URL, caPem: string | null): NodeClient {
  const secure = node.protocol === "https:";
  // Verification stays on; a pinned CA is added to (not instead of) the public roots.
  const agent = secure
    ? new https.Agent({ keepAlive: true, ca: caPem ? [...rootCertificates, caPem] : undefined })
    : new http.Agent({ keepAlive: true });
  const transport = secure ? https : http;
  const hostname = node.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 literal without brackets
  const port = node.port ? Number(node.port) : secure ? 443 : 80;

  const attempt = (req: NodeRequest, opts: SendOptions, deadline: number, mayRetry: boolean): Promise<SendOutcome> =>
    new Promise((resolve) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const settle = (outcome: SendOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const out = transport.request({
        agent,
        hostname,
        port,
        method: req.method,
        path: req.path,
        headers: req.headers.flat(), // raw pairs keep order, casing and duplicates
      });
      let answer: http.IncomingMessage | undefined;
      // Tears the exchange down when its time is up. Once the request is fully written, the answer
      // may already wait in the socket: after a Lambda freeze (or any long block) expired timers
      // run before the poll phase that reads it. setImmediate runs after that poll phase, so the
      // socket is destroyed only if the answer is still incomplete; otherwise it is kept for reuse.
      const stop = (): void => {
        timers.forEach(clearTimeout);
        if (out.destroyed) return;
        if (!out.writableFinished) return void out.destroy();
        setImmediate(() => {
          if (!answer?.complete && !out.destroyed) out.destroy();
        });
      };
      // unref: a request left running in the background must not keep a process alive.
      timers.push(
        setTimeout(() => {
          stop();
          settle({ kind: "failed", reason: "timeout" });
        }, Math.max(1, deadline - Date.now())).unref(),
      );
      out.on("response", (res) => {
        answer = res;
        res.resume(); // drain the body so the keep-alive socket returns to the pool
        res.on("end", () => timers.forEach(clearTimeout));
        settle({ kind: "answered", status: res.statusCode ?? 0 });
      });
      out.on("error", (err: NodeJS.ErrnoException) => {
        timers.forEach(clearTimeout);
        if (settled) return; // late errors of a request we already gave up on or flushed
        // A pooled socket the node closed while idle: one fresh attempt is safe and cheap.
        if (mayRetry && out.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE") && Date.now() < deadline) {
          attempt(req, opts, deadline, false).then(settle);
          return;
        }
        settle({ kind: "failed", reason: classify(err), code: err.code });
      });
      if (!opts.waitForAnswer) {
        out.on("finish", () => settle({ kind: "sent" }));
        const flush = setTimeout(() => settle({ kind: "failed", reason: "timeout", code: "FLUSH_TIMEOUT" }), opts.flushMs ?? 100);
        timers.push(flush);
        out.on("finish", () => clearTimeout(flush));
      }
      out.end(req.body);
    });

  return {
    send: (req, opts) => attempt(req, opts, Date.now() + opts.timeoutMs, true),
  };
}

function classify(err: NodeJS.ErrnoException): FailureReason {
  const code = err.code ?? "";
  if (code === "ECONNREFUSED") return "connection_refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns_failure";
  if (code === "ECONNRESET" || code === "EPIPE") return "connection_reset";
  if (code.startsWith("HPE_")) return "malformed_answer";
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME/.test(code)) return "tls_failure";
  return "network_error";
}
