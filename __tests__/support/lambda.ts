// Runs the handler bundles exactly as Lambda does (tools/lambda-folder.ts: `index.js` next to
// `config.json` in a fresh folder, loaded with require), called as handler(event, context).
// A fresh folder is a cold start.
import type { Context } from "aws-lambda";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleHandlers } from "../../modules/generator/bundle-handlers";
import { lambdaFolder, requireHandler } from "../../tools/lambda-folder";

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const dirs: string[] = [];

/** Builds both bundles once per test file into a temp dir; returns that dir. */
let built: Promise<string> | undefined;
export function distDir(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "dist-"));
    dirs.push(dir);
    await bundleHandlers(dir);
    return dir;
  })();
  return built;
}

/**
 * A cold-started Lambda instance of one bundle. `config` is written as JSON, a string is
 * written verbatim (for broken files), undefined writes no config.json at all.
 */
export async function coldStart<E, R>(name: "request" | "response", config: object | string | undefined): Promise<Handler<E, R>> {
  const text = typeof config === "string" || config === undefined ? config : JSON.stringify(config);
  const dir = lambdaFolder(`lambda-${name}-`, join(await distDir(), `${name}.js`), text);
  dirs.push(dir);
  return requireHandler<Handler<E, R>>(dir);
}

export const context = { functionName: "us-east-1.wallarm-connector-request", awsRequestId: "test" } as Context;

export function cleanup(): void {
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  built = undefined;
}

/**
 * Whether a log line is a copy or report that missed the handler's 100 ms flush budget (FLUSH_MS
 * in handlers/runtime.ts) on its way to the socket: `node_copy_pending`, `node_report_pending`.
 * On a loaded machine that happens to a request that is still sent: the line reports the clock,
 * not a loss. Tests that assert nothing was lost check delivery at the node and leave these out.
 */
export const missedFlushBudget = (line: Record<string, unknown>): boolean => String(line.event).endsWith("_pending");

/** Captures the JSON log lines the handlers write (console.log and console.error). */
export function captureLogs(): { lines(): Array<Record<string, unknown>>; restore(): void } {
  const captured: string[] = [];
  const spies = [jest.spyOn(console, "log"), jest.spyOn(console, "error")].map((s) =>
    s.mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(" "))),
  );
  return {
    lines: () => captured.map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}
