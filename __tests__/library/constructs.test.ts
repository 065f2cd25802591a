// The constructs, checked on their synthesized Terraform JSON with cdktf's Testing matchers.
import "cdktf/lib/testing/adapters/jest"; // declares the matchers Testing.setupJest() installs
import { CONFIG_DEFAULTS, CONFIG_KEYS, CONFIG_LIMITS } from "../../handlers/config";
import { handlerConfigFromProps } from "../../modules/library/handler-settings";
import {
  App,
  ArchiveProvider,
  CloudfrontDistribution,
  CloudwatchLogGroup,
  DataArchiveFile,
  DataAwsIamPolicyDocument,
  IamRole,
  IamRolePolicy,
  LambdaFunction,
  Testing,
} from "../../modules/library/cdktf";
import { WallarmConnectorStack } from "../../modules/library/connector-stack";
import { DistributionAssociationModule } from "../../modules/generator/distribution-association/module";
import { IamTrustModule } from "../../modules/generator/iam-trust/module";
import { LambdaEdgeModule } from "../../modules/generator/lambda-edge/module";
import { RootModule } from "../../modules/generator/root/module";

type Config = Record<string, Record<string, Record<string, Record<string, unknown>>>> & { locals: Record<string, unknown> };
const synth = (build: (app: App) => object): { text: string; json: Config } => {
  const app = Testing.app();
  const text = Testing.synth(build(app) as never);
  return { text, json: JSON.parse(text) };
};

describe("LambdaEdge (modules/lambda-edge)", () => {
  const { text, json } = synth((app) => new LambdaEdgeModule(app, "lambda-edge"));
  const fn = json.resource.aws_lambda_function.this;

  it("writes what differs between the two functions once, keyed by role", () => {
    expect(json.locals.edge_functions).toEqual({
      request: {
        create: "${var.create}",
        name: "${var.name_prefix}-request",
        description: "Wallarm connector: sends each request to the Wallarm node",
        bundle: "${path.module}/dist/request.js",
        log_group: "/aws/lambda/us-east-1.${var.name_prefix}-request",
        event_type: "${var.trigger}-request",
        include_body: true,
      },
      response: {
        create: "${var.create && var.create_response_function}",
        name: "${var.name_prefix}-response",
        description: "Wallarm connector: reports each response to the Wallarm node",
        bundle: "${path.module}/dist/response.js",
        log_group: "/aws/lambda/us-east-1.${var.name_prefix}-response",
        event_type: "${var.trigger}-response",
        include_body: false,
      },
    });
  });

  it("publishes x86_64 Node.js functions with index.handler, one block over the created functions", () => {
    expect(text).toHaveResourceWithProperties(LambdaFunction, {
      for_each: "${local.edge_functions_created}",
      function_name: "${each.value.name}",
      description: "${each.value.description}",
      handler: "index.handler",
      publish: true,
      architectures: ["x86_64"],
      runtime: "${var.runtime}",
      role: "${var.role_arn}",
      skip_destroy: "${var.skip_destroy}",
      filename: "${data.archive_file.package[each.key].output_path}",
      source_code_hash: "${data.archive_file.package[each.key].output_base64sha256}",
    });
    expect(Object.keys(json.resource.aws_lambda_function)).toEqual(["this"]);
  });

  it("creates nothing when create is false, and the response function only when asked", () => {
    // Filtered on variables only, so for_each and the association keys are known at plan.
    expect(json.locals.edge_functions_created).toBe("${{ for role, fn in local.edge_functions : role => fn if fn.create }}");
    expect(json.data.aws_lambda_functions.existing.count).toBe("${var.create ? 1 : 0}");
    for (const element of [fn, json.resource.terraform_data.package, json.data.archive_file.package]) {
      expect(element.for_each).toBe("${local.edge_functions_created}");
    }
    expect(json.resource.aws_cloudwatch_log_group.this.for_each).toBe("${var.create_log_groups ? local.edge_functions_created : {}}");
  });

  it("refuses at plan to create the functions outside us-east-1, naming the fix", () => {
    const { precondition } = fn.lifecycle as { precondition: Array<Record<string, string>> };
    expect(precondition).toEqual([
      {
        condition: '${data.aws_region.current.id == "us-east-1"}',
        error_message: expect.stringContaining("providers = { aws = aws.us_east_1 }"),
      },
    ]);
  });

  it("zips index.js with a config.json holding every handler setting under its variable name", () => {
    expect(text).toHaveDataSourceWithProperties(DataArchiveFile, {
      type: "zip",
      source: [
        { filename: "index.js", content: "${file(each.value.bundle)}" },
        { filename: "config.json", content: "${local.config_json}" },
      ],
    });
    const config = json.locals.handler_config as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const key of CONFIG_KEYS) expect(config[key]).toBe(`\${var.${key}}`);
    expect(json.locals.config_json).toBe("${jsonencode(local.handler_config)}");
  });

  it("builds a zip at apply whenever its function will be created or changed (saved plans in a fresh job)", () => {
    // Through a local, so one function's change does not defer the other's zip (lambda-edge-saved-plans.test.ts).
    expect(json.data.archive_file.package.output_path).toBe("${local.package_zips[each.key]}");
    expect(json.locals.package_zips).toBe("${{ for role, package in terraform_data.package : role => package.output.zip }}");
    const input = json.resource.terraform_data.package.input as Record<string, string>;
    expect(input.zip).toContain(
      '/${each.value.name}-${substr(sha256(join("", [filesha256(each.value.bundle), local.config_json])), 0, 16)}.zip',
    );
    expect(input.function_exists).toBe(
      '${contains(data.aws_lambda_functions.existing[0].function_names, each.value.name) ? true : timestamp() != ""}',
    );
    expect(fn.lifecycle).toMatchObject({ create_before_destroy: true });
    expect(fn.depends_on).toEqual(["aws_cloudwatch_log_group.this"]);
  });

  it("owns the us-east-1 replica log groups with a retention, KMS key and skip_destroy, unless told to use existing ones", () => {
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, {
      for_each: "${var.create_log_groups ? local.edge_functions_created : {}}",
      name: "${each.value.log_group}",
      retention_in_days: "${var.log_retention_in_days}",
      kms_key_id: "${var.log_group_kms_key_id}",
      skip_destroy: "${var.log_group_skip_destroy}",
      lifecycle: { create_before_destroy: true },
    });
  });

  it("offers the associations of the created functions keyed by event type, with the body on the request event", () => {
    const associations = json.locals.edge_associations as string;
    expect(associations.replace(/\s+/g, " ")).toBe(
      "${{ for role, fn in local.edge_functions_created : fn.event_type => { event_type = fn.event_type lambda_arn = aws_lambda_function.this[role].qualified_arn include_body = fn.include_body } }}",
    );
    expect(json.output.lambda_function_associations.value).toBe("${local.edge_associations}");
  });

  it("reads each function's outputs from its instance, null when it is not created", () => {
    const output = (name: string) => json.output[name].value;
    expect(output("request_function_qualified_arn")).toBe('${try(aws_lambda_function.this["request"].qualified_arn, null)}');
    expect(output("response_function_arn")).toBe('${try(aws_lambda_function.this["response"].arn, null)}');
    expect(output("response_log_group_name")).toBe('${try(local.edge_functions_created["response"].log_group, null)}');
  });
});

