// The Lambda@Edge request and response functions of the Wallarm connector: each a published
// version of `index.js` (the esbuild bundle) plus `config.json`, zipped by the archive provider.
// Written once over the two: every element is one block with `for_each` over the functions that
// are created, keyed "request" and "response". Usable in a generated module (moduleLayout) and,
// any number of times, in a user's stack.
import type { HandlerConfig } from "../../handlers/config";
import { CONFIG_KEYS } from "../../handlers/config";
import {
  ArchiveProvider,
  Aspects,
  CloudwatchLogGroup,
  Construct,
  DataArchiveFile,
  DataAwsLambdaFunctions,
  DataAwsRegion,
  type ITerraformDependable,
  LambdaFunction,
  TerraformData,
  TerraformIterator,
  TerraformLocal,
  TerraformStack,
  Token,
} from "./cdktf";
import { type LayoutProps, named } from "./construct-layout";
import { bare } from "./expression";

/** A value or a Terraform expression standing for one (`${var.x}`). */
export type Setting<T> = T | string;

/** config.json, key by key (the settings table's names); each value may be a Terraform expression. */
export type HandlerConfigSettings = { readonly [K in keyof HandlerConfig]: Setting<HandlerConfig[K]> };

/**
 * With `moduleLayout` the elements get the generated module's names (aws_lambda_function.this,
 * local.config_json); otherwise cdktf's construct-unique ones, so two connectors in one stack
 * never collide. References are tokens (or, for locals, the local's own name) either way.
 */
export interface LambdaEdgeProps extends LayoutProps {
  /** false creates nothing (terraform-aws-modules' `create`); default true. */
  readonly create?: Setting<boolean>;
  /** Function names are `<namePrefix>-request` and `<namePrefix>-response`. */
  readonly namePrefix: string;
  /** ARN of the execution role (trusted by lambda.amazonaws.com and edgelambda.amazonaws.com). */
  readonly roleArn: string;
  /**
   * What the role's permissions need before the functions (the role's log policy): on a rename the
   * old policy then goes only after the old functions, which keep logging until CloudFront moves.
   */
  readonly roleDependsOn?: ITerraformDependable[];
  /** "viewer" or "origin": the CloudFront events the functions are built for. */
  readonly trigger: string;
  /** Lambda runtime, `nodejs22.x` or `nodejs20.x`. */
  readonly runtime: string;
  /** Memory in MB: 128 for viewer triggers, up to 10,240 for origin triggers. */
  readonly memorySize: Setting<number>;
  /** Function timeout in seconds: at most 5 (viewer) or 30 (origin). */
  readonly timeout: Setting<number>;
  /** false: only the request function (no response reports). */
  readonly createResponseFunction: Setting<boolean>;
  /** config.json content, key by key; values may be Terraform expressions. */
  readonly handlerConfig: HandlerConfigSettings;
  /** Directory holding request.js and response.js (a Terraform path expression). */
  readonly bundleDir: string;
  /** Where the zips are written: at plan, or at apply when the function will be created or changed. */
  readonly packageOutputDir: string;
  /** false: the us-east-1 log groups exist already (or Lambda creates them); default true. */
  readonly createLogGroups?: Setting<boolean>;
  /** Days CloudWatch keeps the functions' logs (a value CloudWatch Logs accepts, such as 30). */
  readonly logRetentionInDays: Setting<number>;
  /** KMS key ARN for the log groups; default none. */
  readonly logGroupKmsKeyId?: Setting<string | null>;
  /** Leave the log groups in AWS on destroy; default false. */
  readonly logGroupSkipDestroy?: Setting<boolean>;
  /** true: `terraform destroy` leaves the functions in AWS (replicas may keep them for hours). */
  readonly skipDestroy: Setting<boolean>;
  /** Tags of the functions and log groups. */
  readonly tags: Setting<Record<string, string>>;
}

/** Which of the two functions: the request function or the response function. */
export type FunctionRole = "request" | "response";
const ROLES: readonly FunctionRole[] = ["request", "response"];
const DESCRIPTIONS: Readonly<Record<FunctionRole, string>> = {
  request: "Wallarm connector: sends each request to the Wallarm node",
  response: "Wallarm connector: reports each response to the Wallarm node",
};

