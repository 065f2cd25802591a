// `terraform plan`, offline, of the modules whose providers the local mirror serves: the
// policies and association maps users get are computed by the real AWS provider, not guessed.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import { withArchiveStandIn, withoutArchiveProvider } from "../support/archive-stand-in";
import { copyToTemp, mirroredProviders, offlineEnv, terraform, terraformBinary } from "../support/terraform";

const ready = terraformBinary() !== undefined && mirroredProviders().includes("hashicorp/aws");
if (!ready) console.warn("terraform or a local hashicorp/aws provider mirror is missing: skipping the offline plans.");
const describePlan = ready ? describe : describe.skip;

const ARN = (name: string, version: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}:${version}`;

/**
 * A directory with `body` (module calls and outputs) and an offline us-east-1 provider,
 * initialised; `endpoints` sends those services to a local stand-in.
 */
function workspace(body: string, endpoints: Record<string, string> = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), "tf-plan-"));
  const services = Object.entries(endpoints).map(([service, url]) => `    ${service} = "${url}"\n`);
  writeFileSync(
    join(dir, "main.tf"),
    `provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
${services.length > 0 ? `  endpoints {\n${services.join("")}  }\n` : ""}}
${body}`,
  );
  const env = offlineEnv();
  const init = terraform(["init", "-no-color"], dir, env);
  if (init.status !== 0) throw new Error(init.text);
  return { dir, env };
}

/** Plans `body` that must be rejected; returns terraform's output. */
function planFailure(body: string): string {
  const { dir, env } = workspace(body);
  const run = terraform(["plan", "-no-color", "-input=false"], dir, env);
  if (run.status === 0) throw new Error(`the plan was accepted:\n${run.text}`);
  return run.text;
}

/** Plans `body` (module calls and outputs) with an offline us-east-1 provider; returns the plan JSON. */
function plan(
  body: string,
  endpoints: Record<string, string> = {},
): {
  outputs: Record<string, { value: unknown }>;
  /** Planned output values: `after` holds what is known, `after_unknown` marks the rest. */
  changes: Record<string, { after: unknown; after_unknown: unknown }>;
  resources: Array<{ address: string; values: Record<string, unknown> }>;
} {
  const { dir, env } = workspace(body, endpoints);
  const run = terraform(["plan", "-no-color", "-input=false", "-out=plan.bin"], dir, env);
  if (run.status !== 0) throw new Error(run.text);
  const show = terraform(["show", "-json", "plan.bin"], dir, env);
  const json = JSON.parse(show.stdout);
  const planned = json.planned_values;
  const resources = (function collect(module: {
    resources?: [];
    child_modules?: [];
  }): Array<{ address: string; values: Record<string, unknown> }> {
    return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(collect)];
  })(planned.root_module);
  return { outputs: planned.outputs, changes: json.output_changes, resources };
}

type Planned = ReturnType<typeof plan>;

describePlan("iam-trust, planned", () => {
  let outputs: Planned["outputs"];
  let resources: Planned["resources"];
  beforeAll(() => {
    ({ outputs, resources } = plan(`
module "trust" {
  source               = "${GENERATED_DIR}/modules/iam-trust"
  name                 = "edge-role"
  function_names       = ["edge-request", "edge-response"]
  permissions_boundary = "arn:aws:iam::123456789012:policy/boundary"
}
output "trust" { value = module.trust.trust_policy_json }
output "logs" { value = module.trust.log_policy_json }
`));
  });

  it("trusts exactly Lambda and Lambda@Edge", () => {
    const policy = JSON.parse(outputs.trust.value as string);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Action).toBe("sts:AssumeRole");
    expect([...policy.Statement[0].Principal.Service].sort()).toEqual(["edgelambda.amazonaws.com", "lambda.amazonaws.com"]);
  });

  it("lets the functions write only their own log groups, in every region", () => {
    const policy = JSON.parse(outputs.logs.value as string);
    expect(policy.Statement).toHaveLength(1);
    expect([...policy.Statement[0].Action].sort()).toEqual(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
    expect([...policy.Statement[0].Resource].sort()).toEqual([
      "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.edge-request",
      "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.edge-request:*",
      "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.edge-response",
      "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.edge-response:*",
    ]);
  });

  it("creates the role with its boundary and the trust policy", () => {
    const role = resources.find((r) => r.address === "module.trust.aws_iam_role.this");
    expect(role?.values).toMatchObject({ name: "edge-role", path: "/", permissions_boundary: "arn:aws:iam::123456789012:policy/boundary" });
    expect(JSON.parse(role?.values.assume_role_policy as string)).toEqual(JSON.parse(outputs.trust.value as string));
  });
});

describePlan("distribution-association, planned", () => {
  let outputs: Planned["outputs"];
  let resources: Planned["resources"];
  beforeAll(() => {
    ({ outputs, resources } = plan(`
