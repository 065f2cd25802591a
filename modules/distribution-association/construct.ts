// Lambda@Edge associations for a CloudFront cache behavior: the connector's request and
// response functions merged with the user's own, and optionally a distribution that uses them.
import { CloudfrontDistribution, Construct, TerraformLocal } from "../cdktf";
import { bare } from "../expression";

export interface DistributionAssociationProps {
  readonly requestEventType: string;
  readonly responseEventType: string;
  readonly requestFunctionQualifiedArn: string;
  /** null (or an expression that may be null) leaves the response event free. */
  readonly responseFunctionQualifiedArn: string | null;
  /**
   * Whether the response function is associated, known at plan (a bool expression): the
   * association map's keys come from it and the event types, never from the ARNs, which are
   * unknown at plan on a first deploy. Default: responseFunctionQualifiedArn is not null.
   */
  readonly responseAssociated?: boolean | string;
  /** The user's own associations keyed by event type (a Terraform map expression). */
  readonly userAssociations: string;
  /** Creates a distribution when set. */
  readonly distribution?: DistributionProps;
}

export interface DistributionProps {
  /** Terraform count expression, e.g. `${var.create_distribution ? 1 : 0}`. */
  readonly count: number;
  readonly originDomainName: string;
  readonly originProtocolPolicy: string;
  readonly aliases: string[];
  readonly acmCertificateArn: string | null;
  readonly priceClass: string;
  readonly cachePolicyId: string;
  readonly originRequestPolicyId: string;
  readonly comment: string;
  readonly tags: Record<string, string>;
}

const ORIGIN_ID = "origin";

/** A string prop as an operand of a larger expression: `${...}` unwrapped, a literal quoted. */
const operand = (value: string) => (/^\$\{.*\}$/s.test(value) ? bare(value) : JSON.stringify(value));

export class DistributionAssociation extends Construct {
  /** Every association keyed by event type: { event_type, lambda_arn, include_body }. */
  readonly associations = "${local.lambda_function_associations}";
  readonly distribution?: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: DistributionAssociationProps) {
    super(scope, id);
    const local = (name: string, value: unknown) => new TerraformLocal(this, name, value).overrideLogicalId(name);

    local("connector_associations", {
      [props.requestEventType]: {
        event_type: props.requestEventType,
        lambda_arn: props.requestFunctionQualifiedArn,
        include_body: true,
      },
      [props.responseEventType]: {
        event_type: props.responseEventType,
        lambda_arn: props.responseFunctionQualifiedArn,
        include_body: false,
      },
    });
    local(
      "user_associations",
      `\${{ for event_type, association in ${bare(props.userAssociations)} : event_type => { event_type = event_type, lambda_arn = association.lambda_arn, include_body = association.include_body } }}`,
    );
    local("response_associated", props.responseAssociated ?? props.responseFunctionQualifiedArn !== null);
    // Keys from event types and plan-known flags only: a filter on an ARN would make the whole
    // map, the user's entries included, "known after apply" on a first deploy.
    local(
      "lambda_function_associations",
      `\${merge(local.user_associations, { for event_type, association in local.connector_associations : event_type => association if event_type == ${operand(props.requestEventType)} || local.response_associated })}`,
    );

    if (props.distribution) this.distribution = distribution(this, props.distribution);
  }
}

function distribution(scope: Construct, props: DistributionProps): CloudfrontDistribution {
  const cdn = new CloudfrontDistribution(scope, "distribution", {
    count: props.count,
    enabled: true,
    comment: props.comment,
    aliases: props.aliases,
    priceClass: props.priceClass,
    httpVersion: "http2and3",
    isIpv6Enabled: true,
    origin: [
      {
        originId: ORIGIN_ID,
        domainName: props.originDomainName,
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: props.originProtocolPolicy,
          originSslProtocols: ["TLSv1.2"],
        },
      },
    ],
    defaultCacheBehavior: {
      targetOriginId: ORIGIN_ID,
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: props.cachePolicyId,
      originRequestPolicyId: props.originRequestPolicyId,
      compress: true,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: {
      cloudfrontDefaultCertificate: `\${${bare(props.acmCertificateArn ?? "null")} == null}` as unknown as boolean,
      acmCertificateArn: props.acmCertificateArn ?? undefined,
      sslSupportMethod: `\${${bare(props.acmCertificateArn ?? "null")} == null ? null : "sni-only"}`,
      minimumProtocolVersion: `\${${bare(props.acmCertificateArn ?? "null")} == null ? "TLSv1" : "TLSv1.2_2021"}`,
    },
    tags: props.tags,
  });
  cdn.addOverride("default_cache_behavior.dynamic.lambda_function_association", {
    for_each: "${local.lambda_function_associations}",
    content: {
      event_type: "${lambda_function_association.value.event_type}",
      lambda_arn: "${lambda_function_association.value.lambda_arn}",
      include_body: "${lambda_function_association.value.include_body}",
    },
  });
  cdn.overrideLogicalId("this");
  return cdn;
}
