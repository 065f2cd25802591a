// `npm run generate`: bundles the handlers and writes every module and example, with its
// README, into generated/, and the documented props interface of the handler settings into
// modules/library/. Output depends only on the sources: running it twice gives byte-identical
// files.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { bundleHandlers } from "./bundle-handlers";
import { HANDLER_SETTINGS_PROPS_FILE, handlerSettingsPropsSource } from "./handler-settings-props";
import { PROJECT_ROOT } from "./project-root";
import { GENERATED_DIR, renderModules } from "./render-modules";

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  const bundles = await bundleHandlers(join(GENERATED_DIR, "modules", "lambda-edge", "dist"));
  const files = renderModules();
  for (const [path, text] of files) {
    mkdirSync(dirname(join(GENERATED_DIR, path)), { recursive: true });
    writeFileSync(join(GENERATED_DIR, path), text);
  }
  writeFileSync(HANDLER_SETTINGS_PROPS_FILE, handlerSettingsPropsSource());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const sizes = bundles.map((b) => `${b.name}.js ${b.bytes} B`).join(", ");
  console.log(`generated/: ${files.size} files, ${sizes}; ${relative(PROJECT_ROOT, HANDLER_SETTINGS_PROPS_FILE)}; in ${ms.toFixed(0)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
