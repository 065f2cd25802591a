// A parser of the HCL expressions the modules write, to the depth that laying them out over
// lines needs: every node keeps its span in the source, so whatever stays on one line is written
// exactly as it came. Anything outside the grammar below (heredocs, provider functions) throws,
// and the caller leaves that expression as it is.

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface ObjectItem {
  readonly key: Expression;
  readonly separator: "=" | ":";
  readonly value: Expression;
}

export type Expression = Span &
  (
    | { readonly kind: "atom" } // a literal, a string template, a reference with its traversal
    | { readonly kind: "conditional"; readonly condition: Expression; readonly then: Expression; readonly otherwise: Expression }
    | { readonly kind: "binary"; readonly operators: readonly string[]; readonly operands: readonly Expression[] }
    | { readonly kind: "unary"; readonly operator: string; readonly operand: Expression }
    | { readonly kind: "paren"; readonly inner: Expression }
    | { readonly kind: "call"; readonly name: string; readonly args: readonly Expression[] }
    | { readonly kind: "tuple"; readonly items: readonly Expression[] }
    | { readonly kind: "object"; readonly items: readonly ObjectItem[] }
    | {
        readonly kind: "for";
        readonly brackets: "[]" | "{}";
        /** `for k, v in collection`, as written. */
        readonly head: Span;
        readonly key?: Expression;
        readonly value: Expression;
        readonly grouping: boolean;
        readonly condition?: Expression;
      }
    | { readonly kind: "postfix"; readonly base: Expression; readonly suffix: Span } // `f(x)[0]`, `(x).y`
  );

interface Token extends Span {
  readonly type: "string" | "number" | "name" | "symbol";
  readonly text: string;
}

const SYMBOLS = ["...", "==", "!=", "<=", ">=", "&&", "||", "=>", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", "=", ",", "."];
const BRACKETS = "()[]{}";

/** Index just past the string template that opens at `start`, interpolations and directives included. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "\\") i += 2;
    else if (text[i] === '"') return i + 1;
    else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) i += 3;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) i = bracedEnd(text, i + 2);
    else i += 1;
  }
  throw new Error("unterminated string");
}

/** Index just past the `}` that closes a template sequence whose expression starts at `start`. */
function bracedEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') i = stringEnd(text, i);
    else {
      if (c === "{") depth += 1;
      else if (c === "}" && depth-- === 0) return i + 1;
      i += 1;
    }
  }
  throw new Error("unterminated template sequence");
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: Token["type"], end: number) => {
    tokens.push({ type, text: text.slice(i, end), start: i, end });
    i = end;
  };
  while (i < text.length) {
    const rest = text.slice(i);
    const c = text[i];
    if (/\s/.test(c)) i += 1;
    else if (c === '"') push("string", stringEnd(text, i));
    else if (/[0-9]/.test(c)) push("number", i + (/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(rest)?.[0].length ?? 1));
    else if (/[A-Za-z_]/.test(c)) push("name", i + (/^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest)?.[0].length ?? 1));
    else if (BRACKETS.includes(c)) push("symbol", i + 1);
    else {
      const symbol = SYMBOLS.find((s) => rest.startsWith(s));
      if (!symbol || rest.startsWith("<<") || rest.startsWith("::")) throw new Error(`cannot lay out ${JSON.stringify(rest)}`);
      push("symbol", i + symbol.length);
    }
  }
  return tokens;
}

