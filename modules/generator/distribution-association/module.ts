// generated/modules/distribution-association: the connector's CloudFront associations, merged
// with the user's own and checked, plus an optional distribution for greenfield users.
import { Construct, TerraformLocal, Token } from "../../library/cdktf";
import { ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED } from "../../library/cloudfront-policies";
import { ModuleStack, type Validation, type VariableSpec } from "../module-stack";
import { AWS_PROVIDER_SHARED_FLOOR, REQUIRED_TERRAFORM } from "../versions";
import { DistributionAssociation } from "../../library/distribution-association";

/** A published version of a function in us-east-1: CloudFront rejects $LATEST and aliases. */
const QUALIFIED_ARN = "^arn:aws[a-z-]*:lambda:us-east-1:[0-9]{12}:function:[A-Za-z0-9_-]+:[0-9]+$";
const EVENT_TYPES = `["viewer-request", "viewer-response", "origin-request", "origin-response"]`;
/** A DNS host name (labels of letters, digits and inner hyphens): no scheme, port, path or query. */
const HOST_NAME = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";
/** The response function's event: response_event_type, or by default the pair of request_event_type. */
const RESPONSE_EVENT_TYPE = 'coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response")';
const TRIGGER_MESSAGE =
  'The functions were built for trigger = "${T}", so they must be associated on ${T}-request and ${T}-response, not ${var.request_event_type} and ${RESPONSE}: set request_event_type = "${T}-request" and response_event_type = "${T}-response" (or null), or build the functions with the other trigger.'
    .replaceAll("${T}", '${coalesce(var.trigger, "null")}')
    .replace("${RESPONSE}", `\${${RESPONSE_EVENT_TYPE}}`);
/** A WAFv2 web ACL of scope CLOUDFRONT: those live in us-east-1 under `global/`. */
const WEB_ACL_ARN = "^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[A-Za-z0-9_-]{1,128}/[a-f0-9-]{36}$";
/** An S3 bucket's domain name (bucket_domain_name), where CloudFront writes standard logs. */
const BUCKET_DOMAIN_NAME = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9][.]s3([.][a-z0-9-]+)?[.]amazonaws[.]com([.]cn)?$";
/** IDs of CloudFront cache, origin request and response headers policies. */
const POLICY_ID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
/** A policy ID variable: a UUID, or null when `nullable`. */
function policyIdValidation(name: string, kind: string, nullable: boolean): Validation {
  const check = `can(regex("${POLICY_ID}", var.${name}))`;
  return {
    condition: nullable ? `var.${name} == null ? true : ${check}` : check,
    message: `${name} must be ${nullable ? "null or " : ""}the ID of a CloudFront ${kind} policy, a UUID such as ${CACHING_DISABLED}.`,
  };
}
/** AWS tag limits, as CloudFront and IAM enforce them. */
export const TAGS_VALIDATION: Validation = {
  condition: "alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256])",
  message: "tags must have keys of 1 to 128 characters and values of at most 256 characters (AWS tag limits).",
};
/** An ACM certificate in us-east-1, the only region CloudFront takes certificates from. */
const CERTIFICATE_ARN = "^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]+$";
/**
 * Whether the connector's response function is associated: a variable, known at plan, never
 * whether the ARN is null, which is unknown at plan on a first deploy.
 */
export const RESPONSE_ASSOCIATED = "var.associate_response_function";

/** An expression as message text: a string template's content as is, anything else interpolated. */
const interpolated = (expression: string) => (/^"[^"]*"$/.test(expression) ? expression.slice(1, -1) : `\${${expression}}`);

/** A user association on an event type the connector occupies (`occupied`: a bool expression; absent: always). */
const conflict = (eventType: string, role: "request" | "response", occupied?: string): Validation => ({
  // A conditional, not `&&` (Terraform does not short-circuit): an unknown `occupied` must
  // not hide the check when the user has no function on that event type.
  condition: occupied
    ? `contains(keys(var.associations), ${eventType}) ? !${occupied} : true`
    : `!contains(keys(var.associations), ${eventType})`,
  message: `associations already has a function on ${interpolated(eventType)}, which the Wallarm connector uses (its ${role} function): CloudFront allows one function per event type in a cache behavior. Move your function to a free event type or combine the two.`,
});

/**
 * The user's own associations, checked against the event types the connector occupies: its
 * request function's and, when `responseAssociated` (a bool expression) holds, its response
 * function's; expressions over the variables of the module that declares them. Two checks,
 * not one: the request's is known at plan whatever the response's is.
 */
