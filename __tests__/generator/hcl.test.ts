// The JSON-to-HCL renderer on values the generated modules do not (yet) contain: whatever it
// writes must mean the same to HashiCorp's parser and be left untouched by `terraform fmt`.
import { parse } from "@cdktf/hcl2json";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { breakLines, LINE_LIMIT } from "../../modules/generator/hcl/line-breaks";
import { moduleFiles } from "../../modules/generator/hcl/module-files";
import { type JsonObject, renderBlock } from "../../modules/generator/hcl/render";
import { fillPlaceholders } from "../../modules/generator/readme";
import { parseTemplate, renderString, soleExpression } from "../../modules/generator/hcl/template";
import { offlineEnv, terraform, terraformBinary } from "../support/terraform";

const body: JsonObject = {
  count: "${var.enabled ? 1 : 0}",
  quoted: 'say "hi" \\ then\nnew line\ttab',
  escaped_directive: "100%%{ not a directive",
  escaped_interpolation: "literal $${var.x} stays",
  mixed: 'prefix-${var.name}-${lookup(var.map, "k}", "d")}',
  expression: '${coalesce(var.dir, "${path.root}/build")}',
  number: 1.5,
  flag: false,
  nothing: null,
  list: ["a", "${var.b}"],
  long_list: Array.from({ length: 12 }, (_, i) => `item-number-${i}`),
  map: { plain: 1, "needs-quotes": "x", "${var.key}": true },
  empty_map: {},
  // An expression written out over lines, relative to the line it starts on, one level down.
  nested: { by_key: "${{\n  for k, v in var.m : k => {\n    name = v.name\n    body = v.body\n  }\n}}" },
  depends_on: ["terraform_data.x"],
};

describe("template strings", () => {
  it("splits literals from interpolations, braces and quotes inside expressions included", () => {
    expect(parseTemplate('a-${f("}", { b = 1 })}-c')).toEqual([{ literal: "a-" }, { expression: 'f("}", { b = 1 })' }, { literal: "-c" }]);
    expect(soleExpression("${var.x}")).toBe("var.x");
    expect(soleExpression("${var.x}-y")).toBeUndefined();
    expect(soleExpression("$${var.x}")).toBeUndefined();
    expect(renderString('a"b\\c%%{d')).toBe('"a\\"b\\\\c%%{d"');
  });
});

describe("renderBlock", () => {
  const text = `${renderBlock("resource", ["terraform_data", "example"], body, {})}\n`;

  it("means the same to HashiCorp's HCL parser as the JSON it came from", async () => {
    const parsed = (await parse("example.tf", text)) as { resource: { terraform_data: { example: JsonObject[] } } };
    const [round] = parsed.resource.terraform_data.example;
    expect(round.quoted).toBe(body.quoted);
    expect(round.escaped_directive).toBe(body.escaped_directive);
    expect(round.escaped_interpolation).toBe(body.escaped_interpolation);
    expect(round.mixed).toBe(body.mixed);
    expect(round.count).toBe(body.count);
    expect(round.list).toEqual(body.list);
    expect(round.long_list).toEqual(body.long_list);
    expect(round.number).toBe(1.5);
    expect(round.flag).toBe(false);
    // A key written `(var.key)` is an expression key; the parser shows it with its parentheses.
    expect(round.map).toEqual({ plain: 1, "needs-quotes": "x", "${(var.key)}": true });
    expect((round.nested as JsonObject).by_key).toMatch(
      /^\$\{\{\s*for k, v in var\.m : k => \{\s*name = v\.name\s*body = v\.body\s*\}\s*\}\}$/,
    );
    expect(text).toContain("  nested = {\n    by_key = {\n      for k, v in var.m : k => {\n        name = v.name\n");
    expect(text).toContain("depends_on = [terraform_data.x]");
    expect(text.indexOf("count")).toBeLessThan(text.indexOf("quoted"));
  });

  (terraformBinary() ? it : it.skip)("is already formatted as terraform fmt formats", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcl-"));
    writeFileSync(join(dir, "example.tf"), text);
    const result = terraform(["fmt", "-no-color", "example.tf"], dir, offlineEnv());
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, "example.tf"), "utf8")).toBe(text);
  });
});

