// A cdktf stack that stands for one reusable Terraform module: its variables (typed,
// described, validated), its outputs, and what versions.tf and the README say about it.
import type { ProviderRequirement } from "./hcl/module-files";
import type { Json } from "./hcl/render";

export type { ProviderRequirement };
import { Construct, TerraformOutput, TerraformStack, TerraformVariable } from "../library/cdktf";

export interface Validation {
  /** A bare Terraform expression that is true for an allowed value. */
  readonly condition: string;
  /** Says what is allowed; Terraform shows it at plan. */
  readonly message: string;
}

export interface VariableSpec {
  readonly type: string;
  readonly description: string;
  /** Absent: the variable is required. */
  readonly default?: Json;
  readonly nullable?: boolean;
  readonly sensitive?: boolean;
  readonly validations?: readonly Validation[];
  /**
   * Heading of the group the variable belongs to in variables.tf (`# Node`, `# Logs`, ...);
   * variables of one section are written together, sections in order of first appearance.
   */
  readonly section?: string;
}

export interface OutputSpec {
  readonly description: string;
  /** A Terraform expression or value. */
  readonly value: Json;
  readonly sensitive?: boolean;
}

export interface ModuleInfo {
  /** Folder under generated/ ("" for the root module). */
  readonly path: string;
  readonly title: string;
  readonly requiredVersion: string;
  readonly providers: Readonly<Record<string, ProviderRequirement>>;
  /** Numbers and names the code holds that the README prose quotes, as `{{name}}` in intro.md. */
  readonly facts?: Readonly<Record<string, string | number>>;
}

export abstract class ModuleStack extends TerraformStack {
  /** Section of each variable that has one, by name (Terraform JSON has no place for it). */
  readonly variableSections = new Map<string, string>();
  /** Why a block or local does what it does, by address (`terraform_data.package`, `local.x`). */
  readonly comments = new Map<string, string>();

  constructor(
    scope: Construct,
    id: string,
    readonly info: ModuleInfo,
  ) {
    super(scope, id);
  }

  /** Declares `variable "<name>"` and returns the expression that reads it. */
  protected variable(name: string, spec: VariableSpec): string {
    const variable = new TerraformVariable(this, `variable_${name}`, {
      description: spec.description,
      type: spec.type,
      default: spec.default === null ? undefined : spec.default,
      nullable: spec.nullable,
      sensitive: spec.sensitive,
      validation: spec.validations?.map((v) => ({ condition: `\${${v.condition}}`, errorMessage: v.message })),
    });
    // cdktf drops a null default, which would make the variable required.
    if (spec.default === null) variable.addOverride("default", null);
    variable.overrideLogicalId(name);
    if (spec.section) this.variableSections.set(name, spec.section);
    return `\${var.${name}}`;
  }

  /** Declares the variables of a table, in its order; returns their expressions by name. */
  protected variables<K extends string>(specs: Record<K, VariableSpec>): Record<K, string> {
    const names = Object.keys(specs) as K[];
    return Object.fromEntries(names.map((name) => [name, this.variable(name, specs[name])])) as Record<K, string>;
  }

  /**
   * A `#` comment above a block or local of main.tf, for a line that does something a reader
   * would not guess. `address` as Terraform writes it: `aws_lambda_function.this`,
   * `data.archive_file.package`, `local.package_zips`.
   */
  protected comment(address: string, text: string): void {
    this.comments.set(address, text);
  }

  protected outputs(specs: Record<string, OutputSpec>): void {
    for (const [name, spec] of Object.entries(specs)) {
      const output = new TerraformOutput(this, `output_${name}`, {
        description: spec.description,
        value: spec.value,
        sensitive: spec.sensitive,
      });
      output.overrideLogicalId(name);
    }
  }
}
