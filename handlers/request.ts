// Request trigger (viewer-request or origin-request): replays the request to the node and, in
// inline mode, blocks on the node's verdict. Passing returns the very request object received.
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from "aws-lambda";
import { blockResponse, failClosedResponse, sizeLimit } from "./block-response";
import { viewRequestEvent } from "./event";
import { log } from "./log";
import type { FailureReason } from "./node-client";
import { mirrorRequest, verdictOf } from "./protocol";
import { getRuntime } from "./runtime";

/** Async mode waits at most this long for the copy to reach the socket. */
const ASYNC_FLUSH_MS = 100;

export const handler = async (event: CloudFrontRequestEvent, _context?: Context): Promise<CloudFrontRequestResult> => {
  const started = Date.now();
  const request: CloudFrontRequest | undefined = event?.Records?.[0]?.cf?.request;
  let failOpen = true;
  try {
    const rt = getRuntime();
    if (!rt.ok) return rt.failOpen ? request : failClosedResponse();
    const { config, node, client } = rt;
    failOpen = config.fail_open;
    const view = viewRequestEvent(event);
    const fields = { request_id: view.requestId, event_type: view.eventType, mode: config.wallarm_mode };
    const copy = mirrorRequest(view, node, config.wallarm_mode);

    const fail = (reason: FailureReason | "node_status_5xx", extra: { code?: string; status?: number }) => {
      const action = config.fail_open ? "pass" : "fail_closed";
      log("error", "node_failure", { ...fields, reason, ...extra, action, elapsed_ms: Date.now() - started });
      return config.fail_open ? view.request : failClosedResponse();
    };

    if (config.wallarm_mode === "async") {
      const outcome = await client.send(copy, {
        waitForAnswer: false,
        timeoutMs: config.node_timeout_ms,
        flushMs: Math.min(config.node_timeout_ms, ASYNC_FLUSH_MS),
      });
      // Async mode never changes traffic, whatever fail_open says: the copy is best effort.
      if (outcome.kind === "failed") {
        log("warn", "node_copy_failed", { ...fields, reason: outcome.reason, code: outcome.code, elapsed_ms: Date.now() - started });
      }
      return view.request;
    }

    const outcome = await client.send(copy, { waitForAnswer: true, timeoutMs: config.node_timeout_ms });
    if (outcome.kind === "failed") return fail(outcome.reason, { code: outcome.code });
    if (outcome.kind !== "answered") return view.request; // "sent" only occurs when not waiting
    const verdict = verdictOf(outcome.status);
    if (verdict === "node_failure") return fail("node_status_5xx", { status: outcome.status });
    if (verdict === "pass") return view.request;

    const { response, oversized } = blockResponse(config, view.eventType, view.requestId);
    if (oversized) log("warn", "block_page_too_large", { ...fields, limit_bytes: sizeLimit(view.eventType), action: "built_in_page" });
    log("info", "blocked", { ...fields, status: config.block_status_code, elapsed_ms: Date.now() - started });
    return response;
  } catch (err) {
    // A bug must not become a Lambda error (a 503 for every viewer): apply the fail policy.
    log("error", "internal_error", { reason: String(err), action: failOpen ? "pass" : "fail_closed" });
    return failOpen ? request : failClosedResponse();
  }
};