module "edge" {
  source                          = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn  = "${ARN("edge-request", "3")}"
  response_function_qualified_arn = "${ARN("edge-response", "3")}"
  associations = {
    "viewer-request" = { lambda_arn = "${ARN("rewrite", "7")}" }
  }
  create_distribution = true
  origin_domain_name  = "api.example.com"
}
module "no_response" {
  source                         = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn = "${ARN("edge-request", "4")}"
  associate_response_function    = false
  request_event_type             = "viewer-request"
  response_event_type            = "viewer-response"
}
output "associations" { value = module.edge.lambda_function_associations }
output "no_response" { value = module.no_response.lambda_function_associations }
`));
  });

  it("merges the connector's pair with the user's own functions, keyed by event type", () => {
    expect(outputs.associations.value).toEqual({
      "origin-request": { event_type: "origin-request", lambda_arn: ARN("edge-request", "3"), include_body: true },
      "origin-response": { event_type: "origin-response", lambda_arn: ARN("edge-response", "3"), include_body: false },
      "viewer-request": { event_type: "viewer-request", lambda_arn: ARN("rewrite", "7"), include_body: false },
    });
  });

  it("leaves out the response event with associate_response_function = false", () => {
    expect(outputs.no_response.value).toEqual({
      "viewer-request": { event_type: "viewer-request", lambda_arn: ARN("edge-request", "4"), include_body: true },
    });
  });

  it("puts every association on the new distribution's default cache behavior", () => {
    const distribution = resources.find((r) => r.address === "module.edge.aws_cloudfront_distribution.this[0]");
    const behavior = (distribution?.values.default_cache_behavior as Array<Record<string, unknown>>)[0];
    const associations = behavior.lambda_function_association as Array<Record<string, unknown>>;
    expect(associations.map((a) => a.event_type).sort()).toEqual(["origin-request", "origin-response", "viewer-request"]);
    expect(associations.find((a) => a.event_type === "origin-request")).toMatchObject({
      include_body: true,
      lambda_arn: ARN("edge-request", "3"),
    });
    expect(resources.some((r) => r.address.startsWith("module.no_response.aws_cloudfront_distribution"))).toBe(false);
  });
});

describePlan("distribution-association, rejected at plan where the user wrote it", () => {
  const call = (extra: string) => `