/** Binary operators by precedence, loosest first (HCL's order). */
const PRECEDENCE = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]];

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    const expression = this.expression();
    if (this.position !== this.tokens.length) throw new Error(`unexpected ${this.peek()?.text}`);
    return expression;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.type !== "string" && token.text === text;
  }

  private take(text?: string): Token {
    const token = this.peek();
    if (!token || (text !== undefined && !this.is(text))) throw new Error(`expected ${text ?? "more"}, found ${token?.text}`);
    this.position += 1;
    return token;
  }

  private get last(): Token {
    return this.tokens[this.position - 1];
  }

  private expression(): Expression {
    const condition = this.binary(0);
    if (!this.is("?")) return condition;
    this.take("?");
    const then = this.expression();
    this.take(":");
    const otherwise = this.expression();
    return { kind: "conditional", condition, then, otherwise, start: condition.start, end: otherwise.end };
  }

  private binary(level: number): Expression {
    if (level === PRECEDENCE.length) return this.unary();
    const first = this.binary(level + 1);
    const operands = [first];
    const operators: string[] = [];
    while (PRECEDENCE[level].some((op) => this.is(op))) {
      operators.push(this.take().text);
      operands.push(this.binary(level + 1));
    }
    if (operands.length === 1) return first;
    return { kind: "binary", operators, operands, start: first.start, end: operands[operands.length - 1].end };
  }

  private unary(): Expression {
    if (this.is("!") || this.is("-")) {
      const operator = this.take();
      const operand = this.unary();
      return { kind: "unary", operator: operator.text, operand, start: operator.start, end: operand.end };
    }
    return this.postfix(this.primary());
  }

  /** Attribute access, indexes and splats after a value; an atom's traversal stays in the atom. */
  private postfix(base: Expression): Expression {
    const suffixStart = this.peek()?.start;
    while (this.is(".") || this.is("[")) {
      if (this.take().text === ".") this.take();
      else {
        if (this.is("*")) this.take();
        else this.expression();
        this.take("]");
      }
    }
    if (suffixStart === undefined || this.last.end <= base.end) return base;
    const end = this.last.end;
    if (base.kind === "atom") return { kind: "atom", start: base.start, end };
    return { kind: "postfix", base, suffix: { start: suffixStart, end }, start: base.start, end };
  }

  private primary(): Expression {
    const token = this.take();
    const { start } = token;
    if (token.type === "string" || token.type === "number") return { kind: "atom", start, end: token.end };
    if (token.type === "name") {
      if (!this.is("(")) return { kind: "atom", start, end: token.end };
      this.take("(");
      const args = this.list(")");
      return { kind: "call", name: token.text, args, start, end: this.last.end };
    }
    if (token.text === "(") {
      const inner = this.expression();
      this.take(")");
      return { kind: "paren", inner, start, end: this.last.end };
    }
    if (token.text === "[") {
      if (this.is("for")) return this.forExpression("[]", start);
      return { kind: "tuple", items: this.list("]"), start, end: this.last.end };
    }
    if (token.text === "{") {
      if (this.is("for") && this.peek(1)?.type === "name" && !this.is("=", 1)) return this.forExpression("{}", start);
      return { kind: "object", items: this.objectItems(), start, end: this.last.end };
    }
    throw new Error(`unexpected ${token.text}`);
  }

  /** Comma-separated expressions up to `close` (a trailing comma allowed), `close` taken. */
  private list(close: string): Expression[] {
    const items: Expression[] = [];
    while (!this.is(close)) {
      items.push(this.expression());
      if (this.is("...")) throw new Error("argument expansion is not laid out");
      if (!this.is(close)) this.take(",");
    }
    this.take(close);
    return items;
  }

  private objectItems(): ObjectItem[] {
    const items: ObjectItem[] = [];
    while (!this.is("}")) {
      const key = this.expression();
      const separator = this.take().text;
      if (separator !== "=" && separator !== ":") throw new Error(`expected = in an object, found ${separator}`);
      items.push({ key, separator, value: this.expression() });
      if (this.is(",")) this.take(",");
    }
    this.take("}");
    return items;
  }

  private forExpression(brackets: "[]" | "{}", start: number): Expression {
    const headStart = this.take("for").start;
    this.take();
    if (this.is(",")) {
      this.take(",");
      this.take();
    }
    this.take("in");
    this.expression();
    const head = { start: headStart, end: this.last.end };
    this.take(":");
    let key: Expression | undefined;
    let value = this.expression();
    if (brackets === "{}") {
      this.take("=>");
      key = value;
      value = this.expression();
    }
    const grouping = this.is("...");
    if (grouping) this.take("...");
    let condition: Expression | undefined;
    if (this.is("if")) {
      this.take("if");
      condition = this.expression();
    }
    this.take(brackets[1]);
    return { kind: "for", brackets, head, key, value, grouping, condition, start, end: this.last.end };
  }
}

/** The expression tree of `source`; throws when it is not an expression this parser knows. */
export function parseExpression(source: string): Expression {
  return new Parser(tokenize(source)).parse();
}
