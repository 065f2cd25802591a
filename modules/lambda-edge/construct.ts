// The Lambda@Edge request and response functions of the Wallarm connector: each a published
// version of `index.js` (the esbuild bundle) plus `config.json`, zipped by the archive provider.
// Usable in a generated module (moduleLayout) and, any number of times, in a user's stack.
import type { HandlerConfig } from "../../handlers/config";
import { CONFIG_KEYS } from "../../handlers/config";
import {
  CloudwatchLogGroup,
  Construct,
  DataArchiveFile,
  DataAwsLambdaFunctions,
  DataAwsRegion,
  LambdaFunction,
  TerraformData,
  TerraformLocal,
  Token,
} from "../cdktf";
import { type LayoutProps, named } from "../construct-layout";
import { bare } from "../expression";

/** A value or a Terraform expression standing for one (`${var.x}`). */
type Setting<T> = T | string;

/**
 * With `moduleLayout` the elements get the generated module's names (aws_lambda_function.request,
 * local.config_json); otherwise cdktf's construct-unique ones, so two connectors in one stack
 * never collide. References are tokens (or, for locals, the local's own name) either way.
 */
export interface LambdaEdgeProps extends LayoutProps {
  /** false creates nothing (terraform-aws-modules' `create`); default true. */
  readonly create?: Setting<boolean>;
  /** Function names are `<namePrefix>-request` and `<namePrefix>-response`. */
  readonly namePrefix: string;
  readonly roleArn: string;
  /** "viewer" or "origin": the CloudFront events the functions are built for. */
  readonly trigger: string;
  readonly runtime: string;
  readonly memorySize: Setting<number>;
  readonly timeout: Setting<number>;
  readonly createResponseFunction: Setting<boolean>;
  /** config.json content, key by key; values may be Terraform expressions. */
  readonly handlerConfig: { readonly [K in keyof HandlerConfig]: Setting<HandlerConfig[K]> };
  /** Directory holding request.js and response.js (a Terraform path expression). */
  readonly bundleDir: string;
  /** Where the zips are written: at plan, or at apply when the function will be created or changed. */
  readonly packageOutputDir: string;
  /** false: the us-east-1 log groups exist already (or Lambda creates them); default true. */
  readonly createLogGroups?: Setting<boolean>;
  readonly logRetentionInDays: Setting<number>;
  /** KMS key ARN for the log groups; default none. */
  readonly logGroupKmsKeyId?: Setting<string | null>;
  /** Leave the log groups in AWS on destroy; default false. */
  readonly logGroupSkipDestroy?: Setting<boolean>;
  readonly skipDestroy: Setting<boolean>;
  readonly tags: Setting<Record<string, string>>;
}

export type FunctionRole = "request" | "response";
const ROLES: readonly FunctionRole[] = ["request", "response"];

/** The conditions that are not literally true, as one bare expression; undefined when none. */
function condition(...settings: Array<Setting<boolean> | undefined>): string | undefined {
  const open = settings.filter((s): s is Setting<boolean> => s !== undefined && s !== true);
  return open.length === 0 ? undefined : open.map((s) => bare(s)).join(" && ");
}
/** `count` for resources that exist when `when` holds (no count when it always does). */
const countWhen = (when: string | undefined) => (when === undefined ? undefined : Token.asNumber(`\${${when} ? 1 : 0}`));

export class LambdaEdge extends Construct {
  readonly request: LambdaFunction;
  readonly response: LambdaFunction;
  /** The association map terraform-aws-modules/cloudfront accepts, keyed by event type. */
  readonly associations: string;
  readonly configJson: string;
  private readonly functions: Record<FunctionRole, { fn: LambdaFunction; when: string | undefined; logGroupName: string }>;

  constructor(scope: Construct, id: string, props: LambdaEdgeProps) {
    super(scope, id);
    const region = new DataAwsRegion(this, "current");
    named(region, "current", props);

    const handlerConfig = new TerraformLocal(
      this,
      "handler_config",
      Object.fromEntries(CONFIG_KEYS.map((key) => [key, props.handlerConfig[key]])),
    );
    named(handlerConfig, "handler_config", props);
    const configJson = new TerraformLocal(this, "config_json", `\${jsonencode(${handlerConfig.asString})}`);
    named(configJson, "config_json", props);
    this.configJson = configJson.asString;

    // Which functions exist in AWS now: a function that does not (first deploy, a first apply
    // that failed half-way, deleted outside Terraform, renamed) gets its zip built at apply.
    const create = condition(props.create);
    const existing = new DataAwsLambdaFunctions(this, "existing_functions", { count: countWhen(create) });
    named(existing, "existing", props);
    const shared: Shared = {
      region: region.id,
      // A local is named, not referenced by a token, inside a larger template (cdktf leaves
      // `${...}` around it there); locals never cross stacks.
      configJson: `local.${configJson.friendlyUniqueId}`,
      existingNames: `${existing.fqn}${create === undefined ? "" : "[0]"}.function_names`,
    };

    const built = Object.fromEntries(
      ROLES.map((role) => {
        const when = condition(props.create, role === "response" ? props.createResponseFunction : true);
        return [role, { ...edgeFunction(this, role, when, props, shared), when }];
      }),
    ) as LambdaEdge["functions"];
    this.functions = built;
    this.request = built.request.fn;
    this.response = built.response.fn;

    const associations = new TerraformLocal(
      this,
      "edge_associations",
      Object.fromEntries(
        ROLES.map((role) => [
          `${props.trigger}-${role}`,
          {
            event_type: `${props.trigger}-${role}`,
            lambda_arn: this.functionAttribute(role, "qualified_arn"),
            include_body: role === "request",
          },
        ]),
      ),
    );
    named(associations, "edge_associations", props);
    // Filtered on what is known at plan (which functions are created), never on the ARNs: those
    // are unknown on a first deploy and would make the whole map "known after apply".
    const created = named(
      new TerraformLocal(
        this,
        "edge_functions_created",
        Object.fromEntries(
          ROLES.map((role) => [
            `${props.trigger}-${role}`,
            this.functions[role].when === undefined ? true : `\${${this.functions[role].when}}`,
          ]),
        ),
      ),
      "edge_functions_created",
      props,
    );
    this.associations = `\${{ for event_type, association in ${associations.asString} : event_type => association if ${created.asString}[event_type] }}`;
  }

