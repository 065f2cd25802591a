// Request trigger (viewer-request or origin-request): replays the request to the node and, in
// inline mode, blocks on the node's verdict. Passing returns the very request object received.
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { blockResponse, failClosedResponse, sizeLimit } from "./block-response";
import { requestIdOf, viewRequestEvent } from "./event";
import { inspect } from "./inspect";
import { nodeField } from "./nodes";
import { failAction, log } from "./log";
import { livenessProbe, mirrorRequest } from "./protocol";
import { admit, getRuntime, routeOf, sendAndForget } from "./runtime";
import { SETTINGS } from "./settings";

/**
 * How long this invocation may wait for the node: node_timeout_ms, or less when Lambda's deadline
 * is nearer, so the liveness probe and the answer still fit (the modules check the same headroom
 * against the function timeout; this holds it when the configuration did not).
 */
function nodeWaitMs(configured: number, context: Context | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return configured;
  return Math.max(1, Math.min(configured, remaining - SETTINGS.node_timeout_ms.functionTimeoutHeadroomMs));
}

/** Below this, a next node is not tried: no verdict could come back in time. */
const MIN_ATTEMPT_MS = 50;

const handler = async (event: CloudFrontRequestEvent, context?: Context): Promise<CloudFrontRequestResult> => {
  const started = Date.now();
  const request: CloudFrontRequest | undefined = event?.Records?.[0]?.cf?.request;
  let failOpen = true;
  try {
    const rt = getRuntime(true);
    if (!rt.ok) return rt.failOpen ? request : failClosedResponse();
    const { config, metrics } = rt;
    failOpen = config.fail_open;
    const view = viewRequestEvent(event);
    const fields = { request_id: view.requestId, event_type: view.eventType, mode: config.wallarm_mode };
    const failPolicy = (): CloudFrontRequestResult => (config.fail_open ? view.request : failClosedResponse());
    const block = (): CloudFrontRequestResult => {
      metrics.count(view.eventType, "Blocked");
      const { response, oversized } = blockResponse(config, view.eventType, view.requestId);
      if (oversized) log("warn", "block_page_too_large", { ...fields, limit_bytes: sizeLimit(view.eventType), action: "built_in_page" });
      return response;
    };
    const async = config.wallarm_mode === "async";

    const fate = admit(rt, view.eventType, view.request);
    if (fate === "Skipped") return view.request;
    if (fate === "Truncated") {
      // The node would judge only the first part: the rest could carry anything.
      log("warn", "body_truncated", { ...fields, action: "block" });
      return block();
    }
    if (async) {
      // Async mode never changes traffic, whatever fail_open says: the copy is best effort.
      const events = { lost: "node_copy_lost", refused: "node_copy_refused", pending: "node_copy_pending" };
      await sendAndForget(rt, (node) => mirrorRequest(view, node.prefix, config.wallarm_mode), events, fields);
      return view.request;
    }

    // The nodes in order: one whose breaker is open is passed over; one found unavailable hands
    // the request to the next while time is left. The fail policy only when none gave a verdict.
    const route = routeOf(rt, view.eventType);
    let attempted = false;
    for (let next = route.next(); next; next = route.next()) {
      const { node, index } = next;
      const waitMs = nodeWaitMs(config.node_timeout_ms, context);
      if (attempted && waitMs < MIN_ATTEMPT_MS) break;
      attempted = true;
      const judgement = await inspect(
        node.client,
        mirrorRequest(view, node.prefix, config.wallarm_mode),
        () => livenessProbe(node.url.host, node.prefix, view.requestId),
        waitMs,
      );
      const nodeFields = { ...fields, ...nodeField(rt.nodes, node) };
      if (judgement.kind === "node_down") {
        // Only here does a breaker count: the node gave not even the probe a verdict.
        const { kind: _, ...fault } = judgement;
        const action = index < rt.nodes.length - 1 ? "next_node" : failAction(config.fail_open);
        log("error", "node_failure", { ...nodeFields, ...fault, action, elapsed_ms: Date.now() - started });
        node.guard.record(false, judgement.reason);
        continue;
      }
      node.guard.record(true);
      rt.answeredBy(index);
      if (judgement.kind === "refused") {
        // The node is alive and would not judge this request: the request is the problem.
        metrics.count(view.eventType, "Refused");
        const { kind: _, ...fault } = judgement;
        const action = config.refused_request_action;
        log("warn", "request_refused", { ...nodeFields, ...fault, action, elapsed_ms: Date.now() - started });
        return action === "block" ? block() : view.request;
      }
      metrics.count(view.eventType, "Inspected");
      metrics.latency(view.eventType, judgement.latencyMs);
      if (judgement.kind === "pass") return view.request;
      log("info", "blocked", { ...nodeFields, status: config.block_status_code, elapsed_ms: Date.now() - started });
      return block();
    }
    // Every node unavailable, or its breaker open: the open breakers' lines count what they let by.
    if (attempted) metrics.count(view.eventType, "NodeFailures");
    return failPolicy();
  } catch (err) {
    // A bug must not become a Lambda error (a 503 for every viewer): apply the fail policy.
    log("error", "internal_error", { request_id: requestIdOf(event), reason: String(err), action: failAction(failOpen) });
    return failOpen ? request : failClosedResponse();
  }
};
getRuntime(true); // at init: config read and the node's connection opened before the first event
export = { handler };
