// CloudFront request events for the benchmark: the project's sample viewer-request GET
// (tools/cloudfront-events.ts) with a query, a unique request id each.
import type { CloudFrontRequestEvent } from "aws-lambda";
import { requestEvent } from "../cloudfront-events";

let counter = 0;

export function benchRequestEvent(requestId = `bench-${process.pid}-${++counter}-Abc_dEf==`): CloudFrontRequestEvent {
  return requestEvent({ requestId, uri: "/products", querystring: "page=2" });
}

/** The handler's verdict as a short word: "pass", or "status 403" / "status 503" for a generated response. */
export function outcomeOf(result: unknown): string {
  if (result && typeof result === "object" && "status" in result && !("uri" in result)) {
    return `status ${String((result as { status: unknown }).status)}`;
  }
  return result ? "pass" : "undefined";
}
