// generated/ (the root module): the role, the functions and the associations composed, the
// way most users want them. Pass-through variables reuse the submodules' definitions, so a
// bad value is caught, with the same message, where the user wrote it.
import { Construct, TerraformHclModule } from "../../library/cdktf";
import { associationsVariable, DISTRIBUTION_ASSOCIATION_VARIABLES as DISTRIBUTION } from "../distribution-association/module";
import { IAM_TRUST_VARIABLES as IAM } from "../iam-trust/module";
import { CONFIG_KEYS } from "../../../handlers/config";
import type { SettingName } from "../../../handlers/settings";
import { LIMIT_FACTS } from "../../library/trigger-limits";
import { LAMBDA_EDGE_VARIABLES as EDGE } from "../lambda-edge/module";
import { ModuleStack, type VariableSpec } from "../module-stack";
import { ARCHIVE_PROVIDER, AWS_PROVIDER, REQUIRED_TERRAFORM } from "../versions";

/** A submodule's variable under another name: its validations must read the new name. */
function renamed(spec: VariableSpec, from: string, to: string): VariableSpec {
  const rename = (text: string) => text.split(`var.${from}`).join(`var.${to}`).split(`${from} must`).join(`${to} must`);
  return {
    ...spec,
    validations: spec.validations?.map((v) => ({ condition: rename(v.condition), message: rename(v.message) })),
  };
}

export const ROOT_VARIABLES = {
  create: {
    ...EDGE.create,
    description: "Create the role, functions, log groups and distribution; false creates nothing and outputs null.",
  },
  // Every handler setting, as the lambda-edge module declares it (from the settings table).
  ...(Object.fromEntries(CONFIG_KEYS.map((key) => [key, EDGE[key]])) as Pick<typeof EDGE, SettingName>),
  trigger: EDGE.trigger,
  allow_http_node_url: EDGE.allow_http_node_url,
  name_prefix: EDGE.name_prefix,
  runtime: EDGE.runtime,
  memory_size: EDGE.memory_size,
  timeout: EDGE.timeout,
  create_response_function: EDGE.create_response_function,
  log_retention_in_days: EDGE.log_retention_in_days,
  create_log_groups: EDGE.create_log_groups,
  log_group_kms_key_id: EDGE.log_group_kms_key_id,
  log_group_skip_destroy: EDGE.log_group_skip_destroy,
  skip_destroy: EDGE.skip_destroy,
  package_output_dir: EDGE.package_output_dir,
  create_role: {
    section: "Role",
    type: "bool",
    description: "Create the execution role (iam-trust module). false uses role_arn.",
    default: true,
  },
  role_arn: {
    section: "Role",
    type: "string",
    description: "ARN of an existing execution role, used when create_role is false.",
    default: null,
    validations: [
      {
        condition: `var.create && !var.create_role ? can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn)) : true`,
        message:
          "role_arn must be an IAM role ARN when create_role = false, such as arn:aws:iam::123456789012:role/wallarm-connector-edge.",
      },
      {
        condition: `!var.create_role || var.role_arn == null`,
        message:
          "role_arn is set while create_role = true, which creates a new role and would ignore it: set create_role = false to use role_arn, or remove role_arn to let the module create the role.",
      },
    ],
  },
  role_name: {
    ...renamed(IAM.name, "name", "role_name"),
    description: "Name of the created role; null: <name_prefix>-edge, one role per connector.",
  },
  role_path: renamed(IAM.path, "path", "role_path"),
  role_description: renamed(IAM.description, "description", "role_description"),
  role_max_session_duration: renamed(IAM.max_session_duration, "max_session_duration", "role_max_session_duration"),
  role_permissions_boundary: renamed(IAM.permissions_boundary, "permissions_boundary", "role_permissions_boundary"),
  role_policy_arns: renamed(IAM.policy_arns, "policy_arns", "role_policy_arns"),
  associations: associationsVariable('"${var.trigger}-request"', '"${var.trigger}-response"', "var.create_response_function"),
  create_distribution: DISTRIBUTION.create_distribution,
  origin_domain_name: DISTRIBUTION.origin_domain_name,
  origin_protocol_policy: DISTRIBUTION.origin_protocol_policy,
  aliases: DISTRIBUTION.aliases,
  acm_certificate_arn: DISTRIBUTION.acm_certificate_arn,
  price_class: DISTRIBUTION.price_class,
  cache_policy_id: DISTRIBUTION.cache_policy_id,
  origin_request_policy_id: DISTRIBUTION.origin_request_policy_id,
  response_headers_policy_id: DISTRIBUTION.response_headers_policy_id,
  web_acl_id: DISTRIBUTION.web_acl_id,
  comment: DISTRIBUTION.comment,
  logging_bucket: DISTRIBUTION.logging_bucket,
  logging_prefix: DISTRIBUTION.logging_prefix,
  logging_include_cookies: DISTRIBUTION.logging_include_cookies,
  tags: { ...DISTRIBUTION.tags, description: "Tags for every resource that takes them." },
} satisfies Record<string, VariableSpec>;

