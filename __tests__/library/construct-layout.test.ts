// IamTrust and DistributionAssociation in a user's own cdktf stack: used twice, next to the
// user's own `aws_iam_role.this`, nothing collides and every reference reaches the element of
// its own construct. Checked on the synthesized JSON and by `terraform plan` of it, offline.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider, IamRole, TerraformOutput, TerraformStack, Testing } from "../../modules/library/cdktf";
import { CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST_HEADER } from "../../modules/library/cloudfront-policies";
import { DistributionAssociation } from "../../modules/library/distribution-association";
import { IamTrust } from "../../modules/library/iam-trust";
import { mirroredProviders, offlineEnv, terraform, terraformBinary } from "../support/terraform";

const ARN = (name: string, version: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}:${version}`;

/** A user's stack: their own role named `this`, and two connectors' roles and associations. */
function userStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "user");
  new AwsProvider(stack, "aws", {
    region: "us-east-1",
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: "true",
  });
  new IamRole(stack, "own", { name: "users-own-role", assumeRolePolicy: "{}" }).overrideLogicalId("this");
  for (const prefix of ["shop", "blog"]) {
    const trust = new IamTrust(stack, `${prefix}_trust`, {
      name: `${prefix}-edge`,
      path: "/",
      functionNames: [`${prefix}-request`, `${prefix}-response`],
      policyArns: ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"],
      tags: {},
    });
    const association = new DistributionAssociation(stack, `${prefix}_association`, {
      requestEventType: "origin-request",
      responseEventType: "origin-response",
      requestFunctionQualifiedArn: ARN(`${prefix}-request`, "1"),
      responseFunctionQualifiedArn: ARN(`${prefix}-response`, "1"),
      distribution: {
        originDomainName: `${prefix}.example.com`,
        originProtocolPolicy: "https-only",
        aliases: [],
        acmCertificateArn: null,
        priceClass: "PriceClass_100",
        cachePolicyId: CACHING_DISABLED,
        originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        comment: prefix,
        tags: {},
      },
    });
    new TerraformOutput(stack, `${prefix}_associations`, { value: association.associations });
    new TerraformOutput(stack, `${prefix}_log_policy`, { value: trust.logPolicy.json });
    new TerraformOutput(stack, `${prefix}_role`, { value: trust.role.name });
  }
  return stack;
}

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>> & { locals: Record<string, string> };
const json = JSON.parse(Testing.synth(userStack())) as Json;

describe("IamTrust and DistributionAssociation twice in one user stack", () => {
  it("gives each construct's elements their own names and leaves the user's aws_iam_role.this alone", () => {
    expect(Object.keys(json.resource.aws_iam_role).sort()).toEqual([
      expect.stringMatching(/^blog_trust_role_[0-9A-F]{8}$/),
      expect.stringMatching(/^shop_trust_role_[0-9A-F]{8}$/),
      "this",
    ]);
    expect(json.resource.aws_iam_role.this.name).toBe("users-own-role");
    expect(Object.keys(json.resource.aws_cloudfront_distribution)).toHaveLength(2);
    expect(Object.keys(json.data.aws_partition)).toHaveLength(2);
    expect(Object.keys(json.locals).filter((name) => name.includes("lambda_function_associations"))).toHaveLength(2);
  });

  it("points every reference at its own construct's elements", () => {
    for (const prefix of ["shop", "blog"]) {
      const [distribution] = Object.entries(json.resource.aws_cloudfront_distribution).find(([name]) => name.startsWith(prefix)) ?? [];
      const behavior = json.resource.aws_cloudfront_distribution[distribution as string].default_cache_behavior as Record<
        string,
        Record<string, Record<string, string>>
      >;
      const local = behavior.dynamic.lambda_function_association.for_each.replace(/^\$\{local\.(.*)\}$/, "$1");
      expect(local).toMatch(new RegExp(`^${prefix}_association_lambda_function_associations_[0-9A-F]{8}$`));
      expect(json.locals[local]).toMatch(new RegExp(`local\\.${prefix}_association_user_associations_[0-9A-F]{8}`));
      expect(json.locals[local]).toMatch(new RegExp(`local\\.${prefix}_association_connector_event_types_[0-9A-F]{8}`));
    }
  });
});

const ready = terraformBinary() !== undefined && mirroredProviders().includes("hashicorp/aws");
(ready ? describe : describe.skip)("the user stack, planned offline", () => {
  let plan: {
    planned_values: {
      outputs: Record<string, { value: unknown }>;
      root_module: { resources: Array<{ address: string; values: Record<string, unknown> }> };
    };
  };
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "tf-user-stack-"));
    // The mirror serves whichever aws provider it holds, not the exact one cdktf pins.
    const config = JSON.parse(Testing.synth(userStack()));
    config.terraform.required_providers.aws.version = ">= 4.57.0";
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
    const env = offlineEnv();
    for (const args of [
      ["init", "-no-color"],
      ["plan", "-no-color", "-input=false", "-out=plan.bin"],
    ]) {
      const run = terraform(args, dir, env);
      if (run.status !== 0) throw new Error(run.text);
    }
    plan = JSON.parse(terraform(["show", "-json", "plan.bin"], dir, env).stdout);
  });

  it("plans three roles, each connector's log rights for its own functions only", () => {
    const roles = plan.planned_values.root_module.resources.filter((r) => r.address.startsWith("aws_iam_role."));
    expect(roles.map((r) => r.values.name).sort()).toEqual(["blog-edge", "shop-edge", "users-own-role"]);
    const outputs = plan.planned_values.outputs;
    const resources = (prefix: string) => JSON.parse(outputs[`${prefix}_log_policy`].value as string).Statement[0].Resource as string[];
    expect(resources("shop")).toContain("arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.shop-request:*");
    expect(resources("shop").some((arn) => arn.includes("blog-"))).toBe(false);
    expect(outputs.blog_role.value).toBe("blog-edge");
  });

  it("plans two distributions, each with its own connector's functions", () => {
    const distributions = plan.planned_values.root_module.resources.filter((r) => r.address.startsWith("aws_cloudfront_distribution."));
    expect(distributions).toHaveLength(2);
    for (const d of distributions) {
      const prefix = d.values.comment as string;
      const behavior = (d.values.default_cache_behavior as Array<Record<string, unknown>>)[0];
      const arns = (behavior.lambda_function_association as Array<Record<string, unknown>>).map((a) => a.lambda_arn).sort();
      expect(arns).toEqual([ARN(`${prefix}-request`, "1"), ARN(`${prefix}-response`, "1")]);
    }
    expect(Object.keys(plan.planned_values.outputs.shop_associations.value as object).sort()).toEqual([
      "origin-request",
      "origin-response",
    ]);
  });
});
