// Request trigger (viewer-request or origin-request): replays the request to the node and, in
// inline mode, blocks on the node's verdict. Passing returns the very request object received.
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { blockResponse, failClosedResponse, sizeLimit } from "./block-response";
import { requestIdOf, viewRequestEvent } from "./event";
import { inspect } from "./inspect";
import { failAction, log } from "./log";
import { livenessProbe, mirrorRequest } from "./protocol";
import { admit, getRuntime, sendAndForget } from "./runtime";
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
    // An open breaker answers at once; its open and close lines count what it let by.
    if (fate === "BreakerOpen") return async ? view.request : failPolicy();
    const copy = mirrorRequest(view, rt.prefix, config.wallarm_mode);

    if (async) {
      // Async mode never changes traffic, whatever fail_open says: the copy is best effort.
      await sendAndForget(rt, copy, { lost: "node_copy_lost", refused: "node_copy_refused" }, fields);
      return view.request;
    }

    const judgement = await inspect(
      rt.client,
      copy,
      () => livenessProbe(rt.node.host, rt.prefix, view.requestId),
      nodeWaitMs(config.node_timeout_ms, context),
    );
    switch (judgement.kind) {
      case "pass":
      case "block":
        rt.guard.record(true);
        metrics.count(view.eventType, "Inspected");
        metrics.latency(view.eventType, judgement.latencyMs);
        if (judgement.kind === "pass") return view.request;
        log("info", "blocked", { ...fields, status: config.block_status_code, elapsed_ms: Date.now() - started });
        return block();
      case "refused": {
        // The node is alive and would not judge this request: the request is the problem.
        rt.guard.record(true);
        metrics.count(view.eventType, "Refused");
        const { kind: _, ...fault } = judgement;
        log("warn", "request_refused", { ...fields, ...fault, action: config.refused_request_action, elapsed_ms: Date.now() - started });
        return config.refused_request_action === "block" ? block() : view.request;
      }
      case "node_down": {
        // Only here does the breaker count: the node gave not even the probe a verdict.
        const { kind: _, ...fault } = judgement;
        log("error", "node_failure", { ...fields, ...fault, action: failAction(config.fail_open), elapsed_ms: Date.now() - started });
        rt.guard.record(false, judgement.reason);
        metrics.count(view.eventType, "NodeFailures");
        return failPolicy();
      }
    }
  } catch (err) {
    // A bug must not become a Lambda error (a 503 for every viewer): apply the fail policy.
    log("error", "internal_error", { request_id: requestIdOf(event), reason: String(err), action: failAction(failOpen) });
    return failOpen ? request : failClosedResponse();
  }
};
getRuntime(true); // at init: config read and the node's connection opened before the first event
export = { handler };