module "edge" {
  source                          = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn  = "${ARN("edge-request", "3")}"
  response_function_qualified_arn = "${ARN("edge-response", "3")}"
  create_distribution             = true
${extra}
}
`;

  it("points at aliases, not at line 0, when the certificate is missing", () => {
    const text = planFailure(call(`  origin_domain_name = "api.example.com"\n  aliases            = ["api.example.com"]`));
    expect(text).toContain("aliases (api.example.com) need acm_certificate_arn");
    expect(text).toMatch(/on main\.tf line \d+, in module "edge"/);
    expect(text).not.toContain("line 0");
  });

  it("rejects an origin given as a URL, showing the host name form", () => {
    const text = planFailure(call(`  origin_domain_name = "https://api.example.com/v1"`));
    expect(text).toContain(
      'origin_domain_name must be a host name such as api.example.com, without scheme, port or path; got "https://api.example.com/v1"',
    );
    expect(text).not.toContain("line 0");
  });

  it("rejects event types that disagree with the functions' trigger, naming them", () => {
    const text = planFailure(call(`  origin_domain_name = "api.example.com"\n  trigger            = "viewer"`));
    expect(text).toContain(
      'The functions were built for trigger = "viewer", so they must be associated on viewer-request and viewer-response, not origin-request and origin-response',
    );
    expect(text).not.toContain("line 0");
  });

  it("points at the user's event type lines when request and response do not pair, never at line 0", () => {
    const text = planFailure(
      call(
        `  origin_domain_name  = "api.example.com"\n  request_event_type  = "viewer-request"\n  response_event_type = "origin-response"`,
      ),
    );
    expect(text).toContain("response_event_type origin-response does not pair with request_event_type viewer-request");
    expect(text).toMatch(/on main\.tf line \d+, in module "edge": \d+: response_event_type = "origin-response"/);
    expect(text).not.toContain("line 0");
  });

  it("pairs the response event with request_event_type when only that is set (it was a mismatch reported at line 0)", () => {
    const { outputs } = plan(`${call(`  origin_domain_name = "api.example.com"
  request_event_type = "viewer-request"
  trigger            = "viewer"`)}
output "associations" { value = module.edge.lambda_function_associations }
`);
    expect(Object.keys(outputs.associations.value as object).sort()).toEqual(["viewer-request", "viewer-response"]);
  });

  it("plans aliases with a certificate, a host name origin and matching event types", () => {
    const { resources } = plan(
      call(`  origin_domain_name  = "api.example.com"
  aliases             = ["api.example.com"]
  acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
  trigger             = "viewer"
  request_event_type  = "viewer-request"
  response_event_type = "viewer-response"`),
    );
    const distribution = resources.find((r) => r.address === "module.edge.aws_cloudfront_distribution.this[0]");
    expect(distribution?.values.aliases).toEqual(["api.example.com"]);
    expect((distribution?.values.origin as Array<Record<string, unknown>>)[0].domain_name).toBe("api.example.com");
  });
});

/**
 * Lambda functions the plan creates: their qualified ARNs are unknown at plan, as on every
 * first deploy and every upgrade that publishes a new version. `responseCount` 0: no response
 * function, as with the lambda-edge module's create_response_function = false.
 */
const newFunctions = (responseCount = 1) => `
resource "aws_lambda_function" "request" {
  function_name = "edge-request"
  role          = "arn:aws:iam::123456789012:role/edge"
  handler       = "index.handler"
  runtime       = "nodejs22.x"
  filename      = "\${path.module}/main.tf"
  publish       = true
}
resource "aws_lambda_function" "response" {
  count         = ${responseCount}
  function_name = "edge-response"
  role          = "arn:aws:iam::123456789012:role/edge"
  handler       = "index.handler"
  runtime       = "nodejs22.x"
  filename      = "\${path.module}/main.tf"
  publish       = true
}
`;

describePlan("distribution-association on a first deploy (function ARNs unknown at plan)", () => {
  const call = (extra: string, responseCount = 1) => `${newFunctions(responseCount)}