describe("IamTrust (modules/iam-trust)", () => {
  const { text, json } = synth((app) => new IamTrustModule(app, "iam-trust"));

  it("trusts lambda.amazonaws.com and edgelambda.amazonaws.com", () => {
    expect(text).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        expect.objectContaining({
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }],
        }),
      ],
    });
    expect(text).toHaveResourceWithProperties(IamRole, {
      assume_role_policy: "${data.aws_iam_policy_document.trust.json}",
      permissions_boundary: "${var.permissions_boundary}",
      path: "${var.path}",
    });
  });

  it("allows log writes only to the functions' own log groups, in every region", () => {
    const statement = (json.data.aws_iam_policy_document.logs.statement as Array<Record<string, unknown>>)[0];
    expect(statement.actions).toEqual(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(statement.resources).toMatch(/for name in local.function_names/);
    // Derived from name_prefix, so two connectors in one account get distinct roles and log rights.
    expect(json.locals.function_names).toBe(
      '${var.function_names != null ? var.function_names : ["${var.name_prefix}-request", "${var.name_prefix}-response"]}',
    );
    expect(text).toHaveResourceWithProperties(IamRole, { name: '${coalesce(var.name, "${var.name_prefix}-edge")}' });
    expect(statement.resources).toMatch(/:logs:\*:\*:log-group:\/aws\/lambda\/us-east-1\.\$\{name\}"/);
    expect(text).toHaveResourceWithProperties(IamRolePolicy, {
      policy: "${data.aws_iam_policy_document.logs.json}",
      role: "${aws_iam_role.this.id}",
    });
  });
});

