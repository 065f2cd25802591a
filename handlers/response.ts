// Response trigger (origin-response or viewer-response): reports status and headers to the node
// under the request's id, without waiting for an answer. The response is never changed: the
// function returns the very object it received, whatever happens.
import type { CloudFrontResponseEvent, CloudFrontResponseResult, Context } from "aws-lambda";
import { requestIdOf, viewResponseEvent } from "./event";
import { log } from "./log";
import { responseReport } from "./protocol";
import type { Node } from "./nodes";
import { admit, getRuntime, sendAndForget } from "./runtime";

const handler = async (event: CloudFrontResponseEvent, _context?: Context): Promise<CloudFrontResponseResult> => {
  const response = event?.Records?.[0]?.cf?.response;
  try {
    const rt = getRuntime(false);
    if (!rt.ok) return response;
    const view = viewResponseEvent(event);
    // A request a filter passed has nothing to report.
    if (admit(rt, view.eventType, view.request) !== "Send") return response;
    const fields = { request_id: view.requestId, event_type: view.eventType };
    const report = (node: Node) => responseReport(view, node.url.host, node.prefix, rt.config.wallarm_mode);
    await sendAndForget(rt, report, { lost: "node_report_failed", refused: "node_report_refused", pending: "node_report_pending" }, fields);
  } catch (err) {
    log("error", "internal_error", { request_id: requestIdOf(event), reason: String(err), action: "pass" });
  }
  return response;
};
getRuntime(false); // at init: config read and the node's connection opened before the first event
export = { handler };
