// LambdaEdge in a user's own cdktf stack: two connectors beside a user's own
// `aws_lambda_function.this` get construct-unique names, and every reference (package,
// archive, log group, region, function list, config.json, associations) points at the
// connector's own elements; each element is one block with for_each over the connector's roles. The generated module keeps its fixed names (generated.test.ts
// checks generated/ against the sources; constructs.test.ts the module's names).
import { CONFIG_DEFAULTS } from "../../handlers/config";
import { App, AwsProvider, LambdaFunction, TerraformOutput, TerraformStack, Testing } from "../../modules/library/cdktf";
import { LambdaEdge, type LambdaEdgeProps } from "../../modules/library/lambda-edge";

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const props = (namePrefix: string): LambdaEdgeProps => ({
  namePrefix,
  roleArn: "arn:aws:iam::123456789012:role/edge",
  trigger: "origin",
  runtime: "nodejs22.x",
  memorySize: 128,
  timeout: 5,
  createResponseFunction: true,
  handlerConfig: { ...CONFIG_DEFAULTS, wallarm_node_url: `https://${namePrefix}.example.com` },
  bundleDir: "${path.module}/dist",
  packageOutputDir: "${path.root}/.terraform/wallarm-connector",
  logRetentionInDays: 30,
  skipDestroy: false,
  tags: {},
});