module "edge" {
  source                          = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn  = aws_lambda_function.request.qualified_arn
  response_function_qualified_arn = one(aws_lambda_function.response[*].qualified_arn)
${extra}
}
output "associations" { value = module.edge.lambda_function_associations }
`;

  // associate_response_function left at its default (true): the keys no longer wait for the ARN.
  it("plans the association map's keys and the user's own entries, leaving only the new ARNs unknown", () => {
    const { changes, resources } = plan(
      call(`  create_distribution = true
  origin_domain_name  = "api.example.com"
  associations = {
    "viewer-request" = { lambda_arn = "${ARN("rewrite", "7")}" }
  }`),
    );
    expect(changes.associations.after).toEqual({
      "origin-request": { event_type: "origin-request", include_body: true },
      "origin-response": { event_type: "origin-response", include_body: false },
      "viewer-request": { event_type: "viewer-request", lambda_arn: ARN("rewrite", "7"), include_body: false },
    });
    expect(changes.associations.after_unknown).toEqual({
      "origin-request": { lambda_arn: true },
      "origin-response": { lambda_arn: true },
      "viewer-request": {},
    });
    const distribution = resources.find((r) => r.address === "module.edge.aws_cloudfront_distribution.this[0]");
    const behavior = (distribution?.values.default_cache_behavior as Array<Record<string, unknown>>)[0];
    const associations = behavior.lambda_function_association as Array<Record<string, unknown>>;
    expect(associations.map((a) => a.event_type).sort()).toEqual(["origin-request", "origin-response", "viewer-request"]);
  });

  it("leaves the response event to the user when associate_response_function = false", () => {
    const { changes } = plan(
      call(`  associate_response_function = false
  associations = {
    "origin-response" = { lambda_arn = "${ARN("headers", "2")}" }
  }`),
    );
    expect(Object.keys(changes.associations.after as object).sort()).toEqual(["origin-request", "origin-response"]);
    expect(changes.associations.after).toHaveProperty(["origin-response", "lambda_arn"], ARN("headers", "2"));
  });

  it("rejects a user function on the connector's request event at plan, naming the event type", () => {
    const text = planFailure(call(`  associations = { "origin-request" = { lambda_arn = "${ARN("rewrite", "7")}" } }`));
    expect(text).toContain(
      "associations already has a function on origin-request, which the Wallarm connector uses (its request function): CloudFront allows one function per event type",
    );
    expect(text).toMatch(/on main\.tf line \d+, in module "edge"/);
  });

  it("rejects a user function on the connector's response event at plan, naming the event type", () => {
    const text = planFailure(call(`  associations = { "origin-response" = { lambda_arn = "${ARN("headers", "2")}" } }`));
    expect(text).toContain(
      "associations already has a function on origin-response, which the Wallarm connector uses (its response function)",
    );
  });

  it("fails at plan, saying what to change, when no response function is created and associate_response_function is left at true", () => {
    const text = planFailure(call("", 0));
    expect(text).toContain(
      "response_function_qualified_arn is null while associate_response_function is true (the default), which associates the response function on origin-response: pass the response function's ARN, or set associate_response_function = false when there is none (as the lambda-edge module's create_response_function = false).",
    );
    expect(text).toMatch(/on main\.tf line \d+, in module "edge"/);
  });
});

/**
 * A Lambda API that lists no functions, as before a first deploy, for the lambda-edge module's
 * ListFunctions read. In its own process: terraform runs synchronously in this one.
 */
async function emptyLambdaApi(): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const server = require("node:http").createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ Functions: [] }));
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the Lambda API stand-in exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * The generated tree, planned offline: hashicorp/archive is not in the mirror, so lambda-edge's
 * archive_file is swapped for the tests' stand-in and the provider dropped from versions.tf. On
 * a first deploy the stand-in is read only at apply (the zip's name waits for the function), so
 * a plan never calls the address given here.
 */
function plannableRoot(): string {
  const root = copyToTemp(GENERATED_DIR);
  const main = join(root, "modules/lambda-edge/main.tf");
  writeFileSync(main, withArchiveStandIn(readFileSync(main, "utf8"), "http://127.0.0.1:9"));
  for (const versions of [join(root, "versions.tf"), join(root, "modules/lambda-edge/versions.tf")]) {
    writeFileSync(versions, withoutArchiveProvider(readFileSync(versions, "utf8")));
  }
  return root;
}

describePlan("root module on a first deploy: the functions are created in the same apply", () => {
  let lambda: { url: string; child: ChildProcess } | undefined;
  let changes: Planned["changes"];
  let resources: Planned["resources"];
  beforeAll(async () => {
    lambda = await emptyLambdaApi();
    const root = plannableRoot();
    ({ changes, resources } = plan(
      `
