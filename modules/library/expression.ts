// Helpers for Terraform expressions written as cdktf strings (`${var.x}`).

/** The bare expression inside `${...}`, for use within a larger expression. */
export function bare(expression: string | number | boolean): string {
  const text = String(expression);
  const match = /^\$\{(.*)\}$/s.exec(text);
  return match ? match[1] : text;
}
