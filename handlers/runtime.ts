// Cold-start state shared by all invocations of one Lambda instance: the validated config and
// the nodes, each with its client and circuit breaker. Built on first use, never rebuilt.
import type { CloudFrontRequest } from "aws-lambda";
import { join } from "node:path";
import { ConfigResult, HandlerConfig, readConfig } from "./config";
import { requestFilter } from "./filters";
import { failAction, log, type LogFields } from "./log";
import { type Counter, metrics, type Metrics } from "./metrics";
import { answerTracker, connectNodes, type Node, nodeField } from "./nodes";
import { type NodeRequest, verdictOf } from "./protocol";

export interface ReadyRuntime {
  ok: true;
  config: HandlerConfig;
  /** Most preferred first: the region's nodes, then wallarm_node_url. */
  nodes: readonly Node[];
  /** Tells the runtime which node gave an answer; logs a failover or a return once. */
  answeredBy(index: number): void;
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
  /**
   * Not on the wire when the flush time ran out: it goes on in the background, and a line
   * follows only if it is then lost. One line now, so a copy whose container is never thawed
   * is not lost without one.
   */
  pending: string;
}

/**
 * Sends without waiting for the answer (the async copy, the response report) to the first node
 * whose breaker lets it through, and to the next when that one cannot be reached: returns once
 * the request is on the wire, or the flush time is over (then it is logged pending and goes on
 * in the background). A request finally lost, before or after the handler returned, is logged
 * once and counted; so is one the node refuses. Only a request that never reached the wire
 * counts towards a breaker: a viewer can make the node reset or stall what it received.
 */
export async function sendAndForget(
  rt: ReadyRuntime,
  build: (node: Node) => NodeRequest,
  events: ForgetEvents,
  fields: LogFields,
): Promise<void> {
  const started = Date.now();
  const eventType = String(fields.event_type);
  const lost = (reason: string, code: string | undefined, phase: "send" | "after_send", node: Node): void => {
    log("warn", events.lost, { ...fields, ...nodeField(rt.nodes, node), reason, code, phase, elapsed_ms: Date.now() - started });
    rt.metrics.count(eventType, "CopiesLost");
  };
  const answered = (status: number): void => {
    if (verdictOf(status) === "no_verdict") {
      log("warn", events.refused, { ...fields, status, elapsed_ms: Date.now() - started });
      rt.metrics.count(eventType, "CopiesRefused");
    } else {
      rt.metrics.count(eventType, "Inspected");
    }
  };
  const route = routeOf(rt, eventType);
  for (let next = route.next(); next;) {
    const { node, index } = next;
    const outcome = await node.client.send(build(node), {
      waitForAnswer: false,
      timeoutMs: rt.config.node_timeout_ms,
      flushMs: Math.min(rt.config.node_timeout_ms, FLUSH_MS),
      onLost: (failure, onWire) => {
        lost(failure.reason, failure.code, onWire ? "after_send" : "send", node);
        if (!onWire) node.guard.record(false, failure.reason);
      },
      onAnswer: answered,
    });
    if (outcome.kind === "pending") {
      // Neither sent nor failed yet: no other node (that would send it twice), no breaker count.
      log("warn", events.pending, { ...fields, ...nodeField(rt.nodes, node), flush_ms: Math.min(rt.config.node_timeout_ms, FLUSH_MS) });
      return;
    }
    if (outcome.kind !== "failed") {
      node.guard.record(true);
      rt.answeredBy(index);
      if (outcome.kind === "answered") answered(outcome.status);
      return;
    }
    node.guard.record(false, outcome.reason);
    next = route.next();
    // The last node's failure is the copy's: one line for a copy, not one per node tried.
    if (!next) lost(outcome.reason, outcome.code, "send", node);
  }
}

/** A node to send to, with its place in the order of preference. */
export interface NodeChoice {
  readonly node: Node;
  readonly index: number;
}

/**
 * The nodes one request may use, in order, each asked once: next() returns the next node whose
 * breaker lets the request through (passing over open breakers), undefined when none is left.
 * A node passed over counts as a failover; a request with no node at all, as BreakerOpen.
 */
export function routeOf(rt: ReadyRuntime, eventType: string): { next(): NodeChoice | undefined } {
  let index = -1;
  return {
    next: () => {
      while (++index < rt.nodes.length) {
        const node = rt.nodes[index];
        if (!node.guard.allow()) {
          rt.metrics.count(eventType, "BreakerOpen");
          continue;
        }
        if (index > 0) rt.metrics.count(eventType, "Failovers");
        return { node, index };
      }
      return undefined;
    },
  };
}

/** What becomes of a request before the node: counted under its own name, or sent. */
export type Admission = Counter & ("Skipped" | "Truncated");

/**
 * Starts an invocation: writes the metrics when due, counts the request and says whether it goes
 * to the node ("Send") or not: passed by a filter, or blocked for its truncated body.
 */
export function admit(rt: ReadyRuntime, eventType: string, request: CloudFrontRequest): Admission | "Send" {
  rt.metrics.flush(Date.now());
  rt.metrics.count(eventType, "Requests");
  const fate = rt.skip?.(request) ? "Skipped" : rt.blockTruncated && request.body?.inputTruncated ? "Truncated" : "Send";
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
  // HTTP/2 for what is sent without waiting, once HTTP/1.1 waits; a verdict is waited on alone.
  // Lambda@Edge sets AWS_REGION to the region of the replica that runs (near the viewer).
  const nodes = connectNodes(config, process.env.AWS_REGION, !(waitsInInline && config.wallarm_mode === "inline"));
  return {
    ok: true,
    config,
    nodes,
    answeredBy: answerTracker(nodes),
    // Disabled metrics are still counted (a few numbers) but never written.
    metrics: metrics(config.metrics_namespace, config.metrics_enabled ? config.metrics_interval_seconds * 1000 : Infinity, (line) =>
      console.log(line),
    ),
    skip: requestFilter(config),
    blockTruncated: waitsInInline && config.wallarm_mode === "inline" && config.truncated_body_action === "block",
  };
}
