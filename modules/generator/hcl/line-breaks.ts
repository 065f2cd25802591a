// Long expressions broken over lines the way terraform-aws-modules writes them, so no line of a
// generated .tf file passes LINE_LIMIT: a conditional or a chain of && / || inside parentheses,
// one part per line; a call's arguments one per line, or a last argument that is a list, object
// or `for` opened on the call's line (`alltrue([`, `merge(local.a, {`, `map(object({`); a `for`
// with its `if` on a line of its own; a long string template as format(). Only what does not fit
// is broken, from the outside in; the rest keeps the text it came with. Indents are those
// `terraform fmt` gives: two spaces per line that opens brackets.
import { assignmentLines } from "./align";
import { type Expression, parseExpression, type Span } from "./expression";
import { parseTemplate } from "./template";

/** Longest line of a generated .tf file (descriptions and error messages aside: prose stays one line). */
export const LINE_LIMIT = 120;

/** Where an expression is written: its first column, its line's indent, what follows its last line. */
export interface Place {
  readonly column: number;
  readonly indent: number;
  readonly trailing: number;
}

const pad = (indent: number) => " ".repeat(indent);
const LOGICAL = new Set(["&&", "||"]);
const OPENED_ON_THE_CALL_LINE = new Set<Expression["kind"]>(["tuple", "object", "for"]);

function fits(text: string, { column, trailing }: Place): boolean {
  const lines = text.split("\n");
  const widths = lines.map((line, i) => (i === 0 ? column : 0) + line.length + (i === lines.length - 1 ? trailing : 0));
  return widths.every((width) => width <= LINE_LIMIT);
}

/**
 * Parts between an opening and a closing bracket, one level in. Text is written with the lines
 * after its first fully indented, so only each part's first line is indented here.
 */
const block = (open: string, parts: string[], close: string, indent: number) =>
  `${open}\n${parts.map((part) => pad(indent + 2) + part).join("\n")}\n${pad(indent)}${close}`;

class Layout {
  constructor(private readonly source: string) {}

  private text(span: Span): string {
    return this.source.slice(span.start, span.end);
  }

  /**
   * `e` at `place`: as written when it fits (unless `broken`), else over lines. `inParens`: the
   * caller has opened parentheses and starts `e` on a line of its own, so a conditional or a chain
   * needs none of its own.
   */
  write(e: Expression, place: Place, broken = false, inParens = false): string {
    const flat = this.text(e);
    if (!broken && fits(flat, place)) return flat;
    switch (e.kind) {
      case "conditional":
        return this.parenthesized(this.conditionalLines(e, place.indent + (inParens ? 0 : 2)), place, inParens);
      case "binary":
        return LOGICAL.has(e.operators[0]) ? this.chain(e, place, inParens) : this.comparison(e, place, inParens);
      case "unary":
        return e.operator + this.write(e.operand, { ...place, column: place.column + e.operator.length });
      case "paren":
        return block("(", [this.inner(e.inner, place.indent + 2)], ")", place.indent);
      case "postfix": {
        const suffix = this.text(e.suffix);
        return this.write(e.base, { ...place, trailing: place.trailing + suffix.length }) + suffix;
      }
      case "call":
        return this.call(e, place);
      case "tuple":
        return this.items("[", e.items, "]", place.indent);
      case "object":
        return this.object(e, place.indent);
      case "for":
        return this.forExpression(e, place.indent);
      case "atom":
        return this.template(flat, place) ?? flat;
    }
  }

  /** `e` inside parentheses just opened, from a line of its own at `indent`. */
  private inner(e: Expression, indent: number): string {
    return this.write(e, { column: indent, indent, trailing: 0 }, false, true);
  }

  /** Parts one a line (their first lines not yet indented), in parentheses unless the caller opened them. */
  private parenthesized(lines: string[], place: Place, inParens: boolean): string {
    if (inParens) return lines.join(`\n${pad(place.indent)}`);
    return block("(", lines, ")", place.indent);
  }

  private conditionalLines(e: Extract<Expression, { kind: "conditional" }>, indent: number): string[] {
    const part = (x: Expression, prefix: string) => prefix + this.write(x, { column: indent + prefix.length, indent, trailing: 0 });
    return [part(e.condition, ""), part(e.then, "? "), part(e.otherwise, ": ")];
  }

  /** `a &&` / `b` one operand a line. */
  private chain(e: Extract<Expression, { kind: "binary" }>, place: Place, inParens: boolean): string {
    const indent = place.indent + (inParens ? 0 : 2);
    const lines = e.operands.map((operand, i) => {
      const operator = i < e.operators.length ? ` ${e.operators[i]}` : "";
      return this.write(operand, { column: indent, indent, trailing: operator.length }) + operator;
    });
    return this.parenthesized(lines, place, inParens);
  }

