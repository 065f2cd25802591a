// The Lambda@Edge request and response functions of the Wallarm connector: each a published
// version of `index.js` (the esbuild bundle) plus `config.json`, zipped by the archive provider.
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
import { bare } from "../expression";

/** A value or a Terraform expression standing for one (`${var.x}`). */
type Setting<T> = T | string;

export interface LambdaEdgeProps {
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
  readonly logRetentionInDays: Setting<number>;
  readonly skipDestroy: Setting<boolean>;
  readonly tags: Setting<Record<string, string>>;
}

export type FunctionRole = "request" | "response";

const US_EAST_1_MESSAGE =
  "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for " +
  "${data.aws_region.current.id}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }.";

export class LambdaEdge extends Construct {
  readonly request: LambdaFunction;
  readonly response: LambdaFunction;
  /** The association map terraform-aws-modules/cloudfront accepts, keyed by event type. */
  readonly associations: string;
  readonly configJson: string;

  constructor(scope: Construct, id: string, props: LambdaEdgeProps) {
    super(scope, id);
    const region = new DataAwsRegion(this, "current");
    region.overrideLogicalId("current");

    const handlerConfig = new TerraformLocal(
      this,
      "handler_config",
      Object.fromEntries(CONFIG_KEYS.map((key) => [key, props.handlerConfig[key]])),
    );
    handlerConfig.overrideLogicalId("handler_config");
    const configJson = new TerraformLocal(this, "config_json", `\${jsonencode(local.handler_config)}`);
    configJson.overrideLogicalId("config_json");
    this.configJson = configJson.asString;

    // Which functions exist in AWS now: a function that does not (first deploy, a first apply
    // that failed half-way, deleted outside Terraform, renamed) gets its zip built at apply.
    const existing = new DataAwsLambdaFunctions(this, "existing_functions", {});
    existing.overrideLogicalId("existing");

    this.request = edgeFunction(this, "request", props);
    this.response = edgeFunction(this, "response", props);

    const associations = new TerraformLocal(this, "edge_associations", {
      [`${props.trigger}-request`]: {
        event_type: `${props.trigger}-request`,
        lambda_arn: this.request.qualifiedArn,
        include_body: true,
      },
      [`${props.trigger}-response`]: {
        event_type: `${props.trigger}-response`,
        lambda_arn: "${one(aws_lambda_function.response[*].qualified_arn)}",
        include_body: false,
      },
    });
    associations.overrideLogicalId("edge_associations");
    this.associations =
      "${{ for event_type, association in local.edge_associations : event_type => association if association.lambda_arn != null }}";
  }
}

/** One function: its package (built at apply when the function needs it), the function and its log group. */
function edgeFunction(scope: Construct, role: FunctionRole, props: LambdaEdgeProps): LambdaFunction {
  const functionName = `${props.namePrefix}-${role}`;
  const count = role === "response" ? Token.asNumber(`\${${bare(props.createResponseFunction)} ? 1 : 0}`) : undefined;
  const bundle = `${props.bundleDir}/${role}.js`;

  // A saved plan applied in another job has no zip, so the archive is read (and the zip
  // written) at apply whenever the function needs it. The archive takes its path from this
  // resource's output, which is unknown at plan whenever the input changes: when the zip's
  // name does (it holds the function name and a hash of the content, folder aside), and while
  // the function is missing in AWS, because then `function_exists` is unknown until apply
  // (timestamp() is). After apply it is true, so an unchanged function plans no change.
  const zip = `${props.packageOutputDir}/${functionName}-\${substr(sha256(join("", [filesha256("${bundle}"), local.config_json])), 0, 16)}.zip`;
  const packageVersion = new TerraformData(scope, `${role}_package`, {
    count,
    input: {
      zip,
      function_exists: `\${contains(data.aws_lambda_functions.existing.function_names, "${functionName}") ? true : timestamp() != ""}`,
    },
  });
  packageVersion.overrideLogicalId(`${role}_package`);

  const index = role === "response" ? "[0]" : "";
  const archive = new DataArchiveFile(scope, `${role}_package_zip`, {
    count,
    type: "zip",
    outputPath: `\${terraform_data.${role}_package${index}.output.zip}`,
    source: [
      { filename: "index.js", content: `\${file("${bundle}")}` },
      { filename: "config.json", content: "${local.config_json}" },
    ],
  });
  archive.overrideLogicalId(role);

  // Replicas log to /aws/lambda/us-east-1.<name> in the region where they ran; the group in
  // us-east-1 is the one a us-east-1 provider can own, the others Lambda creates on first use.
  const logGroup = new CloudwatchLogGroup(scope, `${role}_log_group`, {
    count,
    name: `/aws/lambda/us-east-1.${functionName}`,
    retentionInDays: props.logRetentionInDays as number,
    tags: props.tags as Record<string, string>,
    // A rename creates the new group with the new function, before the old ones go.
    lifecycle: { createBeforeDestroy: true },
  });
  logGroup.overrideLogicalId(role);

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
    filename: `\${data.archive_file.${role}${index}.output_path}`,
    sourceCodeHash: `\${data.archive_file.${role}${index}.output_base64sha256}`,
    skipDestroy: props.skipDestroy as boolean,
    tags: props.tags as Record<string, string>,
    lifecycle: {
      // A rename creates the new function, CloudFront moves to it, and only then the old one
      // goes (a replicated function cannot be deleted while CloudFront still runs it).
      createBeforeDestroy: true,
      precondition: [{ condition: '${data.aws_region.current.id == "us-east-1"}', errorMessage: US_EAST_1_MESSAGE }],
    },
    // The group exists before the function can log, so Lambda never creates it first.
    dependsOn: [logGroup],
  });
  fn.overrideLogicalId(role);

  return fn;
}