  /** An attribute of a function, null when it is not created. */
  functionAttribute(role: FunctionRole, attribute: string): string {
    const { fn, when } = this.functions[role];
    return when === undefined ? `\${${fn.fqn}.${attribute}}` : `\${one(${fn.fqn}[*].${attribute})}`;
  }

  /** Name of the us-east-1 log group a function writes to (created here or not), null without the function. */
  logGroupName(role: FunctionRole): string {
    const { when, logGroupName } = this.functions[role];
    return when === undefined ? logGroupName : `\${${when} ? "${logGroupName}" : null}`;
  }
}

/** What both functions use. */
interface Shared {
  readonly region: string;
  /** The config.json local, bare (`local.config_json`). */
  readonly configJson: string;
  /** Names of the functions in the provider's region, read at plan. */
  readonly existingNames: string;
}

/** One function: its package (built at apply when the function needs it), the function and its log group. */
function edgeFunction(
  scope: Construct,
  role: FunctionRole,
  when: string | undefined,
  props: LambdaEdgeProps,
  shared: Shared,
): { fn: LambdaFunction; logGroupName: string } {
  const functionName = `${props.namePrefix}-${role}`;
  const count = countWhen(when);
  const index = when === undefined ? "" : "[0]";
  const bundle = `${props.bundleDir}/${role}.js`;

  // A saved plan applied in another job has no zip, so the archive is read (and the zip
  // written) at apply whenever the function needs it. The archive takes its path from this
  // resource's output, which is unknown at plan whenever the input changes: when the zip's
  // name does (it holds the function name and a hash of the content, folder aside), and while
  // the function is missing in AWS, because then `function_exists` is unknown until apply
  // (timestamp() is). After apply it is true, so an unchanged function plans no change.
  const zip = `${props.packageOutputDir}/${functionName}-\${substr(sha256(join("", [filesha256("${bundle}"), ${shared.configJson}])), 0, 16)}.zip`;
  const packageVersion = new TerraformData(scope, `${role}_package`, {
    count,
    input: {
      zip,
      function_exists: `\${contains(${shared.existingNames}, "${functionName}") ? true : timestamp() != ""}`,
    },
  });
  named(packageVersion, `${role}_package`, props);

  const archive = new DataArchiveFile(scope, `${role}_package_zip`, {
    count,
    type: "zip",
    outputPath: `\${${packageVersion.fqn}${index}.output.zip}`,
    source: [
      { filename: "index.js", content: `\${file("${bundle}")}` },
      { filename: "config.json", content: `\${${shared.configJson}}` },
    ],
  });
  named(archive, role, props);

  // Replicas log to /aws/lambda/us-east-1.<name> in the region where they ran; the group in
  // us-east-1 is the one a us-east-1 provider can own, the others Lambda creates on first use.
  const logGroupName = `/aws/lambda/us-east-1.${functionName}`;
  const logGroup = new CloudwatchLogGroup(scope, `${role}_log_group`, {
    count: countWhen(condition(when, props.createLogGroups)),
    name: logGroupName,
    retentionInDays: props.logRetentionInDays as number,
    kmsKeyId: props.logGroupKmsKeyId as string | undefined,
    skipDestroy: props.logGroupSkipDestroy as boolean | undefined,
    tags: props.tags as Record<string, string>,
    // A rename creates the new group with the new function, before the old ones go.
    lifecycle: { createBeforeDestroy: true },
  });
  named(logGroup, role, props);

  const fn = new LambdaFunction(scope, `${role}_function`, {
    count,
    functionName,
    description: `Wallarm connector: ${role === "request" ? "sends each request to the Wallarm node" : "reports each response to the Wallarm node"}`,
    role: props.roleArn,
    handler: "index.handler",
    runtime: props.runtime,
    architectures: ["x86_64"],
    memorySize: props.memorySize as number,
    timeout: props.timeout as number,
    publish: true,
    filename: `\${${archive.fqn}${index}.output_path}`,
    sourceCodeHash: `\${${archive.fqn}${index}.output_base64sha256}`,
    skipDestroy: props.skipDestroy as boolean,
    tags: props.tags as Record<string, string>,
    lifecycle: {
      // A rename creates the new function, the distribution moves to it, and only then the old
      // one goes (a replicated function cannot be deleted while CloudFront still runs it).
      createBeforeDestroy: true,
      precondition: [
        {
          condition: `\${${shared.region} == "us-east-1"}`,
          errorMessage:
            "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for " +
            `${shared.region}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }.`,
        },
      ],
    },
    // The group exists before the function can log, so Lambda never creates it first.
    dependsOn: [logGroup],
  });
  named(fn, role, props);
  return { fn, logGroupName };
}
