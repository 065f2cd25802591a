// A module's README: hand-written prose (intro.md beside the module's source, its `{{name}}`
// placeholders filled from ModuleInfo.facts) followed by the tables terraform-docs writes
// (requirements, providers, modules, resources, inputs, outputs), made from the synthesized
// definitions, so neither can drift from the code they describe.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sectionGroups } from "./hcl/module-files";
import { type Json, type JsonObject, renderValue } from "./hcl/render";
import { soleExpression } from "./hcl/template";
import type { ModuleStack } from "./module-stack";
import { PACKAGE_VERSION, registrySource, SOURCE_REPOSITORY } from "./package-info";
import { PROJECT_ROOT } from "./project-root";

/** Where the prose of a module lives, by its path under generated/. */
function introFile(path: string): string {
  if (path === "") return join(PROJECT_ROOT, "modules", "generator", "root", "intro.md");
  const [kind, name] = path.split("/");
  return kind === "examples"
    ? join(PROJECT_ROOT, "modules", "generator", "examples", `${name}.md`)
    : join(PROJECT_ROOT, "modules", "generator", name, "intro.md");
}

/** Table cell prose: pipes escaped, `<name>` kept from reading as HTML. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");
/** Table cell code span: only pipes need escaping there. */
const codeCell = (text: string) => code(text.replace(/\|/g, "\\|").replace(/\n/g, " "));
const code = (text: string) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return "No entries.\n";
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}

function inputs(config: JsonObject, sections: ReadonlyMap<string, string>): string {
  const declared = Object.entries((config.variable ?? {}) as Record<string, JsonObject>);
  // In the order of variables.tf: section by section.
  const variables = sectionGroups(declared, sections).flatMap(([, group]) => group);
  const rows = variables.map(([name, v]) => {
    const required = v.default === undefined;
    const type = soleExpression(`\${${v.type as string}}`) ?? String(v.type);
    return [
      code(name),
      cell(String(v.description ?? "")),
      code(type),
      required ? "n/a" : codeCell(renderValue(v.default as Json, 0).replace(/\s*\n\s*/g, " ")),
      required ? "yes" : "no",
    ];
  });
  return table(["Name", "Description", "Type", "Default", "Required"], rows);
}

function outputs(config: JsonObject): string {
  const rows = Object.entries((config.output ?? {}) as Record<string, JsonObject>).map(([name, o]) => [
    code(name),
    cell(String(o.description ?? "")),
  ]);
  return table(["Name", "Description"], rows);
}

function requirements(stack: ModuleStack): string {
  const rows = [
    ["terraform", code(stack.info.requiredVersion), "Validations that refer to other variables need 1.9."],
    ...Object.entries(stack.info.providers).map(([name, p]) => [
      `[${name}](https://registry.terraform.io/providers/${p.source}/latest)`,
      code(p.version),
      cell(p.why),
    ]),
  ];
  return table(["Name", "Version", "Why this minimum"], rows);
}

/** The providers this module's own resources and data sources use (modules it calls aside). */
function providers(stack: ModuleStack, config: JsonObject): string {
  const used = new Set(addresses(config).map(({ type }) => providerOf(type)));
  const rows = Object.entries(stack.info.providers)
    .filter(([name]) => used.has(name))
    .map(([name, p]) => [`[${name}](https://registry.terraform.io/providers/${p.source}/latest)`, code(p.version)]);
  return rows.length ? table(["Name", "Version"], rows) : "No providers.\n";
}

function modules(config: JsonObject): string {
  const rows = Object.entries((config.module ?? {}) as Record<string, JsonObject>).map(([name, m]) => [
    `<a name="module_${name}"></a> [${name}](#module_${name})`,
    code(String(m.source)),
    m.version === undefined ? "n/a" : code(String(m.version)),
  ]);
  return rows.length ? table(["Name", "Source", "Version"], rows) : "No modules.\n";
}

interface Address {
  readonly mode: "resource" | "data source";
  readonly type: string;
  readonly name: string;
}

/** Every resource and data source of the module, sorted as terraform-docs sorts them. */
function addresses(config: JsonObject): Address[] {
  const of = (mode: Address["mode"], blocks: Json | undefined) =>
    Object.entries((blocks ?? {}) as Record<string, JsonObject>).flatMap(([type, byName]) =>
      Object.keys(byName)
        .filter((name) => !name.startsWith("//"))
        .map((name) => ({ mode, type, name })),
    );
  const key = (a: Address) => `${a.type}.${a.name}`;
  return [...of("resource", config.resource), ...of("data source", config.data)].sort(
    (a, b) => key(a).localeCompare(key(b)) || a.mode.localeCompare(b.mode),
  );
}

/** The provider a resource type belongs to: the part before the first `_`. */
const providerOf = (type: string) => (type === "terraform_data" ? "terraform" : type.split("_")[0]);

/** Where a resource type is documented: its provider's registry page, or Terraform's own. */
function docsUrl(stack: ModuleStack, { mode, type }: Address): string {
  if (type === "terraform_data") return "https://developer.hashicorp.com/terraform/language/resources/terraform-data";
  const provider = providerOf(type);
  const source = stack.info.providers[provider]?.source ?? `hashicorp/${provider}`;
  const kind = mode === "resource" ? "resources" : "data-sources";
  return `https://registry.terraform.io/providers/${source}/latest/docs/${kind}/${type.slice(provider.length + 1)}`;
}

function resources(stack: ModuleStack, config: JsonObject): string {
  const rows = addresses(config).map((a) => {
    const address = `${a.type}.${a.name}`;
    return [`[${address}](${docsUrl(stack, a)})`, a.mode];
  });
  return rows.length ? table(["Name", "Type"], rows) : "No resources.\n";
}

/** intro.md with every `{{name}}` replaced by the module's fact of that name. */
export function fillPlaceholders(text: string, facts: Readonly<Record<string, string | number>>, file: string): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in facts)) throw new Error(`${file}: no fact named ${name} for the placeholder {{${name}}}`);
    return String(facts[name]);
  });
}

export function moduleReadme(stack: ModuleStack, config: JsonObject): string {
  const file = introFile(stack.info.path);
  const facts = { registry_source: registrySource(stack.info.path), version: PACKAGE_VERSION, ...stack.info.facts };
  const intro = fillPlaceholders(readFileSync(file, "utf8").trim(), facts, file);
  return [
    `# ${stack.info.title}`,
    "",
    `<!-- Generated by \`npm run generate\` in ${SOURCE_REPOSITORY}. Do not edit: change the sources there and regenerate. -->`,
    "",
    intro,
    "",
    "## Requirements",
    "",
    requirements(stack),
    "## Providers",
    "",
    providers(stack, config),
    "## Modules",
    "",
    modules(config),
    "## Resources",
    "",
    resources(stack, config),
    "## Inputs",
    "",
    inputs(config, stack.variableSections),
    "## Outputs",
    "",
    outputs(config),
  ].join("\n");
}
