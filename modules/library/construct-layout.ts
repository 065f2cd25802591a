// How a construct names what it creates. In a generated module (`moduleLayout: true`) the names
// are the module's fixed ones (aws_iam_role.this, local.lambda_function_associations), as
// terraform-aws-modules users expect; in a user's stack they are cdktf's construct-unique
// names, so two connectors, or a user's own `aws_iam_role.this`, never collide. References
// go through cdktf tokens either way, so they follow whichever name the element gets.
import { Token } from "./cdktf";
import { bare } from "./expression";

export interface LayoutProps {
  /** Fixed Terraform names for a generated module; default false (construct-unique names). */
  readonly moduleLayout?: boolean;
}

/** Gives `element` the fixed `name` in module layout; leaves cdktf's unique name otherwise. */
export function named<T extends { overrideLogicalId(id: string): void }>(element: T, name: string, props: LayoutProps): T {
  if (props.moduleLayout) element.overrideLogicalId(name);
  return element;
}

const SOLE_TOKEN = /^\$\{TfToken\[TOKEN\.\d+\]\}$/;
const TOKEN = /\$\{TfToken\[TOKEN\.\d+\]\}/g;

/**
 * A prop as an operand inside a larger Terraform expression written as a cdktf string
 * (`${... ${operand(x)} ...}`): a reference token as is (cdktf writes it bare inside `${}`),
 * a raw `${expression}` unwrapped, a boolean, number or null as such, and text as a quoted
 * string in which references are interpolated.
 */
export function operand(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return Token.isUnresolved(value) ? Token.asString(value) : String(value);
  if (SOLE_TOKEN.test(value)) return value;
  if (/^\$\{.*\}$/s.test(value) && !Token.isUnresolved(value)) return bare(value);
  return JSON.stringify(value).replace(TOKEN, (token) => `\${${token}}`);
}