export function associationsVariable(requestEventType: string, responseEventType: string, responseAssociated: string): VariableSpec {
  return {
    section: "Associations",
    type: "map(object({ event_type = optional(string), lambda_arn = string, include_body = optional(bool, false) }))",
    description:
      "Your own Lambda@Edge associations on the same cache behavior, keyed by event type (the terraform-aws-modules/cloudfront shape). They are merged with the connector's.",
    default: {},
    validations: [
      {
        condition: `alltrue([for event_type, association in var.associations : contains(${EVENT_TYPES}, event_type) && (association.event_type == null || association.event_type == event_type)])`,
        message: `associations must be keyed by event type (viewer-request, viewer-response, origin-request, origin-response), and an association's event_type, when set, must equal its key; not so for \${join(", ", [for event_type, association in var.associations : association.event_type == null || association.event_type == event_type ? event_type : "\${event_type} (event_type = \${association.event_type})" if !contains(${EVENT_TYPES}, event_type) || (association.event_type != null && association.event_type != event_type)])}.`,
      },
      {
        condition: `alltrue([for association in values(var.associations) : can(regex("${QUALIFIED_ARN}", association.lambda_arn))])`,
        message:
          "Every lambda_arn in associations must be the ARN of a published version in us-east-1; CloudFront rejects $LATEST and aliases.",
      },
      conflict(requestEventType, "request"),
      conflict(responseEventType, "response", responseAssociated),
    ],
  };
}

