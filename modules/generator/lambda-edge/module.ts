// generated/modules/lambda-edge: the connector's two Lambda@Edge functions as a module.
import { CONFIG_KEYS, CONFIG_LIMITS, settingRequirement } from "../../../handlers/config";
import { SETTINGS, type SettingKind, type SettingName, type SettingSpec } from "../../../handlers/settings";
import { Construct } from "../../library/cdktf";
import { ModuleStack, type Validation, type VariableSpec } from "../module-stack";
import { AWS_PROVIDER, ARCHIVE_PROVIDER, REQUIRED_TERRAFORM } from "../versions";
import { LambdaEdge, type LambdaEdgeProps } from "../../library/lambda-edge";
import { base64Length, LIMIT_FACTS, MIN_MEMORY_MB, NODE_TIMEOUT_HEADROOM_MS, RUNTIMES, TRIGGER_LIMITS } from "../../library/trigger-limits";
import {
  LOG_RETENTION_DAYS,
  MIN_NODE_TIMEOUT_MS,
  NAME_PREFIX_PATTERN,
  nodeUrlPattern,
  type NodeUrlScheme,
  RULE_MESSAGES,
  TRIGGERS,
} from "../../library/function-rules";

const { viewer, origin } = TRIGGER_LIMITS;
const byTrigger = (pick: (limits: typeof viewer) => number) => `(var.trigger == "viewer" ? ${pick(viewer)} : ${pick(origin)})`;
const wholeNumber = (name: string) => `floor(var.${name}) == var.${name}`;
/** A whole-number variable within the handler's own limits, with a message saying them. */
const withinLimits = (name: keyof typeof CONFIG_LIMITS) => {
  const { min, max } = CONFIG_LIMITS[name];
  return [
    {
      condition: `${wholeNumber(name)} && var.${name} >= ${min} && var.${name} <= ${max}`,
      message: `${name} must be a whole number from ${min} to ${max}.`,
    },
  ];
};
/** Whether `url` (an expression) is a node URL of `scheme`. */
const isNodeUrl = (scheme: NodeUrlScheme, url: string) => `can(regex(${JSON.stringify(nodeUrlPattern(scheme))}, ${url}))`;
/** The node URL rule of every node URL: https, or http with allow_http_node_url. */
const nodeUrl = (url: string) => `${isNodeUrl("https", url)} || (var.allow_http_node_url && ${isNodeUrl("http", url)})`;

/**
 * A rule each region's entry of node_urls_by_region must keep: `fits`, a call reading `region` and
 * `urls`. The message names the regions that break it, quoted: in a map, the only way to find them.
 */
function regionUrlsRule(fits: string, message: (regions: string) => string): Validation {
  const entries = "for region, urls in var.node_urls_by_region";
  return {
    condition: `alltrue([${entries} : ${fits}])`,
    message: message(`\${join(", ", [${entries} : jsonencode(region) if !${fits}])}`),
  };
}

const REGION_URLS = SETTINGS.node_urls_by_region;
const REGION_URLS_MESSAGES = RULE_MESSAGES.node_urls_by_region;

const TERRAFORM_TYPES: Record<SettingKind, string> = {
  url: "string",
  region_urls: "map(list(string))",
  choice: "string",
  integer: "number",
  boolean: "bool",
  text: "string",
  line: "string",
  list: "list(string)",
  pem: "string",
};

/** The plan-time check of a setting's kind, with a message saying what is allowed. */
function kindValidations(name: SettingName, spec: SettingSpec): Validation[] {
  const v = `var.${name}`;
  switch (spec.kind) {
    case "integer":
      return withinLimits(name as keyof typeof CONFIG_LIMITS);
    case "choice":
      return [
        {
          condition: `contains([${(spec.values ?? []).map((x) => JSON.stringify(x)).join(", ")}], ${v})`,
          message: `${name} ${settingRequirement(name)}.`,
        },
      ];
    case "line":
      if (spec.pattern)
        return [{ condition: `can(regex(${JSON.stringify(spec.pattern)}, ${v}))`, message: `${name} ${settingRequirement(name)}.` }];
      return [
        {
          condition: `can(regex("^[!-~][ -~]*$", ${v}))`,
          message: `${name} must be a single-line media type such as ${JSON.stringify(spec.default)}.`,
        },
      ];
    case "list":
      return [
        {
          condition: spec.values
            ? `alltrue([for item in ${v} : contains([${spec.values.map((x) => JSON.stringify(x)).join(", ")}], item)])`
            : `alltrue([for item in ${v} : can(regex(${JSON.stringify(spec.pattern)}, item))])`,
          message: `${name} ${settingRequirement(name)}.`,
        },
      ];
    case "pem":
      return [
        {
          condition: `${v} == null ? true : can(regex("-----BEGIN CERTIFICATE-----", ${v}))`,
          message: `${name} must hold at least one PEM certificate (-----BEGIN CERTIFICATE----- ...).`,
        },
      ];
    default:
      return [];
  }
}

