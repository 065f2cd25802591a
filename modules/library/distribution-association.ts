// Lambda@Edge associations for a CloudFront cache behavior: the connector's request and
// response functions merged with the user's own, and optionally a distribution that uses them.
import { CloudfrontDistribution, Construct, TerraformLocal, Token } from "./cdktf";
import { type LayoutProps, named, operand } from "./construct-layout";

export interface DistributionAssociationProps extends LayoutProps {
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
  /** The user's own associations keyed by event type (a Terraform map expression or token); default none. */
  readonly userAssociations?: string;
  /** false (or a bool expression) leaves the association map empty; default true. */
  readonly create?: boolean | string;
  /** Creates a distribution when set. */
  readonly distribution?: DistributionProps;
}

export interface DistributionProps {
  /** Terraform count expression, e.g. `${var.create_distribution ? 1 : 0}`; absent: one distribution, no count. */
  readonly count?: number;
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

export class DistributionAssociation extends Construct {
  /** Every association keyed by event type: { event_type, lambda_arn, include_body } (a map token). */
  readonly associations: string;
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