export const DISTRIBUTION_ASSOCIATION_VARIABLES = {
  create: {
    section: "General",
    type: "bool",
    description: "false creates nothing and returns an empty association map (for a connector switched off with count-free code).",
    default: true,
    nullable: false,
  },
  request_function_qualified_arn: {
    section: "Functions",
    type: "string",
    description: "Qualified ARN (published version) of the connector's request function (may be null when create is false).",
    validations: [
      {
        condition: `var.create ? can(regex("${QUALIFIED_ARN}", var.request_function_qualified_arn)) : true`,
        message:
          "request_function_qualified_arn must be the ARN of a published version in us-east-1 (arn:aws:lambda:us-east-1:<account>:function:<name>:<number>); CloudFront rejects $LATEST and aliases.",
      },
    ],
  },
  response_function_qualified_arn: {
    section: "Functions",
    type: "string",
    description: "Qualified ARN of the connector's response function, or null when it is not deployed.",
    default: null,
    validations: [
      {
        condition: `var.response_function_qualified_arn == null ? true : can(regex("${QUALIFIED_ARN}", var.response_function_qualified_arn))`,
        message:
          "response_function_qualified_arn must be null or the ARN of a published version in us-east-1 (arn:aws:lambda:us-east-1:<account>:function:<name>:<number>).",
      },
      {
        // On the ARN, the variable a user sets (a check on the defaulted associate_response_function
        // is reported at "line 0"). When the ARN is unknown at plan, Terraform checks it at apply.
        condition: "var.create && var.associate_response_function ? var.response_function_qualified_arn != null : true",
        message: `response_function_qualified_arn is null while associate_response_function is true (the default), which associates the response function on \${${RESPONSE_EVENT_TYPE}}: pass the response function's ARN, or set associate_response_function = false when there is none (as the lambda-edge module's create_response_function = false).`,
      },
    ],
  },
  associate_response_function: {
    section: "Functions",
    type: "bool",
    description: "Associate the response function (the lambda-edge module's create_response_function); false leaves its event free.",
    default: true,
    nullable: false,
  },
  request_event_type: {
    section: "Functions",
    type: "string",
    description: 'Event of the request function: "origin-request" or "viewer-request" (the lambda-edge module\'s trigger).',
    default: "origin-request",
    validations: [
      {
        condition: `contains(["viewer-request", "origin-request"], var.request_event_type)`,
        message: 'request_event_type must be "viewer-request" or "origin-request".',
      },
    ],
  },
  response_event_type: {
    section: "Functions",
    type: "string",
    description:
      'Event of the response function: "origin-response" or "viewer-response", paired with request_event_type; null means the pair of request_event_type.',
    default: null,
    validations: [
      {
        condition: `var.response_event_type == null ? true : contains(["viewer-response", "origin-response"], var.response_event_type)`,
        message: 'response_event_type must be null, "viewer-response" or "origin-response".',
      },
      {
        // Only when set: a check on the defaulted variable would be reported at "line 0".
        condition: `var.response_event_type == null ? true : trimsuffix(var.response_event_type, "-response") == trimsuffix(var.request_event_type, "-request")`,
        message:
          'response_event_type ${coalesce(var.response_event_type, "null")} does not pair with request_event_type ${var.request_event_type}: use viewer-request with viewer-response, or origin-request with origin-response, so both functions see the same requests (or leave response_event_type = null to get the pair).',
      },
    ],
  },
  trigger: {
    section: "Functions",
    type: "string",
    description: 'The functions\' trigger, "viewer" or "origin": the event types must be its events; null skips the check.',
    default: null,
    validations: [
      {
        condition: `var.trigger == null ? true : contains(["viewer", "origin"], var.trigger)`,
        message: 'trigger must be null, "viewer" or "origin".',
      },
      {
        condition: `var.trigger == null ? true : trimsuffix(var.request_event_type, "-request") == var.trigger && trimsuffix(${RESPONSE_EVENT_TYPE}, "-response") == var.trigger`,
        message: TRIGGER_MESSAGE,
      },
    ],
  },
  associations: associationsVariable("var.request_event_type", RESPONSE_EVENT_TYPE, RESPONSE_ASSOCIATED),
  create_distribution: {
    section: "Distribution",
    type: "bool",
    description: "Create a CloudFront distribution with one custom origin whose default cache behavior carries the associations.",
    default: false,
  },
  origin_domain_name: {
    section: "Distribution",
    type: "string",
    description: "Domain name of the origin (your API), required when create_distribution is true.",
    default: null,
    validations: [
      {
        condition: `!var.create_distribution || var.origin_domain_name != null`,
        message: "origin_domain_name is required when create_distribution = true, for example api.example.com.",
      },
      {
        condition: `var.origin_domain_name == null ? true : length(var.origin_domain_name) <= 253 && can(regex("${HOST_NAME}", var.origin_domain_name))`,
        message:
          'origin_domain_name must be a host name such as api.example.com, without scheme, port or path; got "${coalesce(var.origin_domain_name, "null")}". Set the protocol with origin_protocol_policy.',
      },
    ],
  },
  origin_protocol_policy: {
    section: "Distribution",
    type: "string",
    description: "How CloudFront connects to the origin: https-only, http-only or match-viewer.",
    default: "https-only",
    validations: [
      {
        condition: `contains(["https-only", "http-only", "match-viewer"], var.origin_protocol_policy)`,
        message: 'origin_protocol_policy must be "https-only", "http-only" or "match-viewer".',
      },
    ],
  },
  aliases: {
    section: "Distribution",
    type: "list(string)",
    description: "Alternate domain names of the distribution; they need acm_certificate_arn.",
    default: [],
    validations: [
      {
        // On aliases, the variable the user set, so Terraform points at it (a check on the
        // defaulted acm_certificate_arn is reported at "line 0").
        condition: `length(var.aliases) == 0 || var.acm_certificate_arn != null`,
        message:
          'aliases (${join(", ", var.aliases)}) need acm_certificate_arn: set acm_certificate_arn to an ACM certificate in us-east-1 that covers them, or leave aliases = [] to serve only the *.cloudfront.net name.',
      },
    ],
  },
  acm_certificate_arn: {
    section: "Distribution",
    type: "string",
    description: "ARN of an ACM certificate in us-east-1 for the aliases; null uses the *.cloudfront.net certificate.",
    default: null,
    validations: [
      {
        condition: `var.acm_certificate_arn == null ? true : can(regex("${CERTIFICATE_ARN}", var.acm_certificate_arn))`,
        message:
          "acm_certificate_arn must be null or the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>); CloudFront takes certificates only from us-east-1.",
      },
    ],
  },
  price_class: {
    section: "Distribution",
    type: "string",
    description: "Price class of the distribution.",
    default: "PriceClass_100",
    validations: [
      {
        condition: `contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)`,
        message: 'price_class must be "PriceClass_All", "PriceClass_200" or "PriceClass_100".',
      },
    ],
  },
  cache_policy_id: {
    section: "Distribution",
    type: "string",
    description: "Cache policy of the default cache behavior; the default is the managed CachingDisabled policy, right for APIs.",
    default: CACHING_DISABLED,
    validations: [policyIdValidation("cache_policy_id", "cache", false)],
  },
  origin_request_policy_id: {
    section: "Distribution",
    type: "string",
    description: "Origin request policy; the default is the managed AllViewerExceptHostHeader policy.",
    default: ALL_VIEWER_EXCEPT_HOST_HEADER,
    validations: [policyIdValidation("origin_request_policy_id", "origin request", false)],
  },
  response_headers_policy_id: {
    section: "Distribution",
    type: "string",
    description: "Response headers policy of the default cache behavior (for example the managed SecurityHeadersPolicy), or null for none.",
    default: null,
    validations: [policyIdValidation("response_headers_policy_id", "response headers", true)],
  },
  web_acl_id: {
    section: "Distribution",
    type: "string",
    description: "ARN of a WAFv2 web ACL (scope CLOUDFRONT) to protect the distribution with, or null for none.",
    default: null,
    validations: [
      {
        condition: `var.web_acl_id == null ? true : can(regex("${WEB_ACL_ARN}", var.web_acl_id))`,
        message:
          "web_acl_id must be null or the ARN of a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>); regional web ACLs and WAF Classic IDs do not apply to CloudFront.",
      },
    ],
  },
  comment: {
    section: "Distribution",
    type: "string",
    description: "Comment of the distribution.",
    default: "Wallarm connector",
    validations: [{ condition: "length(var.comment) <= 128", message: "comment must be at most 128 characters (CloudFront's limit)." }],
  },
  logging_bucket: {
    section: "Logging",
    type: "string",
    description: "bucket_domain_name of the S3 bucket (ACLs enabled) for CloudFront access logs; null: no access logs.",
    default: null,
    validations: [
      {
        condition: `var.logging_bucket == null ? true : can(regex("${BUCKET_DOMAIN_NAME}", var.logging_bucket))`,
        message:
          'logging_bucket must be null or an S3 bucket\'s domain name such as my-logs.s3.amazonaws.com, not a bucket name or ARN; got "${coalesce(var.logging_bucket, "null")}".',
      },
    ],
  },
  logging_prefix: {
    section: "Logging",
    type: "string",
    description: "Prefix of the access log object names, such as cloudfront/; null for none.",
    default: null,
    validations: [
      {
        condition: "var.logging_prefix == null ? true : var.logging_bucket != null",
        message: "logging_prefix needs logging_bucket: set logging_bucket to the log bucket's domain name, or leave logging_prefix = null.",
      },
    ],
  },
  logging_include_cookies: {
    section: "Logging",
    type: "bool",
    description: "Include cookies in the access logs.",
    default: false,
    nullable: false,
    validations: [
      {
        condition: "var.logging_include_cookies ? var.logging_bucket != null : true",
        message:
          "logging_include_cookies = true needs logging_bucket: set logging_bucket to the log bucket's domain name, or leave logging_include_cookies = false.",
      },
    ],
  },
  tags: {
    section: "Tags",
    type: "map(string)",
    description: "Tags for the distribution.",
    default: {},
    nullable: false,
    validations: [TAGS_VALIDATION],
  },
} satisfies Record<string, VariableSpec>;