/**
 * A handler setting as a module variable, from the settings table: type, description (a whole
 * number's range added where the kind's validation checks it), default, section and the kind's
 * validation; `rules` replaces the validation where Terraform knows more.
 */
function settingVariable(name: SettingName, rules?: Validation[]): VariableSpec {
  const spec: SettingSpec = SETTINGS[name];
  const validations = rules ?? kindValidations(name, spec);
  return {
    type: TERRAFORM_TYPES[spec.kind],
    description:
      spec.kind === "integer" && !rules ? `${spec.description} A whole number from ${spec.min} to ${spec.max}.` : spec.description,
    ...("default" in spec ? { default: structuredClone(spec.default ?? null) as VariableSpec["default"] } : {}),
    // null means the default map, not a value the validations would have to step around.
    ...(spec.kind === "region_urls" ? { nullable: false } : {}),
    ...(validations.length > 0 ? { validations } : {}),
    section: spec.section,
  };
}

/** The settings whose validation knows more than their kind: other variables, the trigger's limits. */
const SETTING_RULES: Partial<Record<SettingName, Validation[]>> = {
  wallarm_node_url: [{ condition: nodeUrl("var.wallarm_node_url"), message: RULE_MESSAGES.wallarm_node_url("allow_http_node_url = true") }],
  node_urls_by_region: [
    regionUrlsRule(`can(regex(${JSON.stringify(REGION_URLS.pattern)}, region))`, REGION_URLS_MESSAGES.regions),
    // try: a region given null has no length (&& does not short-circuit in Terraform).
    regionUrlsRule(`try(length(urls) >= 1 && length(urls) <= ${REGION_URLS.max}, false)`, REGION_URLS_MESSAGES.counts),
    // A null list is the count rule's to report.
    regionUrlsRule(`alltrue([for url in coalesce(urls, []) : ${nodeUrl("url")}])`, (regions) =>
      REGION_URLS_MESSAGES.urls("allow_http_node_url = true", regions),
    ),
  ],
  node_timeout_ms: [
    {
      condition: `${wholeNumber("node_timeout_ms")} && var.node_timeout_ms >= ${MIN_NODE_TIMEOUT_MS} && var.node_timeout_ms <= var.timeout * 1000 - ${NODE_TIMEOUT_HEADROOM_MS}`,
      message: RULE_MESSAGES.node_timeout_ms("${var.timeout}", `\${var.timeout * 1000 - ${NODE_TIMEOUT_HEADROOM_MS}}`),
    },
  ],
  block_page_body: [
    {
      condition: `var.block_page_body == null ? true : length(base64encode(var.block_page_body)) <= ${byTrigger((l) => base64Length(l.maxBlockPageBytes))}`,
      message: RULE_MESSAGES.block_page_body(
        "${var.trigger}",
        `\${var.trigger == "viewer" ? ${viewer.maxBlockPageBytes} : ${origin.maxBlockPageBytes}}`,
      ),
    },
  ],
  metrics_namespace: [
    ...kindValidations("metrics_namespace", SETTINGS.metrics_namespace),
    { condition: `!startswith(var.metrics_namespace, "AWS/")`, message: 'metrics_namespace must not start with "AWS/" (reserved by AWS).' },
  ],
};

type SettingVariables = Record<SettingName, VariableSpec>;
/** Every handler setting as a variable, in the table's order (config.json's too). */
const SETTING_VARIABLES = Object.fromEntries(
  CONFIG_KEYS.map((name) => [name, settingVariable(name, SETTING_RULES[name])]),
) as SettingVariables;