module "wallarm" {
  source              = "${root}"
  wallarm_node_url    = "https://wallarm-node.example.com"
  name_prefix         = "first"
  create_distribution = true
  origin_domain_name  = "api.example.com"
  associations = {
    "viewer-request" = { lambda_arn = "${ARN("rewrite", "7")}" }
  }
}
module "lean" {
  source                   = "${root}"
  wallarm_node_url         = "https://wallarm-node.example.com"
  name_prefix              = "lean"
  trigger                  = "viewer"
  create_response_function = false
}
module "off" {
  source           = "${root}"
  wallarm_node_url = "https://wallarm-node.example.com"
  name_prefix      = "off"
  create           = false
}
output "associations" { value = module.wallarm.lambda_function_associations }
output "lean" { value = module.lean.lambda_function_associations }
output "off" { value = module.off.lambda_function_associations }
`,
      { lambda: lambda.url },
    ));
  }, 180_000);
  afterAll(() => {
    lambda?.child.kill();
  });

  it("creates both functions in this apply, so their ARNs are unknown at plan", () => {
    const created = resources
      .map((r) => r.address)
      .filter((a) => /^module\.wallarm\.module\.lambda_edge\.aws_lambda_function\.this/.test(a));
    expect(created.sort()).toEqual([
      'module.wallarm.module.lambda_edge.aws_lambda_function.this["request"]',
      'module.wallarm.module.lambda_edge.aws_lambda_function.this["response"]',
    ]);
  });

  it("shows the association keys, the event types, in the saved plan: only the new ARNs are unknown", () => {
    expect(changes.associations.after).toEqual({
      "origin-request": { event_type: "origin-request", include_body: true },
      "origin-response": { event_type: "origin-response", include_body: false },
      "viewer-request": { event_type: "viewer-request", lambda_arn: ARN("rewrite", "7"), include_body: false },
    });
    expect(changes.associations.after_unknown).toEqual({
      "origin-request": { lambda_arn: true },
      "origin-response": { lambda_arn: true },
      "viewer-request": {},
    });
    const distribution = resources.find(
      (r) => r.address === "module.wallarm.module.distribution_association.aws_cloudfront_distribution.this[0]",
    );
    const behavior = (distribution?.values.default_cache_behavior as Array<Record<string, unknown>>)[0];
    const associations = behavior.lambda_function_association as Array<Record<string, unknown>>;
    expect(associations.map((a) => a.event_type).sort()).toEqual(["origin-request", "origin-response", "viewer-request"]);
  });

  // create = false leaves both ARNs null while create_response_function stays true: nothing to check.
  it("plans nothing and an empty map with create = false", () => {
    expect(resources.filter((r) => r.address.startsWith("module.off."))).toEqual([]);
    expect(changes.off.after).toEqual({});
  });

  it("leaves the response event out, at plan, without the response function", () => {
    expect(changes.lean.after).toEqual({ "viewer-request": { event_type: "viewer-request", include_body: true } });
    expect(changes.lean.after_unknown).toEqual({ "viewer-request": { lambda_arn: true } });
  });
});

describePlan("iam-trust parity with terraform-aws-modules roles", () => {
  let changes: Planned["changes"];
  let resources: Planned["resources"];
  beforeAll(() => {
    ({ changes, resources } = plan(`
