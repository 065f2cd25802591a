// generated/modules/iam-trust: the execution role of the connector's functions as a module.
import { Construct, TerraformLocal, TerraformOutput } from "../../library/cdktf";
import { ModuleStack, type VariableSpec } from "../module-stack";
import { AWS_PROVIDER_SHARED_FLOOR, REQUIRED_TERRAFORM } from "../versions";
import { NAME_PREFIX_PATTERN, RULE_MESSAGES } from "../../library/function-rules";
import { IamTrust, ROLE_DESCRIPTION } from "../../library/iam-trust";

/** An IAM managed policy: AWS's (account `aws`) or a customer's. */
const POLICY_ARN = "^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/";
/** What IAM allows in a role description, as an RE2 class in an HCL string. */
const DESCRIPTION_CHARACTERS = String.raw`^[\t\n\r -~\\x{A1}-\\x{FF}]*$`;

export const IAM_TRUST_VARIABLES = {
  name_prefix: {
    section: "Role",
    type: "string",
    description: "The lambda-edge module's name_prefix: the role is <name_prefix>-edge unless name says otherwise.",
    default: "wallarm-connector",
    validations: [
      {
        condition: `can(regex("${NAME_PREFIX_PATTERN}", var.name_prefix))`,
        message: RULE_MESSAGES.name_prefix,
      },
    ],
  },
  name: {
    section: "Role",
    type: "string",
    description: "Name of the role; null means <name_prefix>-edge.",
    default: null,
    validations: [
      {
        condition: `var.name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))`,
        message: "name must be null or 1 to 64 characters from letters, digits and +=,.@_- (IAM role names).",
      },
    ],
  },
  path: {
    section: "Role",
    type: "string",
    description: "Path of the role.",
    default: "/",
    validations: [
      {
        condition: `can(regex("^/([!-.0-~]+/)*$", var.path))`,
        message: 'path must start and end with "/", such as "/" or "/edge/".',
      },
    ],
  },
  description: {
    section: "Role",
    type: "string",
    description: "Description of the role.",
    default: ROLE_DESCRIPTION,
    validations: [
      {
        condition: `length(var.description) <= 1000 && can(regex("${DESCRIPTION_CHARACTERS}", var.description))`,
        message:
          "description must be at most 1000 characters of printable ASCII, Latin-1 letters and symbols, tabs and line breaks (IAM role descriptions).",
      },
    ],
  },
  max_session_duration: {
    section: "Role",
    type: "number",
    description: "Maximum session duration of the role, in seconds.",
    default: 3600,
    validations: [
      {
        condition:
          "var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration",
        message: "max_session_duration must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours).",
      },
    ],
  },
  permissions_boundary: {
    section: "Role",
    type: "string",
    description: "ARN of the policy used as the role's permissions boundary, or null for none.",
    default: null,
    validations: [
      {
        condition: `var.permissions_boundary == null ? true : can(regex("${POLICY_ARN}", var.permissions_boundary))`,
        message: "permissions_boundary must be an IAM policy ARN, such as arn:aws:iam::123456789012:policy/boundary.",
      },
    ],
  },
  policy_arns: {
    section: "Role",
    type: "list(string)",
    description: "Managed policy ARNs attached besides the log policy (X-Ray, KMS, ...); ARNs unknown at plan are fine.",
    default: [],
    nullable: false,
    validations: [
      {
        condition: `alltrue([for arn in var.policy_arns : can(regex("${POLICY_ARN}", arn))])`,
        message:
          "policy_arns must list IAM policy ARNs, such as arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess or arn:aws:iam::123456789012:policy/mine.",
      },
    ],
  },
  function_names: {
    section: "Functions",
    type: "list(string)",
    description: "Functions whose logs the role may write; null: <name_prefix>-request and <name_prefix>-response.",
    default: null,
    validations: [
      {
        condition: `var.function_names == null ? true : length(var.function_names) > 0 && alltrue([for name in var.function_names : can(regex("^[A-Za-z0-9_-]{1,64}$", name))])`,
        message:
          "function_names must be null or list at least one Lambda function name of 1 to 64 letters, digits, hyphens or underscores.",
      },
    ],
  },
  tags: {
    section: "Tags",
    type: "map(string)",
    description: "Tags for the role.",
    default: {},
    nullable: false,
    validations: [
      {
        condition: "alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256])",
        message: "tags must have keys of 1 to 128 characters and values of at most 256 characters (IAM tag limits).",
      },
    ],
  },
} satisfies Record<string, VariableSpec>;

export class IamTrustModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      path: "modules/iam-trust",
      title: "IAM role for the Wallarm connector Lambda@Edge functions",
      requiredVersion: REQUIRED_TERRAFORM,
      providers: { aws: AWS_PROVIDER_SHARED_FLOOR },
    });

    const v = this.variables(IAM_TRUST_VARIABLES);

    const functionNames = new TerraformLocal(
      this,
      "function_names",
      '${var.function_names != null ? var.function_names : ["${var.name_prefix}-request", "${var.name_prefix}-response"]}',
    );
    functionNames.overrideLogicalId("function_names");

    const trust = new IamTrust(this, "iam_trust", {
      moduleLayout: true,
      name: '${coalesce(var.name, "${var.name_prefix}-edge")}',
      path: v.path,
      description: v.description,
      maxSessionDuration: v.max_session_duration,
      permissionsBoundary: v.permissions_boundary,
      policyArns: v.policy_arns,
      functionNames: "${local.function_names}",
      tags: v.tags,
    });

    this.comment(
      "aws_iam_role_policy.logs",
      "Follows the role's create_before_destroy: on a rename the old role keeps its log rights until the old functions are gone (role_arn depends on this policy).",
    );
    this.outputs({
      role_arn: { description: "ARN of the role, for the lambda-edge module's role_arn.", value: trust.role.arn },
      role_name: { description: "Name of the role.", value: trust.role.name },
      role_unique_id: { description: "Stable unique ID of the role (AROA...), for resource policies.", value: trust.role.uniqueId },
      trust_policy_json: {
        description:
          "The trust policy (lambda.amazonaws.com and edgelambda.amazonaws.com). Paste it into an existing role made by the console or SAR to let Lambda@Edge replicate its functions.",
        value: trust.trustPolicy.json,
      },
      log_policy_json: { description: "The role's inline log policy.", value: trust.logPolicy.json },
    });
    // Functions given role_arn depend on the log policy too: on a rename Terraform then deletes
    // the old policy only after the old functions, never while CloudFront still runs them.
    const policy = trust.logRolePolicy;
    (this.node.findChild("output_role_arn") as TerraformOutput).addOverride("depends_on", [
      `${policy.terraformResourceType}.${policy.friendlyUniqueId}`,
    ]);
  }
}
