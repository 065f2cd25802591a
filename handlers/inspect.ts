// In-line inspection: sends a request to the node and turns whatever comes back into one
// judgement. An outcome that is no verdict (another status, garbage, a reset, a timeout) asks
// who is at fault, the request or the node, and a liveness probe answers: a viewer who can make
// the node refuse, stall or choke on a request must not get it through as "the node is down",
// and must not be able to open the breaker for everyone.
import type { FailureReason, NodeClient, WaitOutcome } from "./node-client";
import { type NodeRequest, verdictOf } from "./protocol";

/**
 * The longest a liveness probe waits: a failed request costs at most node_timeout_ms plus this,
 * inside the 500 ms the modules keep between node_timeout_ms and the function timeout.
 */
export const PROBE_TIMEOUT_MS = 300;

// Failures before the request reached the node: only the node (or the way to it) causes them.
const NODE_UNREACHABLE: ReadonlySet<FailureReason> = new Set(["connection_refused", "dns_failure", "tls_failure"]);

/** What went wrong with a request that got no verdict, for the log line. */
export interface Fault {
  reason: FailureReason | "node_status";
  /** The status of an answer that is no verdict. */
  status?: number;
  /** A failure's code (ECONNRESET, HPE_INVALID_CONSTANT, ...). */
  code?: string;
}

export type Judgement =
  /** The node's verdict; latencyMs is the round trip that brought it. */
  | { kind: "pass" | "block"; latencyMs: number }
  /** The node is alive (it answered the probe) but gave this request no verdict. */
  | ({ kind: "refused" } & Fault)
  /** The node is down, overloaded or misconfigured; probe says what the probe got, when one ran. */
  | ({ kind: "node_down"; probe?: string } & Fault);

/** The fault an outcome that is no verdict shows. */
export function faultOf(outcome: WaitOutcome): Fault {
  if (outcome.kind === "answered") return { reason: "node_status", status: outcome.status };
  return { reason: outcome.reason, ...(outcome.code ? { code: outcome.code } : {}) };
}

/** How a probe's outcome reads: undefined when the node is alive, else what it got. */
export function probeFailure(outcome: WaitOutcome): string | undefined {
  if (outcome.kind === "failed") return outcome.reason;
  return verdictOf(outcome.status) === "no_verdict" ? `status ${outcome.status}` : undefined;
}

/**
 * Sends `request` and waits up to `timeoutMs` for the verdict; on any other outcome, unless the
 * node was plainly unreachable, sends the probe `probe()` builds (only then: most requests get a
 * verdict) with PROBE_TIMEOUT_MS to tell refusal from outage.
 */
export async function inspect(client: NodeClient, request: NodeRequest, probe: () => NodeRequest, timeoutMs: number): Promise<Judgement> {
  const sent = Date.now();
  const outcome = await client.send(request, { waitForAnswer: true, timeoutMs });
  if (outcome.kind === "answered") {
    const verdict = verdictOf(outcome.status);
    if (verdict !== "no_verdict") return { kind: verdict, latencyMs: Date.now() - sent };
  }
  const fault = faultOf(outcome);
  if (outcome.kind === "failed" && NODE_UNREACHABLE.has(outcome.reason)) return { kind: "node_down", ...fault };
  const failure = probeFailure(await client.send(probe(), { waitForAnswer: true, timeoutMs: PROBE_TIMEOUT_MS }));
  return failure === undefined ? { kind: "refused", ...fault } : { kind: "node_down", ...fault, probe: failure };
}