describe("LambdaEdge twice in one user stack", () => {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "user");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  // The user's own function, with the name the generated module uses.
  new LambdaFunction(stack, "mine", { functionName: "mine", role: "arn:aws:iam::123456789012:role/mine" }).overrideLogicalId("this");
  const first = new LambdaEdge(stack, "edge_a", props("a"));
  const second = new LambdaEdge(stack, "edge_b", { ...props("b"), create: "${var.enabled}" });
  new TerraformOutput(stack, "a_arn", { value: first.functionAttribute("request", "qualified_arn") });
  new TerraformOutput(stack, "b_arn", { value: second.functionAttribute("response", "qualified_arn") });
  new TerraformOutput(stack, "a_associations", { value: first.associations });
  const json = JSON.parse(Testing.synth(stack)) as Json & { locals: Record<string, unknown>; output: Record<string, { value: string }> };
  const text = JSON.stringify(json);

  const declared = new Set<string>([
    ...Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)),
    ...Object.entries(json.data).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`)),
    ...Object.keys(json.locals).map((name) => `local.${name}`),
    "var.enabled",
  ]);
  /** A local's name in `${local.name...}`. */
  const localIn = (expression: unknown) => /local\.([A-Za-z0-9_]+)/.exec(String(expression))?.[1] as string;
  /**
   * The connector whose functions are named `<prefix>-request` and `-response`: its settings
   * local, the local of the created functions, and its function resource.
   */
  const connector = (prefix: string) => {
    const settings = Object.keys(json.locals).find(
      (name) => (json.locals[name] as { request?: { name?: string } }).request?.name === `${prefix}-request`,
    );
    if (!settings) throw new Error(`no connector ${prefix}`);
    const created = Object.keys(json.locals).find((name) => localIn(json.locals[name]) === settings && name !== settings) as string;
    const found = Object.entries(json.resource.aws_lambda_function).find(([, body]) => body.for_each === `\${local.${created}}`);
    if (!found) throw new Error(`no function resource for ${prefix}`);
    return { settings, created, id: found[0], body: found[1] };
  };

  it("gives every element a construct-unique name, leaving the user's aws_lambda_function.this alone", () => {
    const functions = Object.keys(json.resource.aws_lambda_function);
    expect(functions).toHaveLength(3);
    expect(json.resource.aws_lambda_function.this.function_name).toBe("mine");
    for (const prefix of ["a", "b"]) expect(connector(prefix).id).not.toMatch(/^(this|request|response)$/);
    expect(connector("a").id).not.toBe(connector("b").id);
    expect(Object.keys(json.data.archive_file)).toHaveLength(2);
    expect(Object.keys(json.data.aws_lambda_functions)).toHaveLength(2);
    expect(Object.keys(json.data.aws_region)).toHaveLength(2);
    expect(Object.keys(json.resource.terraform_data)).toHaveLength(2);
    expect(Object.keys(json.resource.aws_cloudwatch_log_group)).toHaveLength(2);
    expect(Object.keys(json.locals).filter((name) => name.includes("config_json"))).toHaveLength(2);
  });

  it("references only what the stack declares", () => {
    const references = [
      ...text.matchAll(/\b(data\.[a-z0-9_]+\.[A-Za-z0-9_]+|(?:aws|terraform)_[a-z0-9_]+\.[A-Za-z0-9_]+|local\.[A-Za-z0-9_]+)/g),
    ].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(20);
    expect([...new Set(references)].filter((ref) => !declared.has(ref))).toEqual([]);
  });

  it("wires each function to its own zip, package, log group, function list and config", () => {
    for (const prefix of ["a", "b"]) {
      const { settings, created, body } = connector(prefix);
      expect(json.locals[settings]).toMatchObject({
        request: {
          name: `${prefix}-request`,
          log_group: `/aws/lambda/us-east-1.${prefix}-request`,
          bundle: "${path.module}/dist/request.js",
        },
        response: { name: `${prefix}-response` },
      });
      const archive = /^\$\{data\.archive_file\.([A-Za-z0-9_]+)\[each\.key\]\.output_path\}$/.exec(body.filename as string)?.[1] as string;
      expect(json.data.archive_file[archive].for_each).toBe(`\${local.${created}}`);
      const zips = localIn(json.data.archive_file[archive].output_path);
      const pkg = /terraform_data\.([A-Za-z0-9_]+)/.exec(json.locals[zips] as string)?.[1] as string;
      expect(json.resource.terraform_data[pkg].for_each).toBe(`\${local.${created}}`);
      const input = json.resource.terraform_data[pkg].input as Record<string, string>;
      expect(input.zip).toContain("/${each.value.name}-");
      const configLocal = /local\.([A-Za-z0-9_]+)/.exec(input.zip)?.[1] as string;
      expect(json.locals[configLocal]).toMatch(/jsonencode\(local\./);
      expect(JSON.stringify(json.data.archive_file[archive].source)).toContain(`local.${configLocal}`);
      const list = /data\.aws_lambda_functions\.([A-Za-z0-9_]+)/.exec(input.function_exists)?.[1] as string;
      expect(Object.keys(json.data.aws_lambda_functions)).toContain(list);
      const [logGroup] = body.depends_on as string[];
      const group = json.resource.aws_cloudwatch_log_group[logGroup.replace("aws_cloudwatch_log_group.", "")];
      expect(group).toMatchObject({ for_each: `\${local.${created}}`, name: "${each.value.log_group}" });
    }
    // Each connector's config.json holds its own node URL.
    const handlerConfigs = Object.values(json.locals).filter(
      (value) => typeof value === "object" && value !== null && "wallarm_node_url" in value,
    );
    expect(handlerConfigs.map((config) => (config as { wallarm_node_url: string }).wallarm_node_url).sort()).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
  });

  it("exposes attributes and associations as references to its own function instances, created or not", () => {
    expect(json.output.a_arn.value).toBe(`\${aws_lambda_function.${connector("a").id}["request"].qualified_arn}`);
    expect(json.output.b_arn.value).toBe(`\${try(aws_lambda_function.${connector("b").id}["response"].qualified_arn, null)}`);
    expect(json.locals[connector("b").settings]).toMatchObject({ request: { create: "${var.enabled}" } });
    expect(json.locals[connector("a").settings]).toMatchObject({ request: { create: true }, response: { create: true } });
    const associations = localIn(json.output.a_associations.value);
    expect(json.locals[associations]).toContain(`for role, fn in local.${connector("a").created} :`);
    expect(json.locals[associations]).toContain(`aws_lambda_function.${connector("a").id}[role].qualified_arn`);
  });
});
