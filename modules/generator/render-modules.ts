// Renders every module and example of generated/ (bundles aside) from the cdktf stacks.
import { join } from "node:path";
import { App } from "../library/cdktf";
import { moduleFiles } from "./hcl/module-files";
import type { JsonObject } from "./hcl/render";
import { PROJECT_ROOT } from "./project-root";
import { moduleReadme } from "./readme";
import { moduleStacks } from "./stacks";

export const GENERATED_DIR = join(PROJECT_ROOT, "generated");

/** Every file of generated/, by path relative to it (bundles excepted). */
export function renderModules(): Map<string, string> {
  const app = new App({ outdir: join(PROJECT_ROOT, "cdktf.out"), skipValidation: true });
  const files = new Map<string, string>();
  for (const stack of moduleStacks(app)) {
    const config = stack.toTerraform() as JsonObject;
    const rendered = {
      ...moduleFiles(config, { ...stack.info, variableSections: stack.variableSections, comments: stack.comments }),
      "README.md": moduleReadme(stack, config),
    };
    for (const [name, text] of Object.entries(rendered)) files.set(join(stack.info.path, name), text);
  }
  return files;
}