describe("DistributionAssociation (modules/distribution-association)", () => {
  const { text, json } = synth((app) => new DistributionAssociationModule(app, "distribution-association"));

  it("merges the user's associations with the connector's, keyed by plan-known event types and flags, never by ARNs", () => {
    expect(json.locals.lambda_function_associations).toBe(
      "${merge(local.user_associations, { for event_type, association in local.connector_associations : event_type => association if contains(local.connector_event_types, event_type) })}",
    );
    expect(json.locals.connector_event_types).toBe(
      '${var.create ? compact([var.request_event_type, local.response_associated ? local.response_event_type : ""]) : []}',
    );
    // The variable alone (default true), never whether the ARN is null: unknown at plan on a first deploy.
    expect(json.locals.response_associated).toBe("${var.associate_response_function}");
    expect(json.locals.connector_associations).toEqual({
      "${var.request_event_type}": expect.objectContaining({ include_body: true, lambda_arn: "${var.request_function_qualified_arn}" }),
      "${local.response_event_type}": expect.objectContaining({
        include_body: false,
        lambda_arn: "${var.response_function_qualified_arn}",
      }),
    });
  });

  it("can create a distribution whose default behavior carries every association", () => {
    expect(text).toHaveResourceWithProperties(CloudfrontDistribution, {
      count: "${var.create && var.create_distribution ? 1 : 0}",
      enabled: true,
    });
    const behavior = json.resource.aws_cloudfront_distribution.this.default_cache_behavior as Record<string, Record<string, unknown>>;
    expect(behavior.dynamic.lambda_function_association).toEqual({
      for_each: "${local.lambda_function_associations}",
      content: {
        event_type: "${lambda_function_association.value.event_type}",
        lambda_arn: "${lambda_function_association.value.lambda_arn}",
        include_body: "${lambda_function_association.value.include_body}",
      },
    });
  });
});

describe("root module", () => {
  const { json } = synth((app) => new RootModule(app, "root"));
  const modules = (json as unknown as { module: Record<string, Record<string, unknown>> }).module;

  it("feeds the created role to the functions and their event types to the associations", () => {
    expect(modules.iam_trust.count).toBe("${var.create && var.create_role ? 1 : 0}");
    expect(modules.distribution_association.create).toBe("${var.create}");
    expect(modules.lambda_edge.create).toBe("${var.create}");
    expect(modules.lambda_edge.role_arn).toBe("${var.create_role ? one(module.iam_trust[*].role_arn) : var.role_arn}");
    // iam-trust derives the role and function names from the same prefix as lambda-edge.
    expect(modules.iam_trust).toMatchObject({ name_prefix: "${var.name_prefix}", name: "${var.role_name}" });
    expect(modules.iam_trust.function_names).toBeUndefined();
    expect(modules.distribution_association).toMatchObject({
      request_function_qualified_arn: "${module.lambda_edge.request_function_qualified_arn}",
      request_event_type: "${var.trigger}-request",
      response_event_type: "${var.trigger}-response",
      // Known at plan, unlike the response function's ARN on a first deploy.
      associate_response_function: "${var.create_response_function}",
    });
  });

  it("outputs the role name, function names and the distribution's ARN and hosted zone ID, each described", () => {
    const outputs = (json as unknown as { output: Record<string, { value: string; description: string }> }).output;
    expect(outputs.role_name.value).toContain("one(module.iam_trust[*].role_name)");
    expect(outputs.request_function_name.value).toBe("${module.lambda_edge.request_function_name}");
    expect(outputs.response_function_name.value).toBe("${module.lambda_edge.response_function_name}");
    expect(outputs.distribution_arn.value).toBe("${module.distribution_association.distribution_arn}");
    expect(outputs.distribution_hosted_zone_id.value).toBe("${module.distribution_association.distribution_hosted_zone_id}");
    for (const output of Object.values(outputs)) expect(output.description).toMatch(/\S/);
  });

  it("passes the role settings and the distribution's WAF, logging and headers policy through", () => {
    expect(modules.iam_trust).toMatchObject({
      description: "${var.role_description}",
      max_session_duration: "${var.role_max_session_duration}",
      policy_arns: "${var.role_policy_arns}",
    });
    for (const name of ["web_acl_id", "logging_bucket", "logging_prefix", "logging_include_cookies", "response_headers_policy_id"]) {
      expect(modules.distribution_association[name]).toBe(`\${var.${name}}`);
    }
  });

  it("passes every handler setting through to lambda-edge under the same name", () => {
    for (const key of CONFIG_KEYS) expect(modules.lambda_edge[key]).toBe(`\${var.${key}}`);
  });
});