/** The conditions that are not literally true, as one bare expression ("false" if one literally is); undefined when none. */
function condition(...settings: Array<Setting<boolean> | undefined>): string | undefined {
  if (settings.includes(false)) return "false";
  const open = settings.filter((s): s is Setting<boolean> => s !== undefined && s !== true);
  return open.length === 0 ? undefined : open.map((s) => bare(s)).join(" && ");
}
/** A condition as a value: a literal where it is one. */
const flag = (when: string | undefined) => (when === undefined ? true : when === "false" ? false : `\${${when}}`);
/** `count` for resources that exist when `when` holds (no count when it always does). */
const countWhen = (when: string | undefined) => (when === undefined ? undefined : Token.asNumber(`\${${when} ? 1 : 0}`));

/** Per role: the condition it is created on (undefined: always) and its log group's name. */
type Roles = Record<FunctionRole, { readonly when: string | undefined; readonly logGroupName: string }>;

/**
 * Per role: when it is created and where it logs. Replicas log to /aws/lambda/us-east-1.<name>
 * in the region where they ran; the group in us-east-1 is the one a us-east-1 provider can own,
 * the others Lambda creates on first use.
 */
function roleSettings(props: LambdaEdgeProps): Roles {
  return Object.fromEntries(
    ROLES.map((role) => [
      role,
      {
        when: condition(props.create, role === "response" ? props.createResponseFunction : true),
        logGroupName: `/aws/lambda/us-east-1.${props.namePrefix}-${role}`,
      },
    ]),
  ) as Roles;
}

/** config.json: the handler settings key by key (`local.handler_config`), JSON-encoded (`local.config_json`). */
function configLocals(scope: Construct, props: LambdaEdgeProps): { configJson: TerraformLocal; configJsonLocal: string } {
  const handlerConfig = new TerraformLocal(
    scope,
    "handler_config",
    Object.fromEntries(CONFIG_KEYS.map((key) => [key, props.handlerConfig[key]])),
  );
  named(handlerConfig, "handler_config", props);
  const configJson = new TerraformLocal(scope, "config_json", `\${jsonencode(${handlerConfig.asString})}`);
  named(configJson, "config_json", props);
  // A local is named, not referenced by a token, inside a larger template (cdktf leaves
  // `${...}` around it there); locals never cross stacks.
  return { configJson, configJsonLocal: `local.${configJson.friendlyUniqueId}` };
}

/**
 * Which functions exist in AWS now: a function that does not (first deploy, a first apply
 * that failed half-way, deleted outside Terraform, renamed) gets its zip built at apply.
 * Returns the expression for their names.
 */
function existingFunctionNames(scope: Construct, props: LambdaEdgeProps): string {
  const create = condition(props.create);
  const existing = new DataAwsLambdaFunctions(scope, "existing_functions", { count: countWhen(create) });
  named(existing, "existing", props);
  return `${existing.fqn}${create === undefined ? "" : "[0]"}.function_names`;
}

/**
 * What differs between the two functions, written once per role (`local.edge_functions`), and
 * the functions created (`local.edge_functions_created`), which it returns.
 */
function functionTable(scope: Construct, props: LambdaEdgeProps, roles: Roles): TerraformLocal {
  const edgeFunctions = named(
    new TerraformLocal(
      scope,
      "edge_functions",
      Object.fromEntries(
        ROLES.map((role) => {
          const { when, logGroupName } = roles[role];
          return [
            role,
            {
              create: flag(when),
              name: `${props.namePrefix}-${role}`,
              description: DESCRIPTIONS[role],
              bundle: `${props.bundleDir}/${role}.js`,
              log_group: logGroupName,
              event_type: `${props.trigger}-${role}`,
              include_body: role === "request",
            },
          ];
        }),
      ),
    ),
    "edge_functions",
    props,
  );
  // The functions created, filtered on flags known at plan (variables, never ARNs): the
  // for_each of every element of the construct, and the keys of the association map, which
  // are so known on a first deploy too.
  return named(
    new TerraformLocal(scope, "edge_functions_created", `\${{ for role, fn in ${edgeFunctions.asString} : role => fn if fn.create }}`),
    "edge_functions_created",
    props,
  );
}