/** Root variables handed unchanged to a submodule of the same names. */
const passThrough = (names: string[]) => Object.fromEntries(names.map((name) => [name, `\${var.${name}}`]));

export class RootModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      path: "",
      title: "Wallarm connector for Amazon CloudFront",
      requiredVersion: REQUIRED_TERRAFORM,
      providers: { aws: AWS_PROVIDER, archive: ARCHIVE_PROVIDER },
      facts: LIMIT_FACTS,
    });
    this.variables(ROOT_VARIABLES);

    const module = (name: string, source: string, variables: Record<string, unknown>, count?: string) => {
      const m = new TerraformHclModule(this, name, { source, variables, skipAssetCreationFromLocalModules: true });
      if (count) m.addOverride("count", count);
      m.overrideLogicalId(name);
      return m;
    };

    module(
      "iam_trust",
      "./modules/iam-trust",
      {
        name_prefix: "${var.name_prefix}",
        name: "${var.role_name}",
        path: "${var.role_path}",
        description: "${var.role_description}",
        max_session_duration: "${var.role_max_session_duration}",
        permissions_boundary: "${var.role_permissions_boundary}",
        policy_arns: "${var.role_policy_arns}",
        tags: "${var.tags}",
      },
      "${var.create && var.create_role ? 1 : 0}",
    );

    module("lambda_edge", "./modules/lambda-edge", {
      role_arn: "${var.create_role ? one(module.iam_trust[*].role_arn) : var.role_arn}",
      ...passThrough(Object.keys(EDGE).filter((name) => name !== "role_arn" && name !== "tags")),
      tags: "${var.tags}",
    });

    module("distribution_association", "./modules/distribution-association", {
      request_function_qualified_arn: "${module.lambda_edge.request_function_qualified_arn}",
      response_function_qualified_arn: "${module.lambda_edge.response_function_qualified_arn}",
      associate_response_function: "${var.create_response_function}",
      create: "${var.create}",
      request_event_type: "${var.trigger}-request",
      response_event_type: "${var.trigger}-response",
      ...passThrough(
        Object.keys(DISTRIBUTION).filter(
          (name) => !/_function_qualified_arn$|^associate_response_function$|^create$|_event_type$|^tags$/.test(name),
        ),
      ),
      tags: "${var.tags}",
    });

    const output = (module: string, name: string) => `\${module.${module}.${name}}`;
    this.outputs({
      lambda_function_associations: {
        description:
          'Every association keyed by event type (the connector\'s and yours): for_each of a dynamic "lambda_function_association" block in your aws_cloudfront_distribution, or lambda_function_association of terraform-aws-modules/cloudfront.',
        value: output("distribution_association", "lambda_function_associations"),
      },
      request_function_qualified_arn: {
        description: "ARN of the published request function version.",
        value: output("lambda_edge", "request_function_qualified_arn"),
      },
      response_function_qualified_arn: {
        description: "ARN of the published response function version, or null.",
        value: output("lambda_edge", "response_function_qualified_arn"),
      },
      request_function_version: {
        description: "Published version of the request function.",
        value: output("lambda_edge", "request_function_version"),
      },
      response_function_version: {
        description: "Published version of the response function, or null.",
        value: output("lambda_edge", "response_function_version"),
      },
      role_arn: {
        description: "ARN of the execution role (created or given).",
        value: "${var.create_role ? one(module.iam_trust[*].role_arn) : var.role_arn}",
      },
      role_name: {
        description: "Name of the execution role (created, or the last part of role_arn).",
        value: '${var.create_role ? one(module.iam_trust[*].role_name) : try(reverse(split("/", var.role_arn))[0], null)}',
      },
      request_function_name: {
        description: "Name of the request function.",
        value: output("lambda_edge", "request_function_name"),
      },
      response_function_name: {
        description: "Name of the response function, or null.",
        value: output("lambda_edge", "response_function_name"),
      },
      request_log_group_name: {
        description:
          "The us-east-1 log group of the request function (/aws/lambda/us-east-1.<function>); replicas log to groups of this name where they run. null when create is false.",
        value: output("lambda_edge", "request_log_group_name"),
      },
      response_log_group_name: {
        description: "The us-east-1 log group of the response function, or null.",
        value: output("lambda_edge", "response_log_group_name"),
      },
      trust_policy_json: {
        description: "Trust policy for lambda.amazonaws.com and edgelambda.amazonaws.com, or null when create_role is false.",
        value: "${one(module.iam_trust[*].trust_policy_json)}",
      },
      distribution_id: {
        description: "ID of the created distribution, or null.",
        value: output("distribution_association", "distribution_id"),
      },
      distribution_domain_name: {
        description: "Domain name of the created distribution, or null.",
        value: output("distribution_association", "distribution_domain_name"),
      },
      distribution_arn: {
        description: "ARN of the created distribution, or null.",
        value: output("distribution_association", "distribution_arn"),
      },
      distribution_hosted_zone_id: {
        description: "Route 53 hosted zone ID of the created distribution (for alias records), or null.",
        value: output("distribution_association", "distribution_hosted_zone_id"),
      },
    });
  }
}