export const LAMBDA_EDGE_VARIABLES = {
  create: {
    section: "General",
    type: "bool",
    description: "Create the functions, their packages and log groups; false creates nothing and every output is null.",
    default: true,
  },
  ...SETTING_VARIABLES,
  allow_http_node_url: {
    section: "Node",
    type: "bool",
    description: "Accept http:// in wallarm_node_url and node_urls_by_region. For tests only: traffic to the node is unencrypted.",
    default: false,
  },
  trigger: {
    section: "Functions",
    type: "string",
    description: `Events the functions run on: "origin" (cache misses, ${LIMIT_FACTS["origin.body"]} bodies) or "viewer" (every request, ${LIMIT_FACTS["viewer.body"]} bodies).`,
    default: "origin",
    validations: [
      { condition: `contains([${TRIGGERS.map((t) => JSON.stringify(t)).join(", ")}], var.trigger)`, message: RULE_MESSAGES.trigger },
    ],
  },
  role_arn: {
    section: "Role",
    type: "string",
    description: "ARN of the execution role, trusted by Lambda and Lambda@Edge (the iam-trust module makes one).",
    validations: [
      {
        // With create = false nothing uses the role, and a caller may well pass null.
        condition: `var.create ? can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn)) : true`,
        message: "role_arn must be an IAM role ARN, such as arn:aws:iam::123456789012:role/wallarm-connector-edge.",
      },
    ],
  },
  name_prefix: {
    section: "Functions",
    type: "string",
    description: "Functions are named <name_prefix>-request and <name_prefix>-response.",
    default: "wallarm-connector",
    validations: [
      {
        condition: `can(regex(${JSON.stringify(NAME_PREFIX_PATTERN)}, var.name_prefix))`,
        message: RULE_MESSAGES.name_prefix,
      },
    ],
  },
  runtime: {
    section: "Functions",
    type: "string",
    description: "Node.js runtime of the functions.",
    default: RUNTIMES[0],
    validations: [
      {
        condition: `contains([${RUNTIMES.map((r) => JSON.stringify(r)).join(", ")}], var.runtime)`,
        message: RULE_MESSAGES.runtime,
      },
    ],
  },
  memory_size: {
    section: "Functions",
    type: "number",
    description: `Memory of each function in MB: ${viewer.maxMemoryMb} for the viewer trigger, ${MIN_MEMORY_MB} to ${origin.maxMemoryMb} for origin.`,
    default: MIN_MEMORY_MB,
    validations: [
      {
        condition: `${wholeNumber("memory_size")} && var.memory_size >= ${MIN_MEMORY_MB} && var.memory_size <= ${byTrigger((l) => l.maxMemoryMb)}`,
        message: RULE_MESSAGES.memory_size,
      },
    ],
  },
  timeout: {
    section: "Functions",
    type: "number",
    description: `Function timeout in seconds: 1 to ${viewer.maxTimeoutSeconds} for the viewer trigger, 1 to ${origin.maxTimeoutSeconds} for origin.`,
    default: viewer.maxTimeoutSeconds,
    validations: [
      {
        condition: `${wholeNumber("timeout")} && var.timeout >= 1 && var.timeout <= ${byTrigger((l) => l.maxTimeoutSeconds)}`,
        message: RULE_MESSAGES.timeout,
      },
    ],
  },
  create_response_function: {
    section: "Functions",
    type: "bool",
    description: "Create the response function, which reports each response's status and headers to the node.",
    default: true,
  },
  log_retention_in_days: {
    section: "Logs",
    type: "number",
    description: "Days the us-east-1 log groups keep logs (0: forever); replicas' groups in other regions keep them forever.",
    default: 30,
    validations: [
      {
        condition: `contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_in_days)`,
        message: RULE_MESSAGES.log_retention_in_days,
      },
    ],
  },
  create_log_groups: {
    section: "Logs",
    type: "bool",
    description: "Create the us-east-1 log groups; false uses existing ones, or lets Lambda create them without retention.",
    default: true,
  },
  log_group_kms_key_id: {
    section: "Logs",
    type: "string",
    description: "ARN of a KMS key for the created log groups, allowing logs.us-east-1.amazonaws.com; null: AWS-owned key.",
    default: null,
    validations: [
      {
        condition: `var.log_group_kms_key_id == null ? true : can(regex("^arn:aws[a-z-]*:kms:us-east-1:[0-9]{12}:key/[A-Za-z0-9-]+$", var.log_group_kms_key_id))`,
        message:
          "log_group_kms_key_id must be null or the ARN of a KMS key in us-east-1 (where the log groups are), such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab; aliases are not accepted.",
      },
    ],
  },
  log_group_skip_destroy: {
    section: "Logs",
    type: "bool",
    description: "Keep the created log groups on destroy; a later create needs create_log_groups = false or an import.",
    default: false,
  },
  skip_destroy: {
    section: "Functions",
    type: "bool",
    description: "Leave the functions in AWS on destroy, only removing them from state: replicas take hours to go.",
    default: false,
  },
  package_output_dir: {
    section: "Packaging",
    type: "string",
    description: "Directory for the function zips, relative to the root module; null: .terraform/wallarm-connector.",
    default: null,
  },
  tags: {
    section: "Tags",
    type: "map(string)",
    description: "Tags for the functions and log groups.",
    default: {},
  },
} satisfies Record<string, VariableSpec>;

