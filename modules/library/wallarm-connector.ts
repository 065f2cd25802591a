// The connector as one construct for the user's own cdktf stack: the execution role, the two
// Lambda@Edge functions with their log groups, and the associations to put on a cache behavior.
// Every name is derived from namePrefix and every Terraform address is unique to the instance,
// so two connectors (or the user's own resources) never collide. Props are checked at synth by
// the same rules, with the same words, as the Terraform modules' variables.
import type { CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import type { TerraformProvider } from "cdktf";
import { Aspects, AssetType, Construct, TerraformAsset, TerraformDataSource, TerraformResource } from "./cdktf";
import { handlerConfigFromProps, type HandlerSettingsProps } from "./handler-settings";
import { IamTrust } from "./iam-trust";
import { archiveProviderAtSynth, LambdaEdge } from "./lambda-edge";
import { RUNTIMES } from "./trigger-limits";
import { functionSettingsProblem, inPropTerms, nodeUrlsPropProblem, type Trigger } from "./function-rules";
import { BUNDLE_DIR } from "./bundles";

export interface WallarmConnectorProps extends HandlerSettingsProps {
  /** Functions `<namePrefix>-request` and `-response`, role `<namePrefix>-edge`: unique per connector in an account. */
  readonly namePrefix: string;
  /**
   * Accept http:// node URLs in wallarmNodeUrl and nodeUrlsByRegion (the modules'
   * allow_http_node_url); default false: only https://. For tests only: traffic to the node
   * would be unencrypted.
   */
  readonly allowHttpNodeUrl?: boolean;
  /**
   * The AWS provider for us-east-1 (Lambda@Edge functions live there). Default: the stack's
   * default aws provider, which must then be for us-east-1 (checked at plan).
   */
  readonly provider?: TerraformProvider;
  /** "origin" (default: only cache misses, 1 MB bodies) or "viewer" (every request, 40 KB, 128 MB, 5 s). */
  readonly trigger?: Trigger;
  /** Default: the first of RUNTIMES. */
  readonly runtime?: (typeof RUNTIMES)[number];
  /** MB; default 128 (the viewer trigger's only size). */
  readonly memorySize?: number;
  /** Seconds; default 5. */
  readonly timeout?: number;
  /** Report each response to the node; default true. */
  readonly createResponseFunction?: boolean;
  /** An existing execution role (trusted by lambda.amazonaws.com and edgelambda.amazonaws.com); default: one is created. */
  readonly roleArn?: string;
  /** Permissions boundary of the created role. */
  readonly rolePermissionsBoundary?: string;
  /** Days; default 30. */
  readonly logRetentionInDays?: number;
  /** Leave the functions in AWS on destroy (replicas take hours to go); default false. */
  readonly skipDestroy?: boolean;
  /** Tags of the role, the functions and the log groups; default none. */
  readonly tags?: Record<string, string>;
  /** Directory with request.js and response.js; default: the bundles shipped in this package. */
  readonly bundleDir?: string;
}

/** One Lambda@Edge association of a cache behavior, as CloudfrontDistribution takes it. */
export type LambdaFunctionAssociation = CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation;

/**
 * A Wallarm connector in your own stack: the execution role, the request and response
 * Lambda@Edge functions with their log groups, and the associations for a cache behavior.
 */
export class WallarmConnector extends Construct {
  /** For `defaultCacheBehavior.lambdaFunctionAssociation` (or an ordered cache behavior) of a CloudfrontDistribution. */
  readonly lambdaFunctionAssociations: LambdaFunctionAssociation[];
  /** The two functions (their ARNs: `functions.functionAttribute("request", "qualified_arn")`). */
  readonly functions: LambdaEdge;
  /** The created role; undefined with roleArn. */
  readonly role?: IamTrust;

  constructor(scope: Construct, id: string, props: WallarmConnectorProps) {
    super(scope, id);
    const trigger = props.trigger ?? "origin";
    // Before the handler's own check, which admits http: these rules name the way to allow it.
    const urlProblem = nodeUrlsPropProblem(props);
    if (urlProblem) throw new Error(urlProblem);
    const handlerConfig = handlerConfigFromProps(props);
    const settings = {
      trigger,
      name_prefix: props.namePrefix,
      runtime: props.runtime ?? RUNTIMES[0],
      memory_size: props.memorySize ?? 128,
      timeout: props.timeout ?? 5,
      log_retention_in_days: props.logRetentionInDays ?? 30,
      node_timeout_ms: handlerConfig.node_timeout_ms,
      block_page_body: handlerConfig.block_page_body,
    };
    const problem = functionSettingsProblem(settings);
    if (problem) throw new Error(inPropTerms(problem));

    const createResponseFunction = props.createResponseFunction ?? true;
    const functionNames = [`${props.namePrefix}-request`, ...(createResponseFunction ? [`${props.namePrefix}-response`] : [])];
    const tags = props.tags ?? {};
    if (!props.roleArn) {
      this.role = new IamTrust(this, "role", {
        name: `${props.namePrefix}-edge`,
        path: "/",
        permissionsBoundary: props.rolePermissionsBoundary,
        functionNames,
        tags,
      });
    }
    const bundles = new TerraformAsset(this, "bundles", {
      path: props.bundleDir ?? BUNDLE_DIR,
      type: AssetType.DIRECTORY,
    });
    this.functions = new LambdaEdge(this, "functions", {
      namePrefix: props.namePrefix,
      roleArn: props.roleArn ?? this.role!.role.arn,
      roleDependsOn: this.role ? [this.role.logRolePolicy] : [],
      trigger,
      runtime: settings.runtime,
      memorySize: settings.memory_size,
      timeout: settings.timeout,
      createResponseFunction,
      handlerConfig,
      bundleDir: `\${path.module}/${bundles.path}`,
      packageOutputDir: `\${path.root}/.terraform/wallarm-connector`,
      logRetentionInDays: settings.log_retention_in_days,
      skipDestroy: props.skipDestroy ?? false,
      tags,
    });

    this.lambdaFunctionAssociations = [
      { eventType: `${trigger}-request`, lambdaArn: this.functions.functionAttribute("request", "qualified_arn"), includeBody: true },
      ...(createResponseFunction
        ? [
            {
              eventType: `${trigger}-response`,
              lambdaArn: this.functions.functionAttribute("response", "qualified_arn"),
              includeBody: false,
            },
          ]
        : []),
    ];

    if (props.provider) usesProvider(this, props.provider);
    archiveProviderAtSynth(this);
  }
}

/** Every AWS resource and data source of the construct goes through `provider`. */
function usesProvider(scope: Construct, provider: TerraformProvider): void {
  Aspects.of(scope).add({
    visit(node) {
      const element = node instanceof TerraformResource || node instanceof TerraformDataSource ? node : undefined;
      if (element?.terraformResourceType.startsWith("aws_")) element.provider = provider;
    },
  });
}
