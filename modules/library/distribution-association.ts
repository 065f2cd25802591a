// Lambda@Edge associations for a CloudFront cache behavior: the connector's request and
// response functions merged with the user's own, and optionally a distribution that uses them.
import { CloudfrontDistribution, Construct, TerraformLocal, Token } from "./cdktf";
import { type LayoutProps, named, operand } from "./construct-layout";

/** The connector's functions, the user's own associations, and optionally a distribution. */
export interface DistributionAssociationProps extends LayoutProps {
  /** The request function's event: `viewer-request` or `origin-request`. */
  readonly requestEventType: string;
  /** The response function's event, of the same trigger: `viewer-response` or `origin-response`. */
  readonly responseEventType: string;
  /** The request function's qualified ARN (a published version: Lambda@Edge needs one). */
  readonly requestFunctionQualifiedArn: string;
  /** null leaves the response event free (with responseAssociated false). */
  readonly responseFunctionQualifiedArn: string | null;
  /**
   * Whether the response function is associated, known at plan (a bool expression): the
   * association map's keys come from it and the event types, never from the ARNs, which are
   * unknown at plan on a first deploy. Default: whether responseFunctionQualifiedArn is given
   * (not the literal null), decided at synth.
   */
  readonly responseAssociated?: boolean | string;
  /** The user's own associations keyed by event type (a Terraform map expression or token); default none. */
  readonly userAssociations?: string;
  /** false (or a bool expression) leaves the association map empty; default true. */
  readonly create?: boolean | string;
  /** Creates a distribution when set. */
  readonly distribution?: DistributionProps;
}

/** A distribution in front of one origin whose default cache behavior carries the associations. */
export interface DistributionProps {
  /** Terraform count expression, e.g. `${var.create_distribution ? 1 : 0}`; absent: one distribution, no count. */
  readonly count?: number;
  /** The origin's domain name, such as `api.example.com`. */
  readonly originDomainName: string;
  /** `https-only`, `http-only` or `match-viewer`. */
  readonly originProtocolPolicy: string;
  /** Alternate domain names (CNAMEs); they need `acmCertificateArn`. */
  readonly aliases: string[];
  /** ARN of a us-east-1 ACM certificate for the aliases; null: CloudFront's default certificate. */
  readonly acmCertificateArn: string | null;
  /** `PriceClass_100`, `PriceClass_200` or `PriceClass_All`. */
  readonly priceClass: string;
  /** The default cache behavior's cache policy ID. */
  readonly cachePolicyId: string;
  /** The default cache behavior's origin request policy ID. */
  readonly originRequestPolicyId: string;
  /** null (or an expression that may be null): none. */
  readonly responseHeadersPolicyId?: string | null;
  /** ARN of a WAFv2 web ACL; null (or an expression that may be null): none. */
  readonly webAclId?: string | null;
  /** Standard access logs; a null bucket (or an expression that may be null) turns them off. */
  readonly logging?: AccessLogging;
  /** The distribution's comment. */
  readonly comment: string;
  /** Tags of the distribution. */
  readonly tags: Record<string, string>;
}

/** CloudFront standard access logs to an S3 bucket. */
export interface AccessLogging {
  /** The bucket's domain name (bucket_domain_name). */
  readonly bucket: string | null;
  /** Key prefix of the log files; default none. */
  readonly prefix?: string | null;
  /** Whether cookies are logged; default false. */
  readonly includeCookies?: boolean | string;
}

const ORIGIN_ID = "origin";

/**
 * The Lambda@Edge associations of a cache behavior: the connector's request and response
 * functions merged with the user's own (one function per event type, checked), and optionally a
 * distribution that uses them.
 */
export class DistributionAssociation extends Construct {
  /** Every association keyed by event type: { event_type, lambda_arn, include_body } (a map token). */
  readonly associations: string;
  /** The distribution, when `distribution` was given. */
  readonly distribution?: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: DistributionAssociationProps) {
    super(scope, id);
    const local = (name: string, value: unknown) => named(new TerraformLocal(this, name, value), name, props);

    const connector = local("connector_associations", {
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
    const when = create === true ? "" : ` if ${operand(create)}`;
    const user = local(
      "user_associations",
      `\${{ for event_type, association in ${operand(props.userAssociations ?? "${{}}")} : event_type => { event_type = event_type, lambda_arn = association.lambda_arn, include_body = association.include_body }${when} }}`,
    );
    const responseAssociated = local("response_associated", props.responseAssociated ?? props.responseFunctionQualifiedArn !== null);
    // From event types and plan-known flags only: a filter on an ARN would make the whole map,
    // the user's entries included, "known after apply" on a first deploy.
    const eventTypes = `compact([${operand(props.requestEventType)}, ${responseAssociated.asString} ? ${operand(props.responseEventType)} : ""])`;
    const connectorEventTypes = local(
      "connector_event_types",
      create === true ? `\${${eventTypes}}` : `\${${operand(create)} ? ${eventTypes} : []}`,
    );
    const merged = local(
      "lambda_function_associations",
      `\${merge(${user.asString}, { for event_type, association in ${connector.asString} : event_type => association if contains(${connectorEventTypes.asString}, event_type) })}`,
    );
    this.associations = merged.asString;

    if (props.distribution) this.distribution = distribution(this, props.distribution, this.associations, props);
  }
}

function distribution(scope: Construct, props: DistributionProps, associations: string, layout: LayoutProps): CloudfrontDistribution {
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
      cloudfrontDefaultCertificate: `\${${operand(props.acmCertificateArn)} == null}` as unknown as boolean,
      acmCertificateArn: props.acmCertificateArn ?? undefined,
      sslSupportMethod: `\${${operand(props.acmCertificateArn)} == null ? null : "sni-only"}`,
      minimumProtocolVersion: `\${${operand(props.acmCertificateArn)} == null ? "TLSv1" : "TLSv1.2_2021"}`,
    },
    webAclId: props.webAclId ?? undefined,
    tags: props.tags,
  });
  const logging = props.logging;
  if (logging?.bucket != null) {
    // A bucket that may be null (a variable) needs a dynamic block; a literal one a plain block.
    const config = { bucket: logging.bucket, prefix: logging.prefix ?? undefined, include_cookies: logging.includeCookies ?? false };
    if (Token.isUnresolved(logging.bucket) || /^\$\{.*\}$/s.test(logging.bucket)) {
      cdn.addOverride("dynamic.logging_config", { for_each: `\${${operand(logging.bucket)} == null ? [] : [1]}`, content: config });
    } else {
      cdn.putLoggingConfig({ bucket: logging.bucket, prefix: config.prefix, includeCookies: config.include_cookies as boolean });
    }
  }
  cdn.addOverride("default_cache_behavior.dynamic.lambda_function_association", {
    for_each: associations,
    content: {
      event_type: "${lambda_function_association.value.event_type}",
      lambda_arn: "${lambda_function_association.value.lambda_arn}",
      include_body: "${lambda_function_association.value.include_body}",
    },
  });
  return named(cdn, "this", layout);
}
