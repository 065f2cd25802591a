// Bundles the two Lambda@Edge handlers into single-file CommonJS scripts (`exports.handler`),
// minified by esbuild alone (property names stay as written) and deterministic, with the
// connector version from package.json baked in. Used by the generator (generate.ts), the local
// edge demo, the bench and the tests; the CLI is scripts/bundle-handlers.ts.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "./project-root";

export const HANDLER_NAMES = ["request", "response"] as const;

/** Largest bundle, raw bytes: size matters only through cold start, which the bench measures. */
export const BUNDLE_BUDGET_BYTES = 64 * 1024;

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
      sourcemap: false,
      legalComments: "none",
      charset: "utf8",
      define: { __CONNECTOR_VERSION__: JSON.stringify(version) },
      logLevel: "warning",
    });
    const code = bundled.outputFiles[0].text;
    writeFileSync(file, code);
    results.push({ name, file, bytes: Buffer.byteLength(code) });
  }
  return results;
}
