// No line of a generated .tf file is longer than LINE_LIMIT: long expressions are broken over
// lines the way terraform-aws-modules writes them. Descriptions and error messages are prose and
// stay on one line, as terraform-aws-modules writes them too.
import { LINE_LIMIT } from "../../modules/generator/hcl/line-breaks";
import { renderModules } from "../../modules/generator/render-modules";

/** A `description = "..."` or `error_message = "..."` line: one string, nothing else. */
const PROSE = /^\s*(description|error_message)\s*=\s*"(?:[^"\\]|\\.|\$\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})*"$/;

const tfFiles = [...renderModules()].filter(([path]) => path.endsWith(".tf"));

test("the generator writes .tf files", () => {
  expect(tfFiles.map(([path]) => path)).toEqual(expect.arrayContaining(["main.tf", "variables.tf", "modules/lambda-edge/main.tf"]));
});

test.each(tfFiles)(`%s has no line over ${LINE_LIMIT} characters but descriptions and error messages`, (_path, text) => {
  const long = text
    .split("\n")
    .map((line, i) => ({ line: i + 1, length: line.length, text: line }))
    .filter(({ length, text: line }) => length > LINE_LIMIT && !PROSE.test(line));
  expect(long).toEqual([]);
});

test("the prose exemption covers only whole description and error_message strings", () => {
  expect(PROSE.test('    error_message = "x must be ${var.a == "b" ? 1 : 2} or less."')).toBe(true);
  expect(PROSE.test('  description = "A sentence."')).toBe(true);
  expect(PROSE.test('  condition = "x"')).toBe(false);
  expect(PROSE.test('  description = "a" == var.b ? "c" : "d"')).toBe(false);
});