/** The zips: their names (terraform_data `package`, local `package_zips`) and the archives that write them. */
function packages(
  scope: Construct,
  props: LambdaEdgeProps,
  each: TerraformIterator,
  configJsonLocal: string,
  existingNames: string,
): DataArchiveFile {
  // A saved plan applied in another job has no zip, so the archive is read (and the zip
  // written) at apply whenever the function needs it. The archive takes its path from this
  // resource's output, which is unknown at plan whenever the input changes: when the zip's
  // name does (it holds the function name and a hash of the content, folder aside), and while
  // the function is missing in AWS, because then `function_exists` is unknown until apply
  // (timestamp() is). After apply it is true, so an unchanged function plans no change.
  const zip = `${props.packageOutputDir}/\${each.value.name}-\${substr(sha256(join("", [filesha256(each.value.bundle), ${configJsonLocal}])), 0, 16)}.zip`;
  const packageVersion = named(
    new TerraformData(scope, "package", {
      forEach: each,
      input: {
        zip,
        function_exists: `\${contains(${existingNames}, each.value.name) ? true : timestamp() != ""}`,
      },
    }),
    "package",
    props,
  );

  // The archives read the zip names through a local, not from terraform_data itself: Terraform
  // defers a data source whenever a managed resource it references directly has a change
  // pending, in any instance, which would rebuild both zips (and plan an update of the
  // unchanged function) when one function changes. Through the local each archive waits only
  // on its own name being unknown.
  const zips = named(
    new TerraformLocal(scope, "package_zips", `\${{ for role, package in ${packageVersion.fqn} : role => package.output.zip }}`),
    "package_zips",
    props,
  );
  return named(
    new DataArchiveFile(scope, "package_zip", {
      forEach: each,
      type: "zip",
      outputPath: `\${local.${zips.friendlyUniqueId}[each.key]}`,
      source: [
        { filename: "index.js", content: "${file(each.value.bundle)}" },
        { filename: "config.json", content: `\${${configJsonLocal}}` },
      ],
    }),
    "package",
    props,
  );
}

/** The us-east-1 log groups of the created functions, unless `createLogGroups` says otherwise. */
function logGroups(scope: Construct, props: LambdaEdgeProps, each: TerraformIterator, created: string): CloudwatchLogGroup {
  const createLogGroups = condition(props.createLogGroups);
  return named(
    new CloudwatchLogGroup(scope, "log_group", {
      forEach: createLogGroups === undefined ? each : TerraformIterator.fromMap(Token.asAnyMap(`\${${createLogGroups} ? ${created} : {}}`)),
      name: "${each.value.log_group}",
      retentionInDays: props.logRetentionInDays as number,
      kmsKeyId: props.logGroupKmsKeyId as string | undefined,
      skipDestroy: props.logGroupSkipDestroy as boolean | undefined,
      tags: props.tags as Record<string, string>,
      // A rename creates the new group with the new function, before the old ones go.
      lifecycle: { createBeforeDestroy: true },
    }),
    "this",
    props,
  );
}

/** The functions themselves, published from the archives, in us-east-1 only. */
function functions(
  scope: Construct,
  props: LambdaEdgeProps,
  each: TerraformIterator,
  region: DataAwsRegion,
  archive: DataArchiveFile,
  logGroup: CloudwatchLogGroup,
): LambdaFunction {
  const regionId = region.id;
  return named(
    new LambdaFunction(scope, "function", {
      forEach: each,
      functionName: "${each.value.name}",
      description: "${each.value.description}",
      role: props.roleArn,
      handler: "index.handler",
      runtime: props.runtime,
      architectures: ["x86_64"],
      memorySize: props.memorySize as number,
      timeout: props.timeout as number,
      publish: true,
      filename: `\${${archive.fqn}[each.key].output_path}`,
      sourceCodeHash: `\${${archive.fqn}[each.key].output_base64sha256}`,
      skipDestroy: props.skipDestroy as boolean,
      tags: props.tags as Record<string, string>,
      lifecycle: {
        // A rename creates the new function, the distribution moves to it, and only then the old
        // one goes (a replicated function cannot be deleted while CloudFront still runs it).
        createBeforeDestroy: true,
        precondition: [
          {
            condition: `\${${regionId} == "us-east-1"}`,
            errorMessage:
              "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for " +
              `${regionId}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }.`,
          },
        ],
      },
      // The groups exist before the functions can log, so Lambda never creates them first.
      dependsOn: [logGroup, ...(props.roleDependsOn ?? [])],
    }),
    "this",
    props,
  );
}