  /** A comparison or sum: one operand broken in place (the last that can be), else a chain. */
  private comparison(e: Extract<Expression, { kind: "binary" }>, place: Place, inParens: boolean): string {
    const flat = e.operands.map((operand) => this.text(operand));
    const last = flat.length - 1;
    const joined = (from: number, to: number) =>
      flat
        .slice(from, to)
        .map((item, i) => (i === 0 ? item : ` ${e.operators[from + i - 1]} ${item}`))
        .join("");
    for (let k = last; k >= 0; k -= 1) {
      const before = k === 0 ? "" : `${joined(0, k)} ${e.operators[k - 1]} `;
      const after = k === last ? "" : ` ${e.operators[k]} ${joined(k + 1, flat.length)}`;
      const at = { column: place.column + before.length, indent: place.indent, trailing: after.length + place.trailing };
      const text = before + this.write(e.operands[k], at) + after;
      if (text.includes("\n") && fits(text, place)) return text;
    }
    return this.chain(e, place, inParens);
  }

  private call(e: Extract<Expression, { kind: "call" }>, place: Place): string {
    const last = e.args[e.args.length - 1];
    // `merge(local.tags, {` and `can(regex(`: only after plain arguments, which read on one line.
    const plainBefore = e.args.slice(0, -1).every((arg) => arg.kind === "atom");
    const opensOnCallLine =
      last && plainBefore && (OPENED_ON_THE_CALL_LINE.has(last.kind) || (e.args.length === 1 && last.kind === "call"));
    if (opensOnCallLine) {
      const before = `${e.name}(${e.args
        .slice(0, -1)
        .map((arg) => `${this.text(arg)}, `)
        .join("")}`;
      const text = `${before}${this.write(last, { column: place.column + before.length, indent: place.indent, trailing: place.trailing + 1 }, true)})`;
      if (fits(text, place)) return text;
    }
    return this.items(`${e.name}(`, e.args, ")", place.indent);
  }

  /** A list of items (arguments, tuple elements) one a line, each with a trailing comma. */
  private items(open: string, items: readonly Expression[], close: string, indent: number): string {
    const inner = indent + 2;
    return block(
      open,
      items.map((item) => `${this.write(item, { column: inner, indent: inner, trailing: 1 })},`),
      close,
      indent,
    );
  }

  private object(e: Extract<Expression, { kind: "object" }>, indent: number): string {
    const inner = indent + 2;
    const lines = assignmentLines(
      e.items.map((item) => [
        this.text(item.key),
        (column: number, broken: boolean) => this.write(item.value, { column, indent: inner, trailing: 0 }, broken),
      ]),
      inner,
      { limit: LINE_LIMIT },
    );
    return `{\n${lines.join("\n")}\n${pad(indent)}}`;
  }

  /** `[` / `for ... : value` / `if condition` / `]`, the value broken after the colon if need be. */
  private forExpression(e: Extract<Expression, { kind: "for" }>, indent: number): string {
    const inner = indent + 2;
    const head = `${this.text(e.head)} : ${e.key ? `${this.text(e.key)} => ` : ""}`;
    const grouping = e.grouping ? "..." : "";
    const value = this.write(e.value, { column: inner + head.length, indent: inner, trailing: grouping.length });
    const condition = e.condition && `if ${this.write(e.condition, { column: inner + 3, indent: inner, trailing: 0 })}`;
    return block(e.brackets[0], [head + value + grouping, ...(condition ? [condition] : [])], e.brackets[1], indent);
  }

  /**
   * A string template too long for its line as format() with one argument a line; undefined for
   * anything else (an unbreakable literal or reference stays as it is).
   */
  private template(flat: string, place: Place): string | undefined {
    if (!flat.startsWith('"') || flat.includes("%{")) return undefined;
    const parts = parseTemplate(flat.slice(1, -1));
    if (!parts.some((part) => "expression" in part)) return undefined;
    const format = parts.map((part) => ("literal" in part ? part.literal.replace(/%/g, "%%") : "%s")).join("");
    const args = parts.flatMap((part) => ("expression" in part ? [part.expression] : []));
    const call = `format("${format}", ${args.join(", ")})`;
    return new Layout(call).write(parseExpression(call), place, true);
  }
}

/**
 * An HCL expression written at `place`, broken over lines where it passes LINE_LIMIT (or at its
 * outermost level wherever it can be, when `broken`). Lines after the first are indented relative
 * to `place.indent`, as the renderer writes multi-line values. An expression the parser does not
 * know is returned as it is.
 */
export function breakLines(expression: string, place: Place, broken = false): string {
  if (!broken && fits(expression, place)) return expression;
  try {
    const text = new Layout(expression).write(parseExpression(expression), place, broken);
    return text
      .split("\n")
      .map((line, i) => (i === 0 ? line : line.slice(place.indent)))
      .join("\n");
  } catch {
    return expression;
  }
}
