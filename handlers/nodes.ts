// The nodes a function instance sends to, in order of preference: those listed for the AWS
// region it runs in (node_urls_by_region), then wallarm_node_url, the last resort everywhere.
// Each node has its own connections and circuit breaker; a request goes to the first node whose
// breaker lets it through, and on to the next when that one turns out unavailable.
import { breaker } from "./breaker";
import type { HandlerConfig } from "./config";
import { failAction, log } from "./log";
import { createNodeClient, type NodeClient } from "./node-client";
import { pathPrefix } from "./protocol";

export interface NodeGuard {
  /** May this invocation contact the node? false: its breaker is open. */
  allow(): boolean;
  /** Reports how the node did; logs a breaker state change once. */
  record(ok: boolean, reason?: string): void;
}

export interface Node {
  readonly url: URL;
  /** The URL's path prefix, which every request path starts with. */
  readonly prefix: string;
  readonly client: NodeClient;
  readonly guard: NodeGuard;
}

/** The node URLs for a function instance in `region`, most preferred first, each once. */
export function nodeUrls(config: Pick<HandlerConfig, "wallarm_node_url" | "node_urls_by_region">, region: string | undefined): URL[] {
  const listed = (region !== undefined && Object.hasOwn(config.node_urls_by_region, region) && config.node_urls_by_region[region]) || [];
  const urls = [...listed, config.wallarm_node_url].map((url) => new URL(url));
  return urls.filter((url, i) => urls.findIndex((other) => other.href === url.href) === i);
}

/** The log fields naming `node`: none with a single node, whose lines read as they always have. */
export const nodeField = (nodes: readonly Node[], node: Node): { node?: string } => (nodes.length > 1 ? { node: node.url.host } : {});

/** http2: HTTP/2 to TLS nodes that offer it, once HTTP/1.1 waits (for what is sent without waiting); see createNodeClient. */
export function connectNodes(config: HandlerConfig, region: string | undefined, http2: boolean): Node[] {
  const urls = nodeUrls(config, region);
  return urls.map((url, index) => {
    const client = createNodeClient(url, config.node_ca_pem, http2);
    // Only the preferred node is connected at init: every instance warming every fallback would
    // cost each far node a handshake per cold start for requests it may never see.
    if (index === 0) client.warm();
    // With one node, its lines need not say which (and read as they always have).
    return { url, prefix: pathPrefix(url), client, guard: nodeGuard(config, urls.length > 1 ? { node: url.host } : {}) };
  });
}

function nodeGuard(config: HandlerConfig, where: { node?: string }): NodeGuard {
  const state = breaker(config.circuit_breaker_threshold, config.circuit_breaker_cooldown_ms);
  const action = failAction(config.fail_open);
  return {
    allow: () => state.allow(Date.now()),
    record: (ok, reason) => {
      const change = ok ? state.success(Date.now()) : state.failure(Date.now());
      if (change?.state === "open") {
        log("error", "breaker_open", {
          ...where,
          failures: change.failures,
          reason,
          cooldown_ms: config.circuit_breaker_cooldown_ms,
          action,
        });
      } else if (change?.state === "closed") {
        log("info", "breaker_closed", { ...where, open_ms: change.openMs, bypassed: change.bypassed });
      }
    },
  };
}

/**
 * Which node answers this instance's requests, logged when it changes: `node_failover` when a
 * later node takes over, `node_return` when an earlier one is back. Once per change, not per
 * request, with both nodes.
 */
export function answerTracker(nodes: readonly Node[]): (index: number) => void {
  let current = 0;
  return (index) => {
    if (index === current) return;
    const from = nodes[current]?.url.host;
    const to = nodes[index]?.url.host;
    log(index > current ? "warn" : "info", index > current ? "node_failover" : "node_return", { from, to });
    current = index;
  };
}