export class LambdaEdgeModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      path: "modules/lambda-edge",
      title: "Wallarm connector Lambda@Edge functions",
      requiredVersion: REQUIRED_TERRAFORM,
      providers: { aws: AWS_PROVIDER, archive: ARCHIVE_PROVIDER },
      facts: { ...LIMIT_FACTS, config_keys: CONFIG_KEYS.map((key) => `\`${key}\``).join(", ") },
    });

    const v = this.variables(LAMBDA_EDGE_VARIABLES);

    const edge = new LambdaEdge(this, "lambda_edge", {
      moduleLayout: true,
      create: v.create,
      namePrefix: v.name_prefix,
      roleArn: v.role_arn,
      trigger: v.trigger,
      runtime: v.runtime,
      memorySize: v.memory_size,
      timeout: v.timeout,
      createResponseFunction: v.create_response_function,
      handlerConfig: Object.fromEntries(CONFIG_KEYS.map((key) => [key, v[key]])) as LambdaEdgeProps["handlerConfig"],
      bundleDir: "${path.module}/dist",
      packageOutputDir: '${coalesce(var.package_output_dir, "${path.root}/.terraform/wallarm-connector")}',
      createLogGroups: v.create_log_groups,
      logRetentionInDays: v.log_retention_in_days,
      logGroupKmsKeyId: v.log_group_kms_key_id,
      logGroupSkipDestroy: v.log_group_skip_destroy,
      skipDestroy: v.skip_destroy,
      tags: v.tags,
    });

    const request = (attribute: string) => edge.functionAttribute("request", attribute);
    const response = (attribute: string) => edge.functionAttribute("response", attribute);
    this.comment(
      "local.edge_functions_created",
      "The functions created, filtered on flags known at plan (variables, never ARNs): the for_each of everything below, so the association keys are known on a first deploy too.",
    );
    this.comment(
      "local.package_zips",
      "Read through a local, not from terraform_data directly: Terraform defers a data source while a resource it references has any change pending, which would rebuild both zips when one function changes.",
    );
    this.comment(
      "data.aws_lambda_functions.existing",
      "Functions already in AWS: one missing (first deploy, half-applied apply, deleted outside Terraform) gets its zip built at apply, so a saved plan applies in a fresh job.",
    );
    this.comment(
      "terraform_data.package",
      "Names the zip (function name and a hash of bundle and config). While the function is missing in AWS, function_exists is unknown until apply (timestamp() is), which defers the archive read to apply; once it exists the value is true and an unchanged function plans no change.",
    );
    this.comment(
      "aws_lambda_function.this",
      "Published versions (CloudFront runs only those). create_before_destroy: a renamed function exists before the old one goes, while CloudFront still runs the old one.",
    );
    this.outputs({
      lambda_function_associations: {
        description:
          "Associations keyed by event type, in the shape terraform-aws-modules/cloudfront and the distribution-association module take: { event_type, lambda_arn, include_body }. The request event has include_body = true. Empty when create is false.",
        value: edge.associations,
      },
      request_function_qualified_arn: {
        description: "ARN of the published request function version, for a CloudFront association; null when create is false.",
        value: request("qualified_arn"),
      },
      request_function_version: { description: "Published version of the request function, or null.", value: request("version") },
      request_function_name: { description: "Name of the request function, or null.", value: request("function_name") },
      request_function_arn: { description: "Unqualified ARN of the request function, or null.", value: request("arn") },
      response_function_qualified_arn: {
        description: "ARN of the published response function version; null when create or create_response_function is false.",
        value: response("qualified_arn"),
      },
      response_function_version: { description: "Published version of the response function, or null.", value: response("version") },
      response_function_name: { description: "Name of the response function, or null.", value: response("function_name") },
      response_function_arn: { description: "Unqualified ARN of the response function, or null.", value: response("arn") },
      request_log_group_name: {
        description:
          "The us-east-1 log group of the request function (/aws/lambda/us-east-1.<function>), whether created here or not (create_log_groups); null without the function. Replicas log to groups of this name in the regions where they run.",
        value: edge.logGroupName("request"),
      },
      response_log_group_name: {
        description: "The us-east-1 log group of the response function, whether created here or not; null without the function.",
        value: edge.logGroupName("response"),
      },
      config_json: {
        description: "The config.json packaged with both functions; null when create is false.",
        value: "${var.create ? local.config_json : null}",
      },
    });
  }
}
