// `npm run edge -- [options]`: a local CloudFront edge in the foreground, one log line per request.
import { parseArgs } from "node:util";
import { CONFIG_DEFAULTS, type WallarmMode } from "../../handlers/config";
import { DEFAULT_FUNCTION_TIMEOUT_MS } from "./edge";
import type { Trigger } from "./events";
import { DEFAULT_BUNDLE_DIR, logLine, startEdge } from "./server";

const USAGE = `Usage: npm run edge -- --node URL [options]

Runs the Lambda@Edge bundles (request.js, response.js) as CloudFront would, in front of an origin.

  --node URL                 Wallarm node (config wallarm_node_url)             [required]
  --region NAME              AWS_REGION of the functions, as Lambda@Edge sets it for the
                             replica that runs (the region nearest the viewer)   [us-east-1]
  --region-node URL          a node of that region, tried before --node (config
                             node_urls_by_region); repeat for several, in order
  --origin URL               origin to proxy to                     [http://127.0.0.1:8000]
  --port N                   port to listen on, 127.0.0.1 only                       [8080]
  --trigger viewer|origin    associate the functions with viewer or origin events [viewer]
  --mode inline|async        config wallarm_mode                                   [inline]
  --fail-closed              config fail_open = false (503 when the node cannot answer)
  --node-timeout-ms N        config node_timeout_ms                                  [1000]
  --block-status N           config block_status_code                                 [403]
  --breaker-threshold N      config circuit_breaker_threshold: consecutive node failures
                             that open the circuit breaker                              [${CONFIG_DEFAULTS.circuit_breaker_threshold}]
  --breaker-cooldown-ms N    config circuit_breaker_cooldown_ms: how long an open breaker
                             applies the fail policy before one probe               [${CONFIG_DEFAULTS.circuit_breaker_cooldown_ms}]
  --skip-extensions LIST     config skip_extensions, comma-separated: png,css,js
  --skip-path-prefixes LIST  config skip_path_prefixes, comma-separated: /static/,/health
  --skip-methods LIST        config skip_methods, comma-separated: OPTIONS
  --metrics-interval-s N     config metrics_interval_seconds: one EMF line per interval   [${CONFIG_DEFAULTS.metrics_interval_seconds}]
  --no-metrics               config metrics_enabled = false
  --function-timeout-ms N    Lambda timeout                     [5000 viewer, 30000 origin]
  --no-response-function     associate only the request function
  --bundle-dir DIR           where request.js and response.js are
                                                 [${DEFAULT_BUNDLE_DIR}]
  --help                     this text
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) fail(`--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((value) => value === text);
  return found ?? fail(`--${name} must be one of ${allowed.join(", ")}, got "${text}"`);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        node: { type: "string" },
        region: { type: "string", default: "us-east-1" },
        "region-node": { type: "string", multiple: true, default: [] },
        origin: { type: "string", default: "http://127.0.0.1:8000" },
        port: { type: "string", default: "8080" },
        trigger: { type: "string", default: "viewer" },
        mode: { type: "string", default: "inline" },
        "fail-closed": { type: "boolean", default: false },
        "node-timeout-ms": { type: "string" },
        "block-status": { type: "string" },
        "breaker-threshold": { type: "string" },
        "breaker-cooldown-ms": { type: "string" },
        "skip-extensions": { type: "string" },
        "skip-path-prefixes": { type: "string" },
        "skip-methods": { type: "string" },
        "metrics-interval-s": { type: "string" },
        "no-metrics": { type: "boolean", default: false },
        "function-timeout-ms": { type: "string" },
        "no-response-function": { type: "boolean", default: false },
        "bundle-dir": { type: "string", default: DEFAULT_BUNDLE_DIR },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!parsed.node) fail("--node is required");
  const trigger = oneOf<Trigger>("trigger", parsed.trigger, ["viewer", "origin"]);
  const mode = oneOf<WallarmMode>("mode", parsed.mode, ["inline", "async"]);
  const nodeTimeout = integer("node-timeout-ms", parsed["node-timeout-ms"]);
  const blockStatus = integer("block-status", parsed["block-status"]);
  const breakerThreshold = integer("breaker-threshold", parsed["breaker-threshold"]);
  const breakerCooldown = integer("breaker-cooldown-ms", parsed["breaker-cooldown-ms"]);
  const metricsInterval = integer("metrics-interval-s", parsed["metrics-interval-s"]);
  // Lists are checked by the handler when it loads config.json, with the module's message.
  const list = (text: string | undefined) => (text === undefined ? undefined : text.split(",").filter((item) => item !== ""));
  const filters = {
    skip_extensions: list(parsed["skip-extensions"]),
    skip_path_prefixes: list(parsed["skip-path-prefixes"]),
    skip_methods: list(parsed["skip-methods"]),
  };

  // The functions run in this process: they read AWS_REGION when loaded, as in Lambda.
  process.env.AWS_REGION = parsed.region;
  const regionNodes = parsed["region-node"];

  const edge = await startEdge({
    bundleDir: parsed["bundle-dir"],
    origin: parsed.origin,
    trigger,
    responseFunction: !parsed["no-response-function"],
    functionTimeoutMs: integer("function-timeout-ms", parsed["function-timeout-ms"]) ?? DEFAULT_FUNCTION_TIMEOUT_MS[trigger],
    port: integer("port", parsed.port),
    config: {
      wallarm_node_url: parsed.node,
      ...(regionNodes.length > 0 ? { node_urls_by_region: { [parsed.region]: regionNodes } } : {}),
      wallarm_mode: mode,
      fail_open: !parsed["fail-closed"],
      ...(nodeTimeout === undefined ? {} : { node_timeout_ms: nodeTimeout }),
      ...(blockStatus === undefined ? {} : { block_status_code: blockStatus }),
      ...(breakerThreshold === undefined ? {} : { circuit_breaker_threshold: breakerThreshold }),
      ...(breakerCooldown === undefined ? {} : { circuit_breaker_cooldown_ms: breakerCooldown }),
      ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)),
      ...(metricsInterval === undefined ? {} : { metrics_interval_seconds: metricsInterval }),
      ...(parsed["no-metrics"] ? { metrics_enabled: false } : {}),
    },
    onRequest: (viewer, outcome) => console.log(`${new Date().toISOString()}  ${logLine(viewer, outcome)}`),
  });
  console.log(`local edge on ${edge.url}  (${trigger} trigger, ${mode} mode, fail-${parsed["fail-closed"] ? "closed" : "open"})`);
  const nodes = [...regionNodes, parsed.node].join(", then ");
  console.log(`  origin ${parsed.origin}   nodes ${nodes} (${parsed.region})   bundles ${parsed["bundle-dir"]}`);
  const stop = (): void => {
    void edge.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