export class DistributionAssociationModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      path: "modules/distribution-association",
      title: "CloudFront associations for the Wallarm connector",
      requiredVersion: REQUIRED_TERRAFORM,
      providers: { aws: AWS_PROVIDER_SHARED_FLOOR },
    });

    const v = this.variables(DISTRIBUTION_ASSOCIATION_VARIABLES);

    const responseEventType = new TerraformLocal(this, "response_event_type", `\${${RESPONSE_EVENT_TYPE}}`);
    responseEventType.overrideLogicalId("response_event_type");

    const association = new DistributionAssociation(this, "distribution_association", {
      moduleLayout: true,
      requestEventType: v.request_event_type,
      responseEventType: "${local.response_event_type}",
      requestFunctionQualifiedArn: v.request_function_qualified_arn,
      responseFunctionQualifiedArn: v.response_function_qualified_arn,
      responseAssociated: `\${${RESPONSE_ASSOCIATED}}`,
      userAssociations: v.associations,
      create: v.create,
      distribution: {
        count: Token.asNumber("${var.create && var.create_distribution ? 1 : 0}"),
        originDomainName: v.origin_domain_name,
        originProtocolPolicy: v.origin_protocol_policy,
        aliases: Token.asList(v.aliases),
        acmCertificateArn: v.acm_certificate_arn,
        priceClass: v.price_class,
        cachePolicyId: v.cache_policy_id,
        originRequestPolicyId: v.origin_request_policy_id,
        responseHeadersPolicyId: v.response_headers_policy_id,
        webAclId: v.web_acl_id,
        logging: { bucket: v.logging_bucket, prefix: v.logging_prefix, includeCookies: v.logging_include_cookies },
        comment: v.comment,
        tags: v.tags as unknown as Record<string, string>,
      },
    });

    const cdn = (attribute: string) => `\${one(aws_cloudfront_distribution.this[*].${attribute})}`;
    this.comment(
      "local.response_associated",
      "Decided by a variable, never by whether the ARN is null: on a first deploy the ARN is unknown at plan, and the map's keys must not be.",
    );
    this.outputs({
      lambda_function_associations: {
        description:
          'Every association keyed by event type, { event_type, lambda_arn, include_body }: for_each of a dynamic "lambda_function_association" block, or lambda_function_association of terraform-aws-modules/cloudfront.',
        value: association.associations,
      },
      distribution_id: { description: "ID of the created distribution, or null.", value: cdn("id") },
      distribution_arn: { description: "ARN of the created distribution, or null.", value: cdn("arn") },
      distribution_domain_name: {
        description: "Domain name (*.cloudfront.net) of the created distribution, or null.",
        value: cdn("domain_name"),
      },
      distribution_hosted_zone_id: {
        description: "Route 53 hosted zone ID of the created distribution (for alias records), or null.",
        value: cdn("hosted_zone_id"),
      },
    });
  }
}
