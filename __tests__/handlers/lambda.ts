// Runs the handler bundles exactly as Lambda does: `index.js` next to `config.json` in a fresh
// folder, loaded with require, called as handler(event, context). A fresh folder is a cold start.
import type { Context } from "aws-lambda";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleHandlers } from "../../scripts/bundle-handlers";

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
  const dir = mkdtempSync(join(tmpdir(), `lambda-${name}-`));
  dirs.push(dir);
  copyFileSync(join(await distDir(), `${name}.js`), join(dir, "index.js"));
  if (config !== undefined) writeFileSync(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(dir, "index.js")) as { handler: Handler<E, R> };
  return mod.handler;
}

export const context = { functionName: "us-east-1.wallarm-connector-request", awsRequestId: "test" } as Context;

export function cleanup(): void {
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  built = undefined;
}

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
