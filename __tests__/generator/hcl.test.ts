// The JSON-to-HCL renderer on values the generated modules do not (yet) contain: whatever it
// writes must mean the same to HashiCorp's parser and be left untouched by `terraform fmt`.
import { parse } from "@cdktf/hcl2json";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