describe("comments", () => {
  const config: JsonObject = {
    locals: { first: 1, second: "${var.a}", third: 3 },
    resource: { terraform_data: { example: { input: "${var.x}" } } },
  };
  const comments = new Map([
    ["local.second", "Why the second local is what it is, a sentence long enough to wrap over the hundred-column lines."],
    ["terraform_data.example", "Why this resource exists."],
  ]);
  const main = moduleFiles(config, { requiredVersion: ">= 1.9.0", providers: {}, comments })["main.tf"];

  it("stand above the local or block they explain, wrapped at 100 columns", () => {
    expect(main).toBe(
      [
        "locals {",
        "  first = 1",
        "",
        "  # Why the second local is what it is, a sentence long enough to wrap over the hundred-column",
        "  # lines.",
        "  second = var.a",
        "  third  = 3",
        "}",
        "",
        "# Why this resource exists.",
        'resource "terraform_data" "example" {',
        "  input = var.x",
        "}",
        "",
      ].join("\n"),
    );
  });

  (terraformBinary() ? it : it.skip)("are left as they are by terraform fmt", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcl-"));
    writeFileSync(join(dir, "main.tf"), main);
    expect(terraform(["fmt", "-no-color", "main.tf"], dir, offlineEnv()).status).toBe(0);
    expect(readFileSync(join(dir, "main.tf"), "utf8")).toBe(main);
  });
});

describe("argument order by meaning", () => {
  const resource: JsonObject = {
    tags: "${var.tags}",
    timeout: 5,
    role: "${var.role_arn}",
    description: "d",
    unknown_b: 1,
    function_name: "f",
    lifecycle: { precondition: [{ condition: "${true}", error_message: "m" }] },
    unknown_a: 2,
    count: 1,
    depends_on: ["terraform_data.x"],
    vpc: { subnet_ids: [] },
  };
  const schema = { lifecycle: { precondition: {} }, vpc: {} };
  const lines = (order: "meaning" | "written") =>
    renderBlock("resource", ["t", "n"], resource, schema, 0, order)
      .split("\n")
      .map((line) => line.trim().split(/\s/)[0])
      .filter((word) => word && word !== "}");

  it("puts count first, identity before behaviour, other arguments in their order, tags after blocks, lifecycle and depends_on last", () => {
    expect(lines("meaning")).toEqual([
      "resource",
      "count",
      "function_name",
      "description",
      "role",
      "timeout",
      "unknown_b",
      "unknown_a",
      "vpc",
      "subnet_ids",
      "tags",
      "lifecycle",
      "precondition",
      "condition",
      "error_message",
      "depends_on",
    ]);
  });

  it("puts for_each first as it does count", () => {
    const { count: _count, ...rest } = resource;
    const text = renderBlock("resource", ["t", "n"], { ...rest, for_each: "${local.functions}" }, schema, 0, "meaning");
    expect(text.split("\n")[1]).toBe("  for_each = local.functions");
  });

  it("leaves written order alone (variables, outputs, locals)", () => {
    expect(lines("written").slice(0, 8)).toEqual([
      "resource",
      "count",
      "tags",
      "timeout",
      "role",
      "description",
      "unknown_b",
      "function_name",
    ]);
  });
});

