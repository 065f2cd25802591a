// Renders Terraform JSON configuration as native HCL, laid out exactly as `terraform fmt`
// lays it out: two-space indents, `=` aligned across runs of single-line attributes, runs
// broken by multi-line values, blank lines and nested blocks.
import { assignmentLines, type RenderAt } from "./align";
import { breakLines, LINE_LIMIT } from "./line-breaks";
import { renderString, soleExpression } from "./template";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Which keys of a body are nested blocks (JSON cannot tell a block from an object attribute). */
export interface BlockSchema {
  readonly [blockType: string]: BlockSchema;
}

/** Keys whose strings are references (addresses, provider names), never templates. */
const REFERENCE_KEYS = new Set(["depends_on", "provider", "providers", "ignore_changes", "replace_triggered_by", "to", "iterator"]);
/** Keys whose strings are sentences for people: one line each, however long. */
const PROSE_KEYS = new Set(["description", "error_message"]);
const stringKind = (key: string): StringKind => (REFERENCE_KEYS.has(key) ? "reference" : PROSE_KEYS.has(key) ? "prose" : "expression");
/** Meta-arguments shown first, in this order, as terraform-aws-modules does. */
const LEADING_KEYS = ["source", "version", "providers", "count", "for_each", "provider"];
const TRAILING_KEYS = ["depends_on"];

/**
 * Arguments of resource, data, module and provider blocks (and the blocks nested in them) in
 * the order terraform-aws-modules writes them: what the thing is, what it runs, how it
 * behaves, where it connects; `*` stands for every argument not listed, which keeps its
 * synthesized order. Tags come after the nested blocks, `lifecycle` and `depends_on` last.
 */
const ARGUMENT_ORDER = [
  // identity
  "alias",
  "region",
  "name",
  "name_prefix",
  "function_name",
  "sid",
  "effect",
  "description",
  "comment",
  "enabled",
  "path",
  "role",
  "role_arn",
  "assume_role_policy",
  "permissions_boundary",
  // code
  "type",
  "identifiers",
  "actions",
  "resources",
  "policy",
  "input",
  "output_path",
  "handler",
  "runtime",
  "architectures",
  // behaviour
  "memory_size",
  "timeout",
  "publish",
  "*",
  "filename",
  "source_code_hash",
  "retention_in_days",
  "skip_destroy",
  // networking
  "aliases",
  "http_version",
  "is_ipv6_enabled",
  "domain_name",
  "origin_id",
  "http_port",
  "https_port",
  "origin_protocol_policy",
  "origin_ssl_protocols",
];
const TAG_KEYS = ["tags", "tags_all"];
const LAST_BLOCKS = ["lifecycle"];

/**
 * How a block's arguments are ordered: as they come ("written": variables, outputs, locals),
 * "meaning" (resources, data sources, providers) or "call" (module calls, whose inputs the
 * code writes in the called module's order: only tags, lifecycle and depends_on move).
 */
export type ArgumentOrder = "written" | "meaning" | "call";

const rank = (key: string) => {
  const index = ARGUMENT_ORDER.indexOf(key);
  return index === -1 ? ARGUMENT_ORDER.indexOf("*") : index;
};
/** Keys by meaning (stable: equal ranks keep their order), or as they are. */
const arrange = (keys: string[], order: ArgumentOrder) =>
  order === "meaning"
    ? keys
        .map((key, i) => ({ key, i }))
        .sort((a, b) => rank(a.key) - rank(b.key) || a.i - b.i)
        .map(({ key }) => key)
    : keys;

const pad = (indent: number) => " ".repeat(indent);

/** An object key as HCL shows it: bare identifier, `(expression)`, or a quoted template. */
function renderKey(key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return key;
  const expression = soleExpression(key);
  return expression === undefined ? renderString(key) : `(${expression})`;
}

/** How a string value is written: an expression or template, a bare reference, or prose. */
export type StringKind = "expression" | "reference" | "prose";

export interface ValueOptions {
  readonly kind?: StringKind;
  /** Where the value starts on its first line (default: `indent`). */
  readonly column?: number;
  /** Characters that follow the value on its last line (a list item's comma). */
  readonly trailing?: number;
  /** Broken over lines even where it would fit (an aligned `=` pushed it past the limit). */
  readonly broken?: boolean;
}

/**
 * A value as HCL source; a multi-line value's later lines are indented for `indent`. Expressions
 * that pass LINE_LIMIT are broken over lines; prose (descriptions, error messages) stays on one
 * line, as terraform-aws-modules writes it.
 */
