// CLI: `node scripts/run-ts.mjs scripts/bundle-handlers.ts <outDir>` writes <outDir>/request.js
// and response.js with the generator's bundler (modules/generator/bundle-handlers.ts).
import { basename } from "node:path";
import { bundleHandlers } from "../modules/generator/bundle-handlers";

if (basename(process.argv[1] ?? "") === "bundle-handlers.ts") {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error("usage: node scripts/run-ts.mjs scripts/bundle-handlers.ts <outDir>");
    process.exit(2);
  }
  bundleHandlers(outDir).then(
    (files) => files.forEach((f) => console.log(`${f.file}\t${f.bytes} bytes`)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
