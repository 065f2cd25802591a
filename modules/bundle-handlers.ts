// Bundles the two Lambda@Edge handlers into single-file CommonJS scripts (`exports.handler`),
// minified and deterministic, with the connector version from package.json baked in. Used by the
// generator (generate.ts), the local edge demo, the bench and the tests; the CLI is
// scripts/bundle-handlers.ts.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { minify } from "uglify-js";
import { PROJECT_ROOT } from "./project-root";

export const HANDLER_NAMES = ["request", "response"] as const;

/** Largest bundle, raw bytes: size matters only through cold start, which the bench measures. */
export const BUNDLE_BUDGET_BYTES = 64 * 1024;

/**
 * Properties of the handlers' own objects, shortened in the bundles to keep them within budget.
 * Only names that never meet Node's, CloudFront's or a log line's objects belong here: a mangled
 * name that does breaks at run time, which the handler tests (run on the bundles) would catch.
 */
const INTERNAL_PROPERTIES = [
  ...["kind", "written", "answer", "processed", "retryable", "abort", "pooled", "goawayLast", "active", "lastUsed", "closing"],
  ...["waitForAnswer", "timeoutMs", "flushMs", "onLost", "forgetAddress", "connectTls", "tlsSocket", "acquire", "exchange", "adopt"],
  ...["allow", "record", "success", "failure", "openMs", "failOpen", "unknownKeys", "client", "guard", "metrics", "skip", "secure"],
  ...["counts", "buckets", "stats", "oversized", "latency", "flush", "send", "warm", "open", "count", "ok", "at", "default", "pattern"],
  ...["h2", "socket", "prefix", "node"],
];

export async function bundleHandlers(outDir: string): Promise<Array<{ name: string; file: string; bytes: number }>> {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const results = [];
  for (const name of HANDLER_NAMES) {
    const file = join(out, `${name}.js`);
    const bundled = await build({
      entryPoints: [join(PROJECT_ROOT, "handlers", `${name}.ts`)],
      bundle: true,
      write: false,
      platform: "node",
      target: "node20",
      format: "cjs",
      minify: true,
      mangleProps: new RegExp(`^(${INTERNAL_PROPERTIES.join("|")})$`),
      sourcemap: false,
      legalComments: "none",
      charset: "utf8",
      define: { __CONNECTOR_VERSION__: JSON.stringify(version) },
      logLevel: "warning",
    });
    const code = compact(bundled.outputFiles[0].text);
    writeFileSync(file, code);
    results.push({ name, file, bytes: Buffer.byteLength(code) });
  }
  return results;
}

/**
 * A second, whole-program minification pass: UglifyJS turns function declarations into arrows
 * and merges statements where esbuild keeps them, about 6% of each bundle. Safe transforms only
 * (no `unsafe`), so the bundles behave as esbuild wrote them; the handler tests run on the result.
 */
function compact(code: string): string {
  let shortest = code;
  // Minifying the minified output finds more (names mangled once merge further): until it stops.
  for (;;) {
    const result = minify(shortest, { toplevel: true, compress: { passes: 3 }, mangle: { toplevel: true } });
    if (result.error) throw result.error;
    if (result.code.length >= shortest.length) return shortest;
    shortest = result.code;
  }
}
