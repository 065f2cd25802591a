// Splits a synthesized stack (Terraform JSON) into the files of a module as
// terraform-aws-modules lays them out: main.tf, variables.tf, outputs.tf, versions.tf.
import { commentLines, type Json, type JsonObject, renderBlock } from "./render";
import { NO_BLOCKS, OUTPUT_SCHEMA, PROVIDER_SCHEMA, resourceSchema, VARIABLE_SCHEMA } from "./schema";

export type ModuleFiles = Record<string, string>;

const entries = (value: Json | undefined): Array<[string, JsonObject]> =>
  Object.entries((value ?? {}) as Record<string, JsonObject>).filter(([key]) => !key.startsWith("//"));

export interface ProviderRequirement {
  readonly source: string;
  /** A `>=` constraint, with why it is the minimum. */
  readonly version: string;
  readonly why: string;
}

/** What versions.tf says: the Terraform and provider constraints. */
export interface VersionRequirements {
  readonly requiredVersion: string;
  readonly providers: Readonly<Record<string, ProviderRequirement>>;
}

/** What module files need to know beyond the synthesized config. */
export type ModuleFileInfo = VersionRequirements & {
  /** Section heading of each variable that has one. */
  readonly variableSections?: ReadonlyMap<string, string>;
  /** A comment above a block or local of main.tf, by Terraform address. */
  readonly comments?: ReadonlyMap<string, string>;
};

const RULE = "#".repeat(80);
/** A section heading as terraform-aws-modules writes them. */
const sectionHeading = (title: string) => `${RULE}\n# ${title}\n${RULE}`;

/**
 * Variables grouped by section, sections in order of first appearance, declaration order
 * within a section; unsectioned ones last. variables.tf and the README's inputs share it.
 */
export function sectionGroups<T>(
  variables: Array<[string, T]>,
  sections: ReadonlyMap<string, string>,
): Array<[string | undefined, Array<[string, T]>]> {
  const groups = new Map<string | undefined, Array<[string, T]>>();
  for (const [name, body] of variables) {
    const section = sections.get(name);
    groups.set(section, [...(groups.get(section) ?? []), [name, body]]);
  }
  const unsectioned = groups.get(undefined);
  groups.delete(undefined);
  if (unsectioned) groups.set(undefined, unsectioned);
  return [...groups];
}

/** variables.tf blocks, each section under its heading. */
function variableBlocks(config: JsonObject, sections: ReadonlyMap<string, string>): string[] {
  return sectionGroups(entries(config.variable), sections).flatMap(([section, variables]) => {
    const rendered = variables.map(([name, body]) => renderBlock("variable", [name], orderVariable(body), VARIABLE_SCHEMA));
    return section === undefined ? rendered : [`${sectionHeading(section)}\n\n${rendered[0]}`, ...rendered.slice(1)];
  });
}

/** Renders every block of one kind of the synthesized config, in synthesis order. */
function blocks(
  config: JsonObject,
  sections: ReadonlyMap<string, string>,
  comments: ReadonlyMap<string, string>,
): Record<"main" | "variables" | "outputs", string[]> {
  const main: string[] = [];
  const commented = (address: string, block: string): string => {
    const text = comments.get(address);
    return text === undefined ? block : `${commentLines(text, 0).join("\n")}\n${block}`;
  };
  const localComments = new Map([...comments].filter(([a]) => a.startsWith("local.")).map(([a, text]) => [a.slice(6), text]));
  for (const [name, instances] of Object.entries((config.provider ?? {}) as Record<string, JsonObject[]>)) {
    for (const body of instances) main.push(renderBlock("provider", [name], body, PROVIDER_SCHEMA, 0, "meaning"));
  }
  const locals = entries(config.locals);
  if (locals.length) main.push(renderBlock("locals", [], Object.fromEntries(locals), NO_BLOCKS, 0, "written", localComments));
  for (const [name, body] of entries(config.module)) main.push(renderBlock("module", [name], body, NO_BLOCKS, 0, "call"));
  for (const [type, instances] of entries(config.data)) {
    for (const [name, body] of entries(instances))
      main.push(commented(`data.${type}.${name}`, renderBlock("data", [type, name], body, resourceSchema(type), 0, "meaning")));
  }
  for (const [type, instances] of entries(config.resource)) {
    for (const [name, body] of entries(instances))
      main.push(commented(`${type}.${name}`, renderBlock("resource", [type, name], body, resourceSchema(type), 0, "meaning")));
  }
  for (const body of (config.import ?? []) as JsonObject[]) main.push(renderBlock("import", [], body, NO_BLOCKS));
  return {
    main,
    variables: variableBlocks(config, sections),
    outputs: entries(config.output).map(([name, body]) => renderBlock("output", [name], orderOutput(body), OUTPUT_SCHEMA)),
  };
}

/** terraform-aws-modules order: description, type, default, then the rest. */
function orderVariable({ description, type, default: def, validation, ...rest }: JsonObject): JsonObject {
  // A type is an expression (`map(string)`), not a string: wrap it so it renders bare.
  const ordered: JsonObject = { description, type: `\${${type}}` };
  if (def !== undefined) ordered.default = def;
  Object.assign(ordered, rest);
  if (validation) {
    ordered.validation = (validation as JsonObject[]).map(({ condition, error_message }) => ({ condition, error_message }));
  }
  return ordered;
}

function orderOutput({ description, value, ...rest }: JsonObject): JsonObject {
  return { description, value, ...rest };
}

/** versions.tf: required_version and required_providers, never provider blocks. */
export function versionsFile(info: VersionRequirements): string {
  const providers = Object.fromEntries(Object.entries(info.providers).map(([name, p]) => [name, { source: p.source, version: p.version }]));
  const terraform = { required_version: info.requiredVersion, required_providers: providers };
  return `${renderBlock("terraform", [], terraform, { required_providers: {} })}\n`;
}

const file = (parts: string[]) => (parts.length ? `${parts.join("\n\n")}\n` : "");

export function moduleFiles(config: JsonObject, info: ModuleFileInfo): ModuleFiles {
  const { main, variables, outputs } = blocks(config, info.variableSections ?? new Map(), info.comments ?? new Map());
  const files: ModuleFiles = { "main.tf": file(main), "versions.tf": versionsFile(info) };
  if (variables.length) files["variables.tf"] = file(variables);
  if (outputs.length) files["outputs.tf"] = file(outputs);
  return files;
}
