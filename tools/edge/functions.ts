// Loads a handler bundle the way Lambda runs it (tools/lambda-folder.ts: the bundle as `index.js`
// next to `config.json` in a folder of its own, `require`d once, a cold start), then calls
// `handler(event, context)` per event with a deadline.
import type { CloudFrontRequestEvent, CloudFrontResponseEvent, Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { CONFIG_DEFAULTS, CONFIG_KEYS, type HandlerConfig } from "../../handlers/config";
import { type LoadedBundle, lambdaFolder, requireBundle } from "../lambda-folder";

export type EdgeEvent = CloudFrontRequestEvent | CloudFrontResponseEvent;
type Handler = (event: EdgeEvent, context: Context) => Promise<unknown>;

export type Invocation = { ok: true; result: unknown; ms: number } | { ok: false; error: string; ms: number };

export interface EdgeFunction {
  readonly name: string;
  /** Runs the handler; an exception, rejection or timeout is reported, never thrown. */
  invoke(event: EdgeEvent, timeoutMs: number): Promise<Invocation>;
  /** Unloads the function and removes its folder. */
  remove(): void;
}

/** An object's keys sorted, at every level (node_urls_by_region's regions too), as jsonencode writes maps. */
const keysSorted = (_key: string, value: unknown): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value;

/**
 * config.json byte for byte as the lambda-edge module writes it with Terraform's jsonencode:
 * every key, sorted, and <, >, &, U+2028, U+2029 escaped as Go's encoder does.
 */
export function configJson(settings: Partial<HandlerConfig> & Pick<HandlerConfig, "wallarm_node_url">): string {
  const full: HandlerConfig = { ...CONFIG_DEFAULTS, ...settings };
  const known = Object.fromEntries(CONFIG_KEYS.map((key) => [key, full[key]]));
  return JSON.stringify(known, keysSorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (): never => {
    throw new Error("context.done/fail/succeed are not supported; return a value");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `us-east-1.${name}`,
    functionVersion: "1",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:1`,
    memoryLimitInMB: "128",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/us-east-1.${name}`,
    logStreamName: `local/[1]${randomUUID().replace(/-/g, "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Copies `bundleFile` to a fresh folder as index.js beside `config` and loads it. */
export function loadFunction(name: string, bundleFile: string, config: string): EdgeFunction {
  const dir = lambdaFolder(`edge-${name}-`, bundleFile, config);
  let loaded: LoadedBundle;
  let handler: Handler;
  try {
    loaded = requireBundle(dir);
    const exported = (loaded.exports as { handler?: unknown }).handler;
    if (typeof exported !== "function") throw new Error(`${bundleFile} does not export a handler function`);
    handler = exported as Handler;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    name,
    async invoke(event, timeoutMs) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Invocation>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, error: `timed out after ${timeoutMs} ms`, ms: elapsed() }), timeoutMs);
      });
      const run = (async (): Promise<Invocation> => {
        try {
          return { ok: true, result: await handler(event, lambdaContext(name, timeoutMs)), ms: elapsed() };
        } catch (error) {
          return { ok: false, error: message(error), ms: elapsed() };
        }
      })();
      try {
        return await Promise.race([run, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    remove() {
      loaded.unload();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
