// Terraform JSON strings are templates: literal text with `${ expr }` interpolations.
// Native HCL shows a string that is a single interpolation as the bare expression, and
// everything else as a quoted template whose literal parts are escaped.

export type TemplatePart = { literal: string } | { expression: string };

/** Splits a Terraform template into literal text and interpolated expressions. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "$${"; // an escaped interpolation stays literal, escape included
      i += 3;
    } else if (text.startsWith("${", i)) {
      const end = closingBrace(text, i + 2);
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ expression: text.slice(i + 2, end).trim() });
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Index of the `}` closing an interpolation whose expression starts at `start`. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  throw new Error(`unterminated interpolation in ${JSON.stringify(text)}`);
}

/** The expression when the whole string is one interpolation, else undefined. */
export function soleExpression(text: string): string | undefined {
  const parts = parseTemplate(text);
  return parts.length === 1 && "expression" in parts[0] ? parts[0].expression : undefined;
}

/** A string as HCL source: a bare expression, or a quoted template. */
export function renderString(text: string): string {
  const sole = soleExpression(text);
  if (sole !== undefined) return sole;
  const body = parseTemplate(text)
    .map((part) => ("expression" in part ? "${" + part.expression + "}" : escapeLiteral(part.literal)))
    .join("");
  return `"${body}"`;
}

function escapeLiteral(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t"); // `%%{` and `$${` are escapes in JSON templates too: kept as they are
}
