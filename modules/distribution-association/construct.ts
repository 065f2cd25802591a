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
  /** false (or a bool expression) leaves the association map empty; default true. */
  readonly create?: boolean | string;
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
  /** null (or an expression that may be null): none. */
  readonly responseHeadersPolicyId?: string | null;
  /** ARN of a WAFv2 web ACL; null (or an expression that may be null): none. */
  readonly webAclId?: string | null;
  /** Standard access logs; a null bucket (or an expression that may be null) turns them off. */
  readonly logging?: AccessLogging;
  readonly comment: string;
  readonly tags: Record<string, string>;
}

export interface AccessLogging {
  /** The bucket's domain name (bucket_domain_name). */
  readonly bucket: string | null;
  readonly prefix?: string | null;
  readonly includeCookies?: boolean | string;
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
    const create = props.create ?? true;
    const when = create === true ? "" : ` if ${bare(create)}`;
    local(
      "user_associations",
      `\${{ for event_type, association in ${bare(props.userAssociations)} : event_type => { event_type = event_type, lambda_arn = association.lambda_arn, include_body = association.include_body }${when} }}`,
    );
    local("response_associated", props.responseAssociated ?? props.responseFunctionQualifiedArn !== null);
    // From event types and plan-known flags only: a filter on an ARN would make the whole map,
    // the user's entries included, "known after apply" on a first deploy.
    const eventTypes = `compact([${operand(props.requestEventType)}, local.response_associated ? ${operand(props.responseEventType)} : ""])`;
    local("connector_event_types", create === true ? `\${${eventTypes}}` : `\${${bare(create)} ? ${eventTypes} : []}`);
    local(
      "lambda_function_associations",
      "${merge(local.user_associations, { for event_type, association in local.connector_associations : event_type => association if contains(local.connector_event_types, event_type) })}",
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
      responseHeadersPolicyId: props.responseHeadersPolicyId ?? undefined,
      compress: true,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: {
      cloudfrontDefaultCertificate: `\${${bare(props.acmCertificateArn ?? "null")} == null}` as unknown as boolean,
      acmCertificateArn: props.acmCertificateArn ?? undefined,
      sslSupportMethod: `\${${bare(props.acmCertificateArn ?? "null")} == null ? null : "sni-only"}`,
      minimumProtocolVersion: `\${${bare(props.acmCertificateArn ?? "null")} == null ? "TLSv1" : "TLSv1.2_2021"}`,
    },
    webAclId: props.webAclId ?? undefined,
    tags: props.tags,
  });
  const logging = props.logging;
  if (logging?.bucket != null) {
    // A bucket that may be null (a variable) needs a dynamic block; a literal one a plain block.
    const config = { bucket: logging.bucket, prefix: logging.prefix ?? undefined, include_cookies: logging.includeCookies ?? false };
    if (/^\$\{.*\}$/s.test(logging.bucket)) {
      cdn.addOverride("dynamic.logging_config", { for_each: `\${${bare(logging.bucket)} == null ? [] : [1]}`, content: config });
    } else {
      cdn.putLoggingConfig({ bucket: logging.bucket, prefix: config.prefix, includeCookies: config.include_cookies as boolean });
    }
  }
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
