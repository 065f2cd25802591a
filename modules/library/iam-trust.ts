// The execution role of the connector's Lambda@Edge functions: trusted by Lambda and by
// Lambda@Edge (replication), allowed to write only its own functions' logs, in every region.
import { Construct, DataAwsIamPolicyDocument, DataAwsPartition, IamRole, IamRolePolicy, IamRolePolicyAttachment, Token } from "./cdktf";
import { type LayoutProps, named, operand } from "./construct-layout";

/** What the execution role is called, where it lives and whose logs it may write. */
export interface IamTrustProps extends LayoutProps {
  /** The role's name, unique in the account (the connector uses `<namePrefix>-edge`). */
  readonly name: string;
  /** The role's IAM path, `/` or `/<segments>/`. */
  readonly path: string;
  /** Default: ROLE_DESCRIPTION. */
  readonly description?: string;
  /** Seconds, 3600 to 43200 (a number or an expression); default 3600. */
  readonly maxSessionDuration?: number | string;
  /** ARN of a permissions boundary, or null / an expression for one. */
  readonly permissionsBoundary?: string;
  /** Managed policies attached besides the log policy: ARNs, or a Terraform list expression. */
  readonly policyArns?: string[] | string;
  /** Names of the functions that assume the role (a Terraform list expression or names). */
  readonly functionNames: string | string[];
  /** Tags of the role (a map or a Terraform map expression). */
  readonly tags: Record<string, string> | string;
}

/** The role's default description. */
export const ROLE_DESCRIPTION = "Execution role of the Wallarm connector Lambda@Edge functions";

/** The services that assume the role: Lambda runs the functions, Lambda@Edge replicates them. */
export const TRUSTED_SERVICES = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"];

/**
 * The execution role of the connector's functions: trusted by Lambda and Lambda@Edge, allowed to
 * write only the named functions' logs, in every region their replicas run in.
 */
export class IamTrust extends Construct {
  /** The role; give `role.arn` to LambdaEdge. */
  readonly role: IamRole;
  /** The trust policy (`lambda.amazonaws.com`, `edgelambda.amazonaws.com`), as JSON in `.json`. */
  readonly trustPolicy: DataAwsIamPolicyDocument;
  /** The log policy document: create a log group and write to it, for the named functions only. */
  readonly logPolicy: DataAwsIamPolicyDocument;
  /**
   * The role's inline log policy. Give the functions a role ARN that depends on it (the
   * module's role_arn output does), so that on a rename the old policy goes only after the
   * old functions.
   */
  readonly logRolePolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: IamTrustProps) {
    super(scope, id);
    const partition = named(new DataAwsPartition(this, "current"), "current", props);

    this.trustPolicy = named(
      new DataAwsIamPolicyDocument(this, "trust_policy", {
        statement: [
          {
            sid: "LambdaAndLambdaAtEdge",
            effect: "Allow",
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: TRUSTED_SERVICES }],
          },
        ],
      }),
      "trust",
      props,
    );

    // Replicas log to /aws/lambda/us-east-1.<function> in the region where they ran, so the
    // region is a wildcard and the log group name is not.
    // CreateLogGroup names the group's ARN, the stream actions the group's ARN with `:*`.
    const logGroupArn = (functionName: string) => `arn:\${${partition.partition}}:logs:*:*:log-group:/aws/lambda/us-east-1.${functionName}`;
    const logGroups = Array.isArray(props.functionNames)
      ? props.functionNames.flatMap((name) => {
          const arn = `arn:${partition.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${name}`;
          return [arn, `${arn}:*`];
        })
      : `\${flatten([for name in ${operand(props.functionNames)} : ["${logGroupArn("${name}")}", "${logGroupArn("${name}")}:*"]])}`;
    this.logPolicy = named(
      new DataAwsIamPolicyDocument(this, "log_policy", {
        statement: [
          {
            sid: "WriteOwnEdgeLogs",
            effect: "Allow",
            actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources: logGroups as string[],
          },
        ],
      }),
      "logs",
      props,
    );

    this.role = named(
      new IamRole(this, "role", {
        name: props.name,
        path: props.path,
        description: props.description ?? ROLE_DESCRIPTION,
        maxSessionDuration: props.maxSessionDuration === undefined ? undefined : Token.asNumber(props.maxSessionDuration),
        assumeRolePolicy: this.trustPolicy.json,
        permissionsBoundary: props.permissionsBoundary,
        tags: props.tags as Record<string, string>,
      }),
      "this",
      props,
    );

    // A rename replaces the role before the old one goes (create_before_destroy, forced by the
    // functions that use it), and so this policy: it follows, so the old role keeps its log rights
    // until the old functions are gone (after CloudFront moved to the new ones). Without it the
    // old policy was deleted first, before the new role even existed. It is replaced only with the
    // role (its name is fixed), so the new copy never meets the old one.
    this.logRolePolicy = named(
      new IamRolePolicy(this, "log_role_policy", {
        name: "lambda-edge-logs",
        role: this.role.id,
        policy: this.logPolicy.json,
        lifecycle: { createBeforeDestroy: true },
      }),
      "logs",
      props,
    );

    // By position: ARNs of policies created in the same apply are unknown at plan, which
    // for_each cannot take.
    const policyArns = props.policyArns ?? [];
    if (Array.isArray(policyArns)) {
      policyArns.forEach((policyArn, i) => new IamRolePolicyAttachment(this, `policy_${i}`, { role: this.role.name, policyArn }));
    } else {
      const list = operand(policyArns);
      named(
        new IamRolePolicyAttachment(this, "policy", {
          count: Token.asNumber(`\${length(${list})}`),
          role: this.role.name,
          policyArn: `\${${list}[count.index]}`,
        }),
        "additional",
        props,
      );
    }
  }
}