export function renderValue(value: Json, indent: number, options: ValueOptions = {}): string {
  const { kind = "expression", column = indent, trailing = 0, broken = false } = options;
  if (value === null) return "null";
  if (typeof value === "string") {
    // A multi-line expression (a `for` written out line by line) is written relative to the
    // line it starts on: its later lines move in with the block it lands in.
    const text = kind === "reference" ? value : renderString(value);
    const laidOut = kind === "expression" && !text.includes("\n") ? breakLines(text, { column, indent, trailing }, broken) : text;
    return laidOut.replace(/\n/g, `\n${pad(indent)}`);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => renderValue(item, indent + 2, { kind }));
    const inline = `[${items.join(", ")}]`;
    if (!broken && !items.some((item) => item.includes("\n")) && indent + inline.length <= 100) return inline;
    const lines = value.map((item) => renderValue(item, indent + 2, { kind, trailing: 1 }));
    return `[\n${lines.map((item) => `${pad(indent + 2)}${item},\n`).join("")}${pad(indent)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = renderAttributes(
    entries.map(([key, item]) => [
      renderKey(key),
      (itemColumn, breakItem) => renderValue(item, indent + 2, { kind, column: itemColumn, broken: breakItem }),
    ]),
    indent + 2,
  );
  return `{\n${lines.join("\n")}\n${pad(indent)}}`;
}

/** A comment as `#` lines of at most 100 characters, indented for `indent`. */
export function commentLines(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + 2 + line.length + 1 + word.length > 100) {
      lines.push(`${pad(indent)}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${pad(indent)}# ${line}`);
  return lines;
}

/**
 * `key = value` lines with `=` aligned over each run of single-line values. A key with a comment
 * starts a new run after a blank line, under its comment.
 */
function renderAttributes(entries: Array<[string, RenderAt]>, indent: number, comments?: ReadonlyMap<string, string>): string[] {
  return assignmentLines(entries, indent, { limit: LINE_LIMIT, comments, commentLines });
}

/**
 * A block: `type "label" ... {` body `}`, its arguments (and those of its nested blocks) in
 * `order`.
 */
export function renderBlock(
  type: string,
  labels: string[],
  body: JsonObject,
  schema: BlockSchema,
  indent = 0,
  order: ArgumentOrder = "written",
  comments?: ReadonlyMap<string, string>,
): string {
  const header = [type, ...labels.map((label) => JSON.stringify(label))].join(" ");
  const inner = renderBody(body, schema, indent + 2, order, comments);
  return inner.length ? `${pad(indent)}${header} {\n${inner.join("\n")}\n${pad(indent)}}` : `${pad(indent)}${header} {}`;
}

/**
 * The lines of a block body: meta-arguments, attributes, nested blocks, then (by meaning) tags
 * and lifecycle; depends_on last.
 */
export function renderBody(
  body: JsonObject,
  schema: BlockSchema,
  indent: number,
  order: ArgumentOrder = "written",
  comments?: ReadonlyMap<string, string>,
): string[] {
  const byMeaning = order !== "written";
  const keys = Object.keys(body).filter((key) => !key.startsWith("//"));
  const isBlock = (key: string) => key === "dynamic" || key in schema;
  const leading = LEADING_KEYS.filter((key) => keys.includes(key) && !isBlock(key));
  const trailing = TRAILING_KEYS.filter((key) => keys.includes(key));
  const tags = byMeaning ? TAG_KEYS.filter((key) => keys.includes(key) && !isBlock(key)) : [];
  const attributes = arrange(
    keys.filter((key) => !isBlock(key) && !leading.includes(key) && !trailing.includes(key) && !tags.includes(key)),
    order,
  );
  const lastBlocks = byMeaning ? LAST_BLOCKS.filter((key) => keys.includes(key) && isBlock(key)) : [];
  const blocks = keys.filter((key) => isBlock(key) && !lastBlocks.includes(key));

  const sections: string[][] = [];
  const attributeSection = (names: string[]) =>
    renderAttributes(
      names.map((key) => [key, (column, broken) => renderValue(body[key], indent, { kind: stringKind(key), column, broken })]),
      indent,
      comments,
    );
  if (leading.length) sections.push(attributeSection(leading));
  if (attributes.length) sections.push(attributeSection(attributes));
  const pushBlocks = (key: string) => {
    const value = body[key];
    if (key === "dynamic") {
      for (const [type, spec] of Object.entries(value as JsonObject))
        sections.push([renderDynamic(type, spec as JsonObject, schema, indent, order)]);
    } else {
      for (const item of Array.isArray(value) ? value : [value]) {
        sections.push([renderBlock(key, [], item as JsonObject, schema[key], indent, order)]);
      }
    }
  };
  blocks.forEach(pushBlocks);
  if (tags.length) sections.push(attributeSection(tags));
  lastBlocks.forEach(pushBlocks);
  if (trailing.length) sections.push(attributeSection(trailing));
  return sections.flatMap((section, i) => (i === 0 ? section : ["", ...section]));
}

/** `dynamic "type" { for_each = ...  content { ... } }`, the content following type's schema. */
function renderDynamic(type: string, spec: JsonObject, schema: BlockSchema, indent: number, order: ArgumentOrder): string {
  const { content, ...meta } = spec;
  const body: JsonObject = { ...meta, content: content as JsonObject };
  return renderBlock("dynamic", [type], body, { content: schema[type] ?? {} }, indent, order);
}