describe("WallarmConnectorStack (cdktf deploy)", () => {
  const { text, json } = synth(
    (app) =>
      new WallarmConnectorStack(app, "connector", {
        wallarmNodeUrl: "https://node.example.com",
        originDomainName: "api.example.com",
        mode: "async",
        trigger: "viewer",
      }),
  );

  it("builds the same resources with literal settings", () => {
    expect(text).toHaveResourceWithProperties(LambdaFunction, { for_each: "${local.edge_functions_created}", publish: true });
    expect(json.locals.edge_functions).toHaveProperty(["request", "name"], "wallarm-connector-request");
    // Every association points at the instance of its function.
    expect(json.locals.connector_associations).toHaveProperty(
      ["viewer-response", "lambda_arn"],
      '${aws_lambda_function.this["response"].qualified_arn}',
    );
    expect(text).toHaveResourceWithProperties(IamRole, { name: "wallarm-connector-edge" });
    expect(json.locals.handler_config).toMatchObject({
      wallarm_node_url: "https://node.example.com",
      wallarm_mode: "async",
      fail_open: true,
    });
    expect(json.locals.connector_associations).toHaveProperty(["viewer-request", "include_body"], true);
    const statement = (json.data.aws_iam_policy_document.logs.statement as Array<Record<string, unknown>>)[0];
    expect(statement.resources).toContain(
      "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.wallarm-connector-response:*",
    );
  });

  it("writes the circuit breaker settings to config.json, the handler's defaults when not given", () => {
    const config = (props: object) =>
      synth(
        (app) =>
          new WallarmConnectorStack(app, "connector", {
            wallarmNodeUrl: "https://n.example.com",
            originDomainName: "o.example.com",
            ...props,
          }),
      ).json.locals.handler_config as Record<string, unknown>;
    expect(config({ circuitBreakerThreshold: 3, circuitBreakerCooldownMs: 2500 })).toMatchObject({
      circuit_breaker_threshold: 3,
      circuit_breaker_cooldown_ms: 2500,
    });
    expect(config({})).toMatchObject({
      circuit_breaker_threshold: CONFIG_DEFAULTS.circuit_breaker_threshold,
      circuit_breaker_cooldown_ms: CONFIG_DEFAULTS.circuit_breaker_cooldown_ms,
    });
    expect(Object.keys(config({})).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it("refuses circuit breaker settings the handler would reject, saying what is allowed", () => {
    const build = (props: object) => () =>
      new WallarmConnectorStack(Testing.app(), "connector", {
        wallarmNodeUrl: "https://n.example.com",
        originDomainName: "o.example.com",
        ...props,
      });
    const { circuit_breaker_threshold: threshold, circuit_breaker_cooldown_ms: cooldown } = CONFIG_LIMITS;
    const thresholdMessage = `circuitBreakerThreshold must be a whole number from ${threshold.min} to ${threshold.max}`;
    const cooldownMessage = `circuitBreakerCooldownMs must be a whole number from ${cooldown.min} to ${cooldown.max}`;
    expect(build({ circuitBreakerThreshold: threshold.min - 1 })).toThrow(thresholdMessage);
    expect(build({ circuitBreakerThreshold: threshold.max + 1 })).toThrow(thresholdMessage);
    expect(build({ circuitBreakerThreshold: 2.5 })).toThrow(thresholdMessage);
    expect(build({ circuitBreakerCooldownMs: cooldown.min - 1 })).toThrow(cooldownMessage);
    expect(build({ circuitBreakerCooldownMs: cooldown.max + 1 })).toThrow(cooldownMessage);
    expect(build({ circuitBreakerThreshold: threshold.max, circuitBreakerCooldownMs: cooldown.min })).not.toThrow();
  });

  it("accepts an http:// node URL only with allowHttpNodeUrl, by the modules' rule, saying how to allow it", () => {
    const build = (props: object) => () =>
      new WallarmConnectorStack(Testing.app(), "connector", {
        wallarmNodeUrl: "http://127.0.0.1:8080/wallarm",
        originDomainName: "o.example.com",
        ...props,
      });
    expect(build({})).toThrow(
      new Error(
        "wallarmNodeUrl must be an https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com; http:// is accepted only with allowHttpNodeUrl: true, which is meant for testing (traffic to the node is then unencrypted).",
      ),
    );
    expect(build({ allowHttpNodeUrl: true })).not.toThrow();
  });

  it("checks nodes by region with the same rule, and writes them to config.json", () => {
    const build = (props: object) => () =>
      new WallarmConnectorStack(Testing.app(), "connector", {
        wallarmNodeUrl: "https://n.example.com",
        originDomainName: "o.example.com",
        nodeUrlsByRegion: { "eu-west-1": ["https://wallarm-eu.example.com", "http://127.0.0.1:8080"] },
        ...props,
      });
    expect(build({})).toThrow(
      new Error(
        'nodeUrlsByRegion must list https:// URLs without query, fragment or credentials, for example { "eu-west-1" = ["https://wallarm-eu.example.com"] }: not so for "eu-west-1". http:// is accepted only with allowHttpNodeUrl: true, which is meant for testing (traffic to the node is then unencrypted).',
      ),
    );
    const config = JSON.parse(Testing.synth(build({ allowHttpNodeUrl: true })())) as { locals: { handler_config: object } };
    expect(config.locals.handler_config).toMatchObject({
      node_urls_by_region: { "eu-west-1": ["https://wallarm-eu.example.com", "http://127.0.0.1:8080"] },
    });
  });

  // The stack's own provider is decided at synth: one the user adds later is the one used.
  it.each(["archive", "zip"])("uses an ArchiveProvider the user adds to it afterwards with id %j, and adds none", (id) => {
    const stack = new WallarmConnectorStack(Testing.app(), "connector", {
      wallarmNodeUrl: "https://n.example.com",
      originDomainName: "o.example.com",
    });
    const own = new ArchiveProvider(stack, id);
    const json = JSON.parse(Testing.synth(stack)) as { provider: Record<string, unknown[]> };
    expect(json.provider.archive).toHaveLength(1);
    expect(stack.node.findAll().filter((c) => c instanceof ArchiveProvider)).toEqual([own]);
  });

  it("gives every local, data source and resource its own name", () => {
    const app = Testing.app();
    const stack = new WallarmConnectorStack(app, "connector", {
      wallarmNodeUrl: "https://n.example.com",
      originDomainName: "o.example.com",
    });
    const seen = new Map<string, number>();
    for (const child of stack.node.findAll()) {
      const element = child as unknown as { friendlyUniqueId?: string; terraformResourceType?: string; constructor: { name: string } };
      if (element.friendlyUniqueId === undefined) continue;
      const key = `${element.terraformResourceType ?? element.constructor.name}.${element.friendlyUniqueId}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    expect(seen.size).toBeGreaterThan(15);
  });
});

describe("handler settings as cdktf props, from the settings table", () => {
  test("every setting has its camelCase prop, validated by the handler's own rules and messages", () => {
    const config = handlerConfigFromProps({
      wallarmNodeUrl: "https://node.example.com",
      wallarmMode: "async",
      nodeTimeoutMs: 250,
      failOpen: false,
      blockStatusCode: 451,
      blockPageBody: "<p>no</p>",
      blockPageContentType: "text/html",
      nodeCaPem: null,
      circuitBreakerThreshold: 3,
      circuitBreakerCooldownMs: 2500,
    });
    expect(Object.keys(config)).toEqual([...CONFIG_KEYS]);
    expect(config).toMatchObject({
      wallarm_mode: "async",
      node_timeout_ms: 250,
      block_status_code: 451,
      circuit_breaker_cooldown_ms: 2500,
    });
    expect(handlerConfigFromProps({ wallarmNodeUrl: "https://n.example.com" })).toEqual({
      wallarm_node_url: "https://n.example.com",
      ...CONFIG_DEFAULTS,
    });
    expect(() => handlerConfigFromProps({ wallarmNodeUrl: "node.example.com" })).toThrow(
      new Error(
        "wallarmNodeUrl must be an http:// or https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com.",
      ),
    );
    expect(() => handlerConfigFromProps({ wallarmNodeUrl: "https://n.example.com", nodeTimeoutMs: 0 })).toThrow(
      "nodeTimeoutMs must be a whole number from 50 to 30000",
    );
    expect(() => handlerConfigFromProps({ wallarmNodeUrl: "https://n.example.com", blockPageContentType: "a\nb" })).toThrow(
      new Error('blockPageContentType must be a non-empty single line, for example "text/html; charset=utf-8".'),
    );
  });
});
