// Cold-start state shared by all invocations of one Lambda instance: the validated config and
// one keep-alive node client. Built on first use, never rebuilt.
import { join } from "node:path";
import { ConfigResult, HandlerConfig, readConfig } from "./config";
import { log } from "./log";
import { createNodeClient, NodeClient } from "./node-client";

export type Runtime =
  | { ok: true; config: HandlerConfig; node: URL; client: NodeClient }
  | { ok: false; failOpen: boolean };

let runtime: Runtime | undefined;

/** The runtime for config.json beside the bundle (`index.js` in the Lambda zip). */
export function getRuntime(): Runtime {
  runtime ??= buildRuntime(readConfig(join(__dirname, "config.json")));
  return runtime;
}

export function buildRuntime(result: ConfigResult): Runtime {
  if (!result.ok) {
    // Logged once per cold start; every invocation then follows fail_open.
    log("error", "config_invalid", { reason: result.reason, action: result.failOpen ? "pass" : "fail_closed" });
    return { ok: false, failOpen: result.failOpen };
  }
  if (result.unknownKeys.length > 0) log("warn", "config_unknown_keys", { keys: result.unknownKeys });
  const node = new URL(result.config.wallarm_node_url);
  return { ok: true, config: result.config, node, client: createNodeClient(node, result.config.node_ca_pem) };
}
