// An existing distribution kept in your own aws_cloudfront_distribution: the connector's
// associations join through a dynamic block, and an import block adopts a distribution that
// was made outside Terraform.
import { CloudfrontDistribution, type Construct } from "../../library/cdktf";
import { ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED } from "../../library/cloudfront-policies";
import { ExampleStack } from "./example-stack";

export class ExistingDistributionExample extends ExampleStack {
  constructor(scope: Construct) {
    super(scope, "existing-distribution", "The Wallarm connector on a distribution you already manage");
    const v = this.variables({
      wallarm_node_url: { type: "string", description: "URL of your Wallarm filtering node (https)." },
      distribution_id: {
        type: "string",
        description: "ID of the existing distribution (E2ABCDEF123456) to import into aws_cloudfront_distribution.this.",
      },
      origin_domain_name: { type: "string", description: "Domain name of the distribution's origin." },
    });
    this.defaultProvider(); // for the distribution below
    this.connector({ wallarm_node_url: v.wallarm_node_url, trigger: "origin" });

    const distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: "Existing distribution, now with the Wallarm connector",
      origin: [
        {
          originId: "api",
          domainName: v.origin_domain_name,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: "api",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: CACHING_DISABLED,
        originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });
    distribution.addOverride("default_cache_behavior.dynamic.lambda_function_association", {
      for_each: "${module.wallarm_connector.lambda_function_associations}",
      content: {
        event_type: "${lambda_function_association.value.event_type}",
        lambda_arn: "${lambda_function_association.value.lambda_arn}",
        include_body: "${lambda_function_association.value.include_body}",
      },
    });
    distribution.overrideLogicalId("this");
    distribution.importFrom(v.distribution_id);

    this.outputs({
      lambda_function_associations: {
        description: "The associations now on the default cache behavior.",
        value: "${module.wallarm_connector.lambda_function_associations}",
      },
    });
  }
}
