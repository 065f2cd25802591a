// Request trigger (viewer-request or origin-request): replays the request to the node and, in
// inline mode, blocks on the node's verdict. Passing returns the very request object received.
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { blockResponse, failClosedResponse, sizeLimit } from "./block-response";
import { now } from "./clock";
import { viewRequestEvent } from "./event";
import { failAction, log } from "./log";
import type { Failure } from "./node-client";
import { mirrorRequest, verdictOf } from "./protocol";
import { admit, getRuntime, sendAndForget } from "./runtime";

const handler = async (event: CloudFrontRequestEvent, _context?: Context): Promise<CloudFrontRequestResult> => {
  const started = now();
  const request: CloudFrontRequest | undefined = event?.Records?.[0]?.cf?.request;
  let failOpen = true;
  try {
    const rt = getRuntime(true);
    if (!rt.ok) return rt.failOpen ? request : failClosedResponse();
    const { config, prefix, client, guard, metrics } = rt;
    failOpen = config.fail_open;
    const view = viewRequestEvent(event);
    const fields = { request_id: view.requestId, event_type: view.eventType, mode: config.wallarm_mode };
    const passOrFail = (): CloudFrontRequestResult => (config.fail_open ? view.request : failClosedResponse());
    const async = config.wallarm_mode === "async";
    const fate = admit(rt, view.eventType, view.request);
    if (fate === "Skipped") return view.request;
    // An open breaker answers at once; its open and close lines count what it let by.
    if (fate === "BreakerOpen") return async ? view.request : passOrFail();
    const copy = mirrorRequest(view, prefix, config.wallarm_mode);

    if (async) {
      // Async mode never changes traffic, whatever fail_open says: the copy is best effort.
      await sendAndForget(rt, copy, "node_copy_lost", fields);
      return view.request;
    }

    const sent = now();
    const outcome = await client.send(copy, { waitForAnswer: true, timeoutMs: config.node_timeout_ms });
    if (outcome.kind === "answered") metrics.latency(view.eventType, now() - sent);
    const verdict = outcome.kind === "answered" ? verdictOf(outcome.status) : "node_failure";
    if (verdict === "node_failure") {
      const reason = outcome.kind === "failed" ? outcome.reason : "node_status";
      log("error", "node_failure", {
        ...fields,
        reason,
        // One of the two: a failure's code, or the status of an answer that is no verdict.
        code: (outcome as Partial<Failure>).code,
        status: (outcome as { status?: number }).status,
        action: failAction(config.fail_open),
        elapsed_ms: now() - started,
      });
      // Only a node that is down or overloaded (no answer, 5xx) counts towards the breaker. A 400
      // or 431 comes from a healthy node and a viewer can provoke it (an oversized header): if it
      // counted, a few such requests would open the breaker and pass everyone uninspected.
      guard.record(outcome.kind === "answered" && outcome.status < 500, reason);
      metrics.count(view.eventType, "NodeFailures");
      return passOrFail();
    }
    guard.record(true);
    if (verdict === "pass") return view.request;

    metrics.count(view.eventType, "Blocked");
    const { response, oversized } = blockResponse(config, view.eventType, view.requestId);
    if (oversized) log("warn", "block_page_too_large", { ...fields, limit_bytes: sizeLimit(view.eventType), action: "built_in_page" });
    log("info", "blocked", { ...fields, status: config.block_status_code, elapsed_ms: now() - started });
    return response;
  } catch (err) {
    // A bug must not become a Lambda error (a 503 for every viewer): apply the fail policy.
    log("error", "internal_error", { reason: String(err), action: failAction(failOpen) });
    return failOpen ? request : failClosedResponse();
  }
};
getRuntime(true); // at init: config read and the node's connection opened before the first event
export = { handler };
