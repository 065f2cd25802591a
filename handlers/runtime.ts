// Cold-start state shared by all invocations of one Lambda instance: the validated config, one
// node client and one circuit breaker. Built on first use, never rebuilt.
import type { CloudFrontRequest } from "aws-lambda";
import { join } from "node:path";
import { breaker } from "./breaker";
import { now } from "./clock";
import { ConfigResult, HandlerConfig, readConfig } from "./config";
import { requestFilter } from "./filters";
import { failAction, log, type LogFields } from "./log";
import { type Counter, metrics, type Metrics } from "./metrics";
import { createNodeClient, NodeClient } from "./node-client";
import { type NodeRequest, pathPrefix } from "./protocol";

export interface NodeGuard {
  /** May this invocation contact the node? false: the breaker is open, apply the fail policy. */
  allow(): boolean;
  /** Reports how the node did; logs a breaker state change once. */
  record(ok: boolean, reason?: string): void;
}

export interface ReadyRuntime {
  ok: true;
  config: HandlerConfig;
  node: URL;
  /** The node URL's path prefix, which every request path starts with. */
  prefix: string;
  client: NodeClient;
  guard: NodeGuard;
  metrics: Metrics;
  /** true: a request filter lets this request pass without the node. */
  skip: ((method: string, uri: string) => boolean) | undefined;
}

export type Runtime = ReadyRuntime | { ok: false; failOpen: boolean };

/** How long a handler waits at most for a request it does not wait on to reach the socket. */
const FLUSH_MS = 100;

/**
 * Sends without waiting for the answer (the async copy, the response report): returns once the
 * request is on the wire. A request finally lost, before or after the handler returned, is
 * logged once as `lostEvent` and counted by the breaker.
 */
export async function sendAndForget(rt: ReadyRuntime, req: NodeRequest, lostEvent: string, fields: LogFields): Promise<void> {
  const started = now();
  const lost = (reason: string, code: string | undefined, phase: string): void => {
    log("warn", lostEvent, { ...fields, reason, code, phase, elapsed_ms: now() - started });
    rt.metrics.count(String(fields.event_type), "CopiesLost");
    rt.guard.record(false, reason);
  };
  const outcome = await rt.client.send(req, {
    waitForAnswer: false,
    timeoutMs: rt.config.node_timeout_ms,
    flushMs: Math.min(rt.config.node_timeout_ms, FLUSH_MS),
    onLost: (failure) => lost(failure.reason, failure.code, "after_send"),
  });
  if (outcome.kind === "failed") lost(outcome.reason, outcome.code, "send");
  else rt.guard.record(true);
}

/**
 * Starts an invocation: writes the metrics when due, counts the request and says what becomes of
 * it: passed by a filter, answered by the open breaker, or sent to the node.
 */
export function admit(
  rt: ReadyRuntime,
  eventType: string,
  request: CloudFrontRequest,
): Counter & ("Skipped" | "BreakerOpen" | "Inspected") {
  rt.metrics.flush(now());
  rt.metrics.count(eventType, "Requests");
  const fate = rt.skip?.(request.method, request.uri) ? "Skipped" : rt.guard.allow() ? "Inspected" : "BreakerOpen";
  rt.metrics.count(eventType, fate);
  return fate;
}

let runtime: Runtime | undefined;

/**
 * The runtime for config.json beside the bundle (`index.js` in the Lambda zip). The handlers
 * call it when loaded, so the node's TLS handshake overlaps Lambda's init.
 */
export function getRuntime(waitsInInline: boolean): Runtime {
  runtime ??= buildRuntime(readConfig(join(__dirname, "config.json")), waitsInInline);
  return runtime;
}

/** waitsInInline: the function waits on the node's verdict in inline mode (the request function). */
export function buildRuntime(result: ConfigResult, waitsInInline: boolean): Runtime {
  if (!result.ok) {
    // Logged once per cold start; every invocation then follows fail_open.
    log("error", "config_invalid", { reason: result.reason, action: failAction(result.failOpen) });
    return { ok: false, failOpen: result.failOpen };
  }
  if (result.unknownKeys.length > 0) log("warn", "config_unknown_keys", { keys: result.unknownKeys });
  const { config } = result;
  const node = new URL(config.wallarm_node_url);
  // HTTP/2 for what is sent without waiting; a verdict is waited on alone, over HTTP/1.1.
  const client = createNodeClient(node, config.node_ca_pem, !(waitsInInline && config.wallarm_mode === "inline"));
  client.warm(config.node_timeout_ms);
  return {
    ok: true,
    config,
    node,
    prefix: pathPrefix(node),
    client,
    guard: nodeGuard(config),
    // Disabled metrics are still counted (a few numbers) but never written.
    metrics: metrics(config.metrics_namespace, config.metrics_enabled ? config.metrics_interval_seconds * 1000 : Infinity, (line) =>
      console.log(line),
    ),
    skip: requestFilter(config),
  };
}

function nodeGuard(config: HandlerConfig): NodeGuard {
  const state = breaker(config.circuit_breaker_threshold, config.circuit_breaker_cooldown_ms);
  const action = failAction(config.fail_open);
  return {
    allow: () => state.allow(now()),
    record: (ok, reason) => {
      const change = ok ? state.success(now()) : state.failure(now());
      if (change?.state === "open") {
        log("error", "breaker_open", { failures: change.failures, reason, cooldown_ms: config.circuit_breaker_cooldown_ms, action });
      } else if (change?.state === "closed") {
        log("info", "breaker_closed", { open_ms: change.openMs, bypassed: change.bypassed });
      }
    },
  };
}