describe("variables.tf sections", () => {
  it("groups variables under terraform-aws-modules section headings, in order of first appearance", () => {
    const variable = (description: string): JsonObject => ({ description, type: "string" });
    const config: JsonObject = { variable: { a: variable("a"), b: variable("b"), c: variable("c"), d: variable("d") } };
    const sections = new Map([
      ["a", "Node"],
      ["b", "Logs"],
      ["c", "Node"],
    ]);
    const text = moduleFiles(config, { requiredVersion: ">= 1.9.0", providers: {}, variableSections: sections })["variables.tf"];
    const rule = "#".repeat(80);
    expect(text.startsWith(`${rule}\n# Node\n${rule}\n\nvariable "a" {`)).toBe(true);
    const order = [...text.matchAll(/^(?:# (\w+)|variable "(\w)")/gm)].map((m) => m[1] ?? m[2]);
    expect(order).toEqual(["Node", "a", "c", "Logs", "b", "d"]);
  });
});

describe("README placeholders", () => {
  it("fills {{name}} from the module's facts and refuses an unknown name", () => {
    expect(fillPlaceholders("up to {{origin.memory}} MB", { "origin.memory": "10,240" }, "intro.md")).toBe("up to 10,240 MB");
    expect(() => fillPlaceholders("{{nope}}", {}, "intro.md")).toThrow("no fact named nope");
  });
});

describe("expressions longer than a line", () => {
  // Test data the expressions read, so terraform can evaluate them as written and as broken.
  const DATA =
    '{ trigger = "viewer", arn = "arn:aws:lambda:us-east-1:123456789012:function:edge-request:3", names = ["a", "b"], tags = { team = "edge", owner = "wallarm" }, n = 7, maybe = null }';
  /** One of every shape the layout knows, each too long for a line. */
  const EXPRESSIONS: Record<string, string> = {
    conditional:
      'local.data.maybe == null ? can(regex("^arn:aws[a-z-]*:lambda:us-east-1:[0-9]{12}:function:[A-Za-z0-9_-]+:[0-9]+$", local.data.arn)) : false',
    chain:
      'floor(local.data.n) == local.data.n && local.data.n >= 1 && local.data.n <= 1000 && local.data.trigger != "origin-with-a-long-name"',
    comparison:
      'trimsuffix(coalesce(local.data.maybe, "${trimsuffix(local.data.trigger, "-request")}-response-with-a-longer-suffix"), "-response") == local.data.trigger',
    last_argument_opened:
      'alltrue([for key, value in local.data.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && value != "forbidden"])',
    for_object:
      '{ for key, value in local.data.tags : key => { name = key, value = value, length = length(value), upper = upper(value) } if value != "" }',
    merge:
      'merge(local.data.tags, { for name in local.data.names : "name-${name}" => upper(name) if contains(local.data.names, name) && name != "zzz" })',
    nested_tuple:
      'flatten([for name in local.data.names : ["arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.${name}", "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.${name}:*"]])',
    template:
      '"${coalesce(local.data.maybe, "some/default/directory/for/packages")}/${local.data.trigger}-${substr(sha256(join("", local.data.names)), 0, 16)}.zip"',
    negated_conditional:
      '!(local.data.maybe != null ? local.data.maybe : local.data.trigger != "viewer-with-a-very-long-name") ? contains(keys(local.data.tags), "team") : length(local.data.names) > 1',
    indexed_call:
      'reverse(split("/", "arn:aws:iam::123456789012:role/some/long/path/to/the/role/named/wallarm-connector-edge-role-name-number-one"))[0]',
    arguments:
      'join("-", ["a-long-value-number-one", "a-long-value-number-two"], ["a-long-value-number-three", "a-long-value-number-four"])',
  };
  const names = Object.keys(EXPRESSIONS);
  const broken = renderBlock("locals", [], Object.fromEntries(names.map((name) => [`broken_${name}`, `\${${EXPRESSIONS[name]}}`])), {});
  const lines = broken.split("\n");

  it("are broken over lines of at most LINE_LIMIT characters, each of them", () => {
    expect(lines.filter((line) => line.length > LINE_LIMIT)).toEqual([]);
    for (const name of names) expect(lines.find((line) => line.includes(`broken_${name} =`))).toMatch(/[([{]$/);
  });

  it("are left as they are when they fit, or when the parser does not know them", () => {
    const place = { column: 4, indent: 4, trailing: 0 };
    expect(breakLines("var.a ? var.b : var.c", place)).toBe("var.a ? var.b : var.c");
    const heredoc = `<<EOT ${"x".repeat(130)}`;
    expect(breakLines(heredoc, place)).toBe(heredoc);
  });

  it("are broken where aligning = would push them past the limit", () => {
    const block = renderBlock("locals", [], { a_long_key_name: 1, b: `\${${"var.something_long && ".repeat(4)}var.end_of_it}` }, {});
    expect(block.split("\n").filter((line) => line.length > LINE_LIMIT)).toEqual([]);
    expect(block).toContain("  b = (\n");
  });

  it("parse with HashiCorp's HCL parser", async () => {
    await expect(parse("main.tf", `${broken}\n`)).resolves.toBeDefined();
  });

  (terraformBinary() ? it : it.skip)("are left untouched by terraform fmt and evaluate as written on one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcl-"));
    writeFileSync(join(dir, "broken.tf"), `${broken}\n`);
    const flat = names.map((name) => `  flat_${name} = ${EXPRESSIONS[name]}`).join("\n");
    writeFileSync(join(dir, "flat.tf"), `locals {\n  data = ${DATA}\n${flat}\n}\n`);
    const env = offlineEnv();
    expect(terraform(["fmt", "-check", "-diff", "-no-color", "broken.tf"], dir, env).stdout).toBe("");
    const same = names.map((name) => `local.flat_${name} == local.broken_${name}`).join(", ");
    const result = spawnSync("terraform", ["console"], { cwd: dir, env, input: `[${same}]\n`, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout.replace(/\s+/g, "")).toBe(`[${names.map(() => "true").join(",")},]`);
  });
});
