// Bundles the two Lambda@Edge handlers into single-file CommonJS scripts (`exports.handler`),
// minified and deterministic, with the connector version from package.json baked in. Used by the
// generator (generate.ts), the local edge demo, the bench and the tests; the CLI is
// scripts/bundle-handlers.ts.
import { build } from "esbuild";
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "./project-root";

export const HANDLER_NAMES = ["request", "response"] as const;

/**
 * Properties of the handlers' own objects, shortened in the bundles to keep them within budget.
 * Only names that never meet Node's, CloudFront's or a log line's objects belong here: a mangled
 * name that does breaks at run time, which the handler tests (run on the bundles) would catch.
 */
const INTERNAL_PROPERTIES = [
  ...["kind", "written", "answer", "processed", "retryable", "abort", "pooled", "goawayLast", "active", "lastUsed", "closing"],
  ...["waitForAnswer", "timeoutMs", "flushMs", "onLost", "forgetAddress", "connectTls", "tlsSocket", "acquire", "exchange", "adopt"],
  ...["allow", "record", "success", "failure", "openMs", "failOpen", "unknownKeys", "client", "guard", "metrics", "skip", "secure"],
  ...["counts", "buckets", "stats", "oversized", "latency", "flush"],
];

export async function bundleHandlers(outDir: string): Promise<Array<{ name: string; file: string; bytes: number }>> {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const out = resolve(outDir);
  const results = [];
  for (const name of HANDLER_NAMES) {
    const file = join(out, `${name}.js`);
    await build({
      entryPoints: [join(PROJECT_ROOT, "handlers", `${name}.ts`)],
      outfile: file,
      bundle: true,
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
    results.push({ name, file, bytes: statSync(file).size });
  }
  return results;
}