resource "terraform_data" "policy" { input = "mine" }
module "first" {
  source               = "${GENERATED_DIR}/modules/iam-trust"
  name_prefix          = "shop-edge"
  description          = "Wallarm connector of the shop"
  max_session_duration = 7200
  policy_arns = [
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
    "arn:aws:iam::123456789012:policy/\${terraform_data.policy.id}",
  ]
}
module "second" {
  source      = "${GENERATED_DIR}/modules/iam-trust"
  name_prefix = "blog-edge"
}
output "logs" { value = module.second.log_policy_json }
output "role_name" { value = module.first.role_name }
`));
  });
  const find = (address: string) => resources.find((r) => r.address === address)?.values;

  it("names each connector's role after its name_prefix, so two connectors in one account do not collide", () => {
    expect(find("module.first.aws_iam_role.this")).toMatchObject({ name: "shop-edge-edge" });
    expect(find("module.second.aws_iam_role.this")).toMatchObject({ name: "blog-edge-edge" });
    expect(changes.role_name.after).toBe("shop-edge-edge");
  });

  it("derives the log permissions from name_prefix when function_names is not given", () => {
    const policy = JSON.parse(changes.logs.after as string);
    expect(policy.Statement[0].Resource).toContain("arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.blog-edge-request:*");
  });

  it("sets description and maximum session duration, with the defaults otherwise", () => {
    expect(find("module.first.aws_iam_role.this")).toMatchObject({
      description: "Wallarm connector of the shop",
      max_session_duration: 7200,
    });
    expect(find("module.second.aws_iam_role.this")).toMatchObject({
      description: "Execution role of the Wallarm connector Lambda@Edge functions",
      max_session_duration: 3600,
    });
  });

  it("attaches extra managed policies by position, also ARNs unknown at plan", () => {
    expect(find("module.first.aws_iam_role_policy_attachment.additional[0]")).toMatchObject({
      role: "shop-edge-edge",
      policy_arn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
    });
    expect(find("module.first.aws_iam_role_policy_attachment.additional[1]")).toMatchObject({ role: "shop-edge-edge" });
    expect(resources.filter((r) => r.address.startsWith("module.second.aws_iam_role_policy_attachment"))).toEqual([]);
  });
});

describePlan("distribution-association: the created distribution's WAF, logging and headers, and create = false", () => {
  let changes: Planned["changes"];
  let resources: Planned["resources"];
  const WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
  const SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03";
  beforeAll(() => {
    ({ changes, resources } = plan(`
module "edge" {
  source                          = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn  = "${ARN("edge-request", "3")}"
  response_function_qualified_arn = "${ARN("edge-response", "3")}"
  create_distribution             = true
  origin_domain_name              = "api.example.com"
  web_acl_id                      = "${WEB_ACL}"
  response_headers_policy_id      = "${SECURITY_HEADERS}"
  logging_bucket                  = "my-logs.s3.amazonaws.com"
  logging_prefix                  = "cloudfront/"
}
module "plain" {
  source                         = "${GENERATED_DIR}/modules/distribution-association"
  request_function_qualified_arn = "${ARN("edge-request", "3")}"
  associate_response_function    = false
  create_distribution            = true
  origin_domain_name             = "api.example.com"
}
module "off" {
  source                         = "${GENERATED_DIR}/modules/distribution-association"
  create                         = false
  request_function_qualified_arn = null
  create_distribution            = true
  origin_domain_name             = "api.example.com"
  associations                   = { "viewer-request" = { lambda_arn = "${ARN("rewrite", "7")}" } }
}
output "zone" { value = module.edge.distribution_hosted_zone_id }
output "off" { value = module.off.lambda_function_associations }
output "off_id" { value = module.off.distribution_id }
`));
  });
  const distribution = (module: string) =>
    resources.find((r) => r.address === `module.${module}.aws_cloudfront_distribution.this[0]`)?.values;

  it("protects the distribution with the WAFv2 web ACL and adds the response headers policy", () => {
    expect(distribution("edge")?.web_acl_id).toBe(WEB_ACL);
    const behavior = (distribution("edge")?.default_cache_behavior as Array<Record<string, unknown>>)[0];
    expect(behavior.response_headers_policy_id).toBe(SECURITY_HEADERS);
  });

  it("writes access logs to the bucket when one is given, and none by default", () => {
    expect(distribution("edge")?.logging_config).toEqual([
      { bucket: "my-logs.s3.amazonaws.com", prefix: "cloudfront/", include_cookies: false },
    ]);
    expect(distribution("plain")?.logging_config).toEqual([]);
    expect(distribution("plain")?.web_acl_id ?? null).toBeNull();
  });

  it("outputs the hosted zone ID for alias records", () => {
    expect(changes.zone.after_unknown).toBe(true);
  });

  it("creates nothing and returns an empty map with create = false", () => {
    expect(resources.filter((r) => r.address.startsWith("module.off."))).toEqual([]);
    expect(changes.off.after).toEqual({});
    expect(changes.off_id.after).toBeNull();
  });
});
