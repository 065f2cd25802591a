// One-way dependencies, checked from the import statements of every source file:
//   handlers/ (standalone, bundled) <- modules/library/ (the published cdktf constructs)
//     <- modules/generator/ (module stacks, HCL, READMEs, examples, bundler) ; main.ts uses the library
//   tools/ and scripts/ use handlers/ and modules/, never the reverse; scripts/ (the CLIs) sit on top
//   __tests__/ use everything; nothing uses __tests__/
// Plain text matching (`from "..."`, `require("...")`, `import("...")`), no compiler needed.
import { builtinModules } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(__dirname, "..");
const SKIP = new Set(["node_modules", "generated", ".build", "cdktf.out", ".git", ".terraform", "coverage"]);
const BUILTINS = new Set(builtinModules);

interface Import {
  file: string; // relative to the root, with /
  specifier: string;
  typeOnly: boolean;
}

const PLACES = ["handlers", "modules/library", "modules/generator", "tools", "scripts", "__tests__", "main.ts"] as const;
/** The place of a root-relative path: its top folder (modules/ by product), main.ts, or "other". */
type Place = (typeof PLACES)[number] | "other";
function placeOf(path: string): Place {
  return PLACES.find((p) => path === p || path.startsWith(`${p}/`)) ?? "other";
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every module specifier a file names, and whether it is named only for its types. */
function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  // import/export ... from "x" (over several lines too), with `import type` / `export type` noted.
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;:=()"'`]*?\bfrom\s*["']([^"']+)["']/gm)) {
    found.push({ file, specifier: m[3], typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push({ file, specifier: m[1], typeOnly: false });
  for (const m of text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) found.push({ file, specifier: m[1], typeOnly: false });
  return found;
}

/** What `specifier` in `file` points at: a root-relative path, a node built-in, or a package. */
function target(imp: Import): { kind: "project"; path: string } | { kind: "builtin" } | { kind: "package" } {
  if (imp.specifier.startsWith(".")) {
    const path = relative(ROOT, resolve(ROOT, dirname(imp.file), imp.specifier))
      .split(sep)
      .join("/");
    return { kind: "project", path };
  }
  return imp.specifier.startsWith("node:") || BUILTINS.has(imp.specifier) ? { kind: "builtin" } : { kind: "package" };
}

/** Why an import crosses a forbidden direction, or null. */
function violation(imp: Import): string | null {
  const from = placeOf(imp.file);
  const to = target(imp);
  if (from === "handlers") {
    if (to.kind === "builtin") return null;
    // Type-only package imports (aws-lambda) are erased by the bundler: the bundle stays standalone.
    if (to.kind === "package") return imp.typeOnly ? null : "handlers/ may import only node built-ins (and types)";
    return placeOf(to.path) === "handlers" ? null : "handlers/ is standalone: it imports nothing outside handlers/";
  }
  if (to.kind !== "project") return null;
  const dest = placeOf(to.path);
  if (dest === "__tests__" && from !== "__tests__") return "nothing outside __tests__/ imports tests";
  if (from === "modules/library" && dest !== "handlers" && dest !== "modules/library")
    return "modules/library/ imports only handlers/ and itself (the published package)";
  if (from === "modules/generator" && (dest === "tools" || dest === "scripts" || dest === "main.ts"))
    return "modules/generator/ imports only handlers/ and modules/";
  if (from === "tools" && (dest === "scripts" || dest === "main.ts")) return "tools/ does not import scripts/ or main.ts";
  if (from === "scripts" && dest === "main.ts") return "scripts/ does not import main.ts";
  if (from === "main.ts" && dest !== "modules/library" && dest !== "handlers") return "main.ts imports only the library (and handlers/)";
  return null;
}

const imports = sourceFiles(ROOT).flatMap((path) => {
  const file = relative(ROOT, path).split(sep).join("/");
  return importsOf(file, readFileSync(path, "utf8"));
});

test("the import scan sees the project (every folder, relative and package imports)", () => {
  const places = new Set(imports.map((i) => placeOf(i.file)));
  for (const place of PLACES) expect(places).toContain(place);
  expect(imports.some((i) => i.file === "handlers/event.ts" && i.specifier === "aws-lambda" && i.typeOnly)).toBe(true);
  expect(imports.some((i) => i.file === "main.ts" && i.specifier === "./modules/library/cdktf")).toBe(true);
});

test("the rules catch each forbidden direction", () => {
  const check = (file: string, text: string) => importsOf(file, text).map(violation);
  expect(check("handlers/x.ts", 'import { a } from "../modules/b";')).toEqual([expect.any(String)]);
  expect(check("handlers/x.ts", 'import { a } from "esbuild";')).toEqual([expect.any(String)]);
  expect(check("handlers/x.ts", 'import type {\n  A,\n} from "aws-lambda";\nimport { b } from "./b";\nrequire("node:http2");')).toEqual([
    null,
    null,
    null,
  ]);
  expect(check("modules/generator/x.ts", 'import { a } from "../../scripts/bundle-handlers";')).toEqual([expect.any(String)]);
  expect(check("modules/generator/lambda-edge/x.ts", 'export { a } from "../../../tools/edge/events";')).toEqual([expect.any(String)]);
  expect(check("modules/library/x.ts", 'const a = require("../../__tests__/support/lambda");')).toEqual([expect.any(String)]);
  // The library never reaches into the generator; the generator uses the library.
  expect(check("modules/library/x.ts", 'import { a } from "../generator/project-root";')).toEqual([expect.any(String)]);
  expect(check("modules/generator/x.ts", 'import { a } from "../library/cdktf";')).toEqual([null]);
  expect(check("main.ts", 'import { a } from "./modules/generator/stacks";')).toEqual([expect.any(String)]);
  expect(check("tools/x.ts", 'import { a } from "../__tests__/handlers/fixtures";')).toEqual([expect.any(String)]);
  expect(check("scripts/x.ts", 'import { a } from "../__tests__/handlers/fixtures";')).toEqual([expect.any(String)]);
  expect(check("main.ts", 'import { a } from "./tools/demo";')).toEqual([expect.any(String)]);
  expect(check("__tests__/x.test.ts", 'import { a } from "../scripts/bench";\nimport { b } from "./support/c";')).toEqual([null, null]);
  expect(check("scripts/x.ts", 'import { a } from "../modules/generator/b";\nimport { c } from "../tools/d";')).toEqual([null, null]);
});

test("no import crosses a forbidden direction", () => {
  const crossing = imports.flatMap((imp) => {
    const why = violation(imp);
    return why === null ? [] : [`${imp.file} imports "${imp.specifier}": ${why}`];
  });
  expect(crossing).toEqual([]);
});
