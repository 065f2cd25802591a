// Cold-start state shared by all invocations of one Lambda instance: the validated config, one
// node client and one circuit breaker. Built on first use, never rebuilt.
import type { CloudFrontRequest } from "aws-lambda";
import { join } from "node:path";
import { breaker } from "./breaker";
import { ConfigResult, HandlerConfig, readConfig } from "./config";
import { requestFilter } from "./filters";
import { failAction, log, type LogFields } from "./log";
import { type Counter, metrics, type Metrics } from "./metrics";
import { createNodeClient, NodeClient } from "./node-client";
import { type NodeRequest, pathPrefix, verdictOf } from "./protocol";

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
  skip: ((request: CloudFrontRequest) => boolean) | undefined;
  /** The in-line request function blocks a body CloudFront truncated, without the node. */
  blockTruncated: boolean;
}

export type Runtime = ReadyRuntime | { ok: false; failOpen: boolean };

/** How long a handler waits at most for a request it does not wait on to reach the socket. */
const FLUSH_MS = 100;

/** The log events of what is sent without waiting: a request copy, or a response report. */
export interface ForgetEvents {
  /** Never reached the node, or was cut before its answer. */
  lost: string;
  /** The node answered with no verdict (400, 431, 5xx, ...): it did not analyse it. */
  refused: string;
}

/**
 * Sends without waiting for the answer (the async copy, the response report): returns once the
 * request is on the wire. A request finally lost, before or after the handler returned, is
 * logged once and counted; so is one the node refuses. Only a request that never reached the
 * wire counts towards the breaker: a viewer can make the node reset or stall what it received.
 */
export async function sendAndForget(rt: ReadyRuntime, req: NodeRequest, events: ForgetEvents, fields: LogFields): Promise<void> {
  const started = Date.now();
  const eventType = String(fields.event_type);
  const lost = (reason: string, code: string | undefined, phase: "send" | "after_send"): void => {
    log("warn", events.lost, { ...fields, reason, code, phase, elapsed_ms: Date.now() - started });
    rt.metrics.count(eventType, "CopiesLost");
    if (phase === "send") rt.guard.record(false, reason);
  };
  const answered = (status: number): void => {
    if (verdictOf(status) === "no_verdict") {
      log("warn", events.refused, { ...fields, status, elapsed_ms: Date.now() - started });
      rt.metrics.count(eventType, "CopiesRefused");
    } else {
      rt.metrics.count(eventType, "Inspected");
    }
  };
  const outcome = await rt.client.send(req, {
    waitForAnswer: false,
    timeoutMs: rt.config.node_timeout_ms,
    flushMs: Math.min(rt.config.node_timeout_ms, FLUSH_MS),
    onLost: (failure) => lost(failure.reason, failure.code, "after_send"),
    onAnswer: answered,
  });
  if (outcome.kind === "failed") {
    lost(outcome.reason, outcome.code, "send");
    return;
  }
  rt.guard.record(true);
  if (outcome.kind === "answered") answered(outcome.status);
}

/** What becomes of a request before the node: counted under its own name, or sent. */
export type Admission = Counter & ("Skipped" | "Truncated" | "BreakerOpen");

/**
 * Starts an invocation: writes the metrics when due, counts the request and says whether it goes
 * to the node ("Send") or not: passed by a filter, blocked for its truncated body, or answered
 * by the open breaker. The body is judged before the breaker, so it never takes the breaker's
 * one probe.
 */
export function admit(rt: ReadyRuntime, eventType: string, request: CloudFrontRequest): Admission | "Send" {
  rt.metrics.flush(Date.now());
  rt.metrics.count(eventType, "Requests");
  const fate = rt.skip?.(request)
    ? "Skipped"
    : rt.blockTruncated && request.body?.inputTruncated
      ? "Truncated"
      : rt.guard.allow()
        ? "Send"
        : "BreakerOpen";
  if (fate !== "Send") rt.metrics.count(eventType, fate);
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
    blockTruncated: waitsInInline && config.wallarm_mode === "inline" && config.truncated_body_action === "block",
  };
}

function nodeGuard(config: HandlerConfig): NodeGuard {
  const state = breaker(config.circuit_breaker_threshold, config.circuit_breaker_cooldown_ms);
  const action = failAction(config.fail_open);
  return {
    allow: () => state.allow(Date.now()),
    record: (ok, reason) => {
      const change = ok ? state.success(Date.now()) : state.failure(Date.now());
      if (change?.state === "open") {
        log("error", "breaker_open", { failures: change.failures, reason, cooldown_ms: config.circuit_breaker_cooldown_ms, action });
      } else if (change?.state === "closed") {
        log("info", "breaker_closed", { open_ms: change.openMs, bypassed: change.bypassed });
      }
    },
  };
}