/** The association map terraform-aws-modules/cloudfront accepts (`local.edge_associations`), keyed by event type. */
function associationMap(scope: Construct, props: LambdaEdgeProps, created: string, lambdaFunctions: LambdaFunction): string {
  // Written out as terraform-aws-modules would: one line per attribute of the association.
  return named(
    new TerraformLocal(
      scope,
      "edge_associations",
      [
        "${{",
        `  for role, fn in ${created} : fn.event_type => {`,
        "    event_type   = fn.event_type",
        `    lambda_arn   = ${lambdaFunctions.fqn}[role].qualified_arn`,
        "    include_body = fn.include_body",
        "  }",
        "}}",
      ].join("\n"),
    ),
    "edge_associations",
    props,
  ).asString;
}

/**
 * The connector's two Lambda@Edge functions with their zips (the handler bundle as `index.js`
 * plus `config.json`), published versions and log groups, and the association map for them.
 */
export class LambdaEdge extends Construct {
  /**
   * Both functions: one resource with an instance per created role (`for_each`). Read an
   * instance's attributes with functionAttribute().
   */
  readonly lambdaFunctions: LambdaFunction;
  /** The association map terraform-aws-modules/cloudfront accepts, keyed by event type (created functions only). */
  readonly associations: string;
  /** The zip's config.json as a Terraform expression (`jsonencode` of the settings). */
  readonly configJson: string;
  /** Per role: the condition it is created on (undefined: always) and its log group's name. */
  private readonly roles: Roles;
  /** The created functions' settings by role, bare (`local.edge_functions_created`). */
  private readonly created: string;

  constructor(scope: Construct, id: string, props: LambdaEdgeProps) {
    super(scope, id);
    const region = named(new DataAwsRegion(this, "current"), "current", props);
    const { configJson, configJsonLocal } = configLocals(this, props);
    this.configJson = configJson.asString;
    const existingNames = existingFunctionNames(this, props);
    this.roles = roleSettings(props);
    const created = functionTable(this, props, this.roles);
    this.created = `local.${created.friendlyUniqueId}`;
    const each = TerraformIterator.fromMap(created.asAnyMap);
    const archive = packages(this, props, each, configJsonLocal, existingNames);
    const logGroup = logGroups(this, props, each, this.created);
    this.lambdaFunctions = functions(this, props, each, region, archive, logGroup);
    this.associations = associationMap(this, props, this.created, this.lambdaFunctions);
  }

  /** An attribute of a function, null when it is not created. */
  functionAttribute(role: FunctionRole, attribute: string): string {
    const instance = `${this.lambdaFunctions.fqn}["${role}"].${attribute}`;
    return this.roles[role].when === undefined ? `\${${instance}}` : `\${try(${instance}, null)}`;
  }

  /** Name of the us-east-1 log group a function writes to (created here or not), null without the function. */
  logGroupName(role: FunctionRole): string {
    const { when, logGroupName } = this.roles[role];
    return when === undefined ? logGroupName : `\${try(${this.created}["${role}"].log_group, null)}`;
  }
}

/** Stacks whose archive provider is already seen to at synth. */
const archiveProviderChecked = new WeakSet<TerraformStack>();

/**
 * The zips are built by hashicorp/archive, whose default configuration a stack declares once.
 * Decided at synth, when the whole stack exists: a user's own ArchiveProvider, declared before
 * or after the connector and under any id, is the one used; without one, one is added. Two
 * without an alias would fail `terraform init` ("Duplicate provider configuration"), so they
 * fail synth first, saying so. For a user's stack, not a generated module (modules declare no
 * provider configurations).
 */
export function archiveProviderAtSynth(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (archiveProviderChecked.has(stack)) return;
  archiveProviderChecked.add(stack);
  Aspects.of(stack).add({
    visit(node) {
      if (node !== stack) return;
      const defaults = stack.node.findAll().filter((c): c is ArchiveProvider => c instanceof ArchiveProvider && c.alias === undefined);
      if (defaults.length === 0) new ArchiveProvider(stack, stack.node.tryFindChild("archive") ? "wallarm_connector_archive" : "archive");
      if (defaults.length > 1) {
        throw new Error(
          `Stack ${stack.node.path} has ${defaults.length} ArchiveProviders without an alias (${defaults.map((p) => p.node.path).join(", ")}), and Terraform accepts one default configuration per provider: keep one (the Wallarm connector uses it, and adds none when the stack has one), or give the others an alias.`,
        );
      }
    },
  });
}
