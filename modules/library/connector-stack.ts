// A complete root stack for cdktf users (`cdktf deploy`): providers, role, functions and a new
// distribution, built from the same constructs the Terraform modules are generated from.
import type { HandlerConfig } from "../../handlers/config";
import { AssetType, AwsProvider, Construct, TerraformAsset, TerraformOutput, TerraformStack } from "./cdktf";
import { ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED } from "./cloudfront-policies";
import { DistributionAssociation } from "./distribution-association";
import { handlerConfigFromProps, type HandlerSettingsProps } from "./handler-settings";
import { IamTrust } from "./iam-trust";
import { archiveProviderAtSynth, LambdaEdge } from "./lambda-edge";
import { nodeUrlsPropProblem } from "./function-rules";
import { BUNDLE_DIR } from "./bundles";

/** The node, the origin and the handler settings of a whole connector stack. */
export interface WallarmConnectorStackProps extends HandlerSettingsProps {
  /** The origin the new distribution sends to, such as `api.example.com` (over HTTPS). */
  readonly originDomainName: string;
  /** Short for wallarmMode. */
  readonly mode?: HandlerConfig["wallarm_mode"];
  /** The CloudFront events the functions run on; default "origin" (cache misses only). */
  readonly trigger?: "viewer" | "origin";
  /** Prefix of the function and role names; default "wallarm-connector". */
  readonly namePrefix?: string;
  /**
   * Accept http:// node URLs in wallarmNodeUrl and nodeUrlsByRegion (the modules'
   * allow_http_node_url); default false: only https://. For tests only: traffic to the node
   * would be unencrypted.
   */
  readonly allowHttpNodeUrl?: boolean;
  /** The bundles: the library's own (see bundles.ts) unless told otherwise. */
  readonly bundleDir?: string;
}

/**
 * A complete root stack for `cdktf deploy`: a us-east-1 AWS provider, the role, the two
 * functions and a new distribution in front of `originDomainName` that runs them.
 */
export class WallarmConnectorStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: WallarmConnectorStackProps) {
    super(scope, id);
    const urlProblem = nodeUrlsPropProblem(props);
    if (urlProblem) throw new Error(urlProblem);
    const namePrefix = props.namePrefix ?? "wallarm-connector";
    const trigger = props.trigger ?? "origin";
    // Lambda@Edge lives in us-east-1 whatever region the rest of an app uses.
    new AwsProvider(this, "aws", { region: "us-east-1" });
    // At synth, so an ArchiveProvider the user adds to this stack later is the one used.
    archiveProviderAtSynth(this);

    const bundles = new TerraformAsset(this, "bundles", {
      path: props.bundleDir ?? BUNDLE_DIR,
      type: AssetType.DIRECTORY,
    });
    const functionNames = [`${namePrefix}-request`, `${namePrefix}-response`];
    // Fixed names: the stack's outputs and LambdaEdge refer to them by name.
    const trust = new IamTrust(this, "iam_trust", { moduleLayout: true, name: `${namePrefix}-edge`, path: "/", functionNames, tags: {} });

    const edge = new LambdaEdge(this, "lambda_edge", {
      moduleLayout: true,
      namePrefix,
      roleArn: trust.role.arn,
      roleDependsOn: [trust.logRolePolicy],
      trigger,
      runtime: "nodejs22.x",
      memorySize: 128,
      timeout: 5,
      createResponseFunction: true,
      handlerConfig: handlerConfigFromProps({ ...props, wallarmMode: props.wallarmMode ?? props.mode }),
      bundleDir: `\${path.module}/${bundles.path}`,
      packageOutputDir: "${path.root}/.terraform/wallarm-connector",
      logRetentionInDays: 30,
      skipDestroy: false,
      tags: {},
    });

    const association = new DistributionAssociation(this, "distribution_association", {
      moduleLayout: true,
      requestEventType: `${trigger}-request`,
      responseEventType: `${trigger}-response`,
      requestFunctionQualifiedArn: edge.functionAttribute("request", "qualified_arn"),
      responseFunctionQualifiedArn: edge.functionAttribute("response", "qualified_arn"),
      userAssociations: "${{}}",
      distribution: {
        count: 1,
        originDomainName: props.originDomainName,
        originProtocolPolicy: "https-only",
        aliases: [],
        acmCertificateArn: null,
        priceClass: "PriceClass_100",
        cachePolicyId: CACHING_DISABLED,
        originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        comment: "Wallarm connector",
        tags: {},
      },
    });

    new TerraformOutput(this, "distribution_domain_name", {
      description: "Send requests here.",
      value: "${aws_cloudfront_distribution.this[0].domain_name}",
    });
    new TerraformOutput(this, "lambda_function_associations", { value: association.associations });
  }
}
