// LambdaEdge in a user's own cdktf stack: two connectors beside a user's own
// `aws_lambda_function.request` get construct-unique names, and every reference (package,
// archive, log group, region, function list, config.json, associations) points at the
// connector's own elements. The generated module keeps its fixed names (generated.test.ts
// checks generated/ against the sources; constructs.test.ts the module's names).
import { CONFIG_DEFAULTS } from "../../handlers/config";
import { App, AwsProvider, LambdaFunction, TerraformOutput, TerraformStack, Testing } from "../../modules/cdktf";
import { LambdaEdge, type LambdaEdgeProps } from "../../modules/lambda-edge/construct";

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
  new LambdaFunction(stack, "mine", { functionName: "mine", role: "arn:aws:iam::123456789012:role/mine" }).overrideLogicalId("request");
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
  /** The connector's function whose name is `name`, with its Terraform name. */
  const fn = (name: string) => {
    const found = Object.entries(json.resource.aws_lambda_function).find(([, body]) => body.function_name === name);
    if (!found) throw new Error(`no function ${name}`);
    return { id: found[0], body: found[1] };
  };

  it("gives every element a construct-unique name, leaving the user's aws_lambda_function.request alone", () => {
    const functions = Object.keys(json.resource.aws_lambda_function);
    expect(functions).toHaveLength(5);
    expect(json.resource.aws_lambda_function.request.function_name).toBe("mine");
    for (const name of ["a-request", "a-response", "b-request", "b-response"]) expect(fn(name).id).not.toMatch(/^(request|response)$/);
    expect(Object.keys(json.data.archive_file)).toHaveLength(4);
    expect(Object.keys(json.data.aws_lambda_functions)).toHaveLength(2);
    expect(Object.keys(json.data.aws_region)).toHaveLength(2);
    expect(Object.keys(json.resource.terraform_data)).toHaveLength(4);
    expect(Object.keys(json.resource.aws_cloudwatch_log_group)).toHaveLength(4);
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
      const { body } = fn(`${prefix}-request`);
      const archive = /^\$\{data\.archive_file\.([A-Za-z0-9_]+)(\[0\])?\.output_path\}$/.exec(body.filename as string)?.[1];
      expect(archive).toBeDefined();
      const outputPath = json.data.archive_file[archive as string].output_path as string;
      const pkg = /terraform_data\.([A-Za-z0-9_]+)/.exec(outputPath)?.[1] as string;
      const input = json.resource.terraform_data[pkg].input as Record<string, string>;
      expect(input.zip).toContain(`/${prefix}-request-`);
      const configLocal = /local\.([A-Za-z0-9_]+)/.exec(input.zip)?.[1] as string;
      expect(json.locals[configLocal]).toMatch(/jsonencode\(local\./);
      const list = /data\.aws_lambda_functions\.([A-Za-z0-9_]+)/.exec(input.function_exists)?.[1] as string;
      expect(input.function_exists).toContain(`"${prefix}-request"`);
      expect(Object.keys(json.data.aws_lambda_functions)).toContain(list);
      const [logGroup] = body.depends_on as string[];
      expect(json.resource.aws_cloudwatch_log_group[logGroup.replace("aws_cloudwatch_log_group.", "")].name).toBe(
        `/aws/lambda/us-east-1.${prefix}-request`,
      );
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

  it("exposes attributes and associations as references to its own functions, counted or not", () => {
    expect(json.output.a_arn.value).toBe(`\${${"aws_lambda_function." + fn("a-request").id}.qualified_arn}`);
    expect(json.output.b_arn.value).toBe(`\${one(${"aws_lambda_function." + fn("b-response").id}[*].qualified_arn)}`);
    expect(fn("b-request").body.count).toBe("${var.enabled ? 1 : 0}");
    expect(json.output.a_associations.value).toMatch(/^\$\{\{ for event_type, association in local\.[A-Za-z0-9_]+ : /);
    const associations = /local\.([A-Za-z0-9_]+)/.exec(json.output.a_associations.value)?.[1] as string;
    expect(JSON.stringify(json.locals[associations])).toContain(`aws_lambda_function.${fn("a-request").id}.qualified_arn`);
  });
});
