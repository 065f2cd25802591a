// The WallarmConnector construct in a user's own stack, as the README shows it: two connectors
// beside the user's own resources, a us-east-1 provider passed in, the associations straight into
// a CloudfrontDistribution. Checked on the synthesized JSON; props checked at synth with the
// modules' rules and words.
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { ArchiveProvider, AwsProvider, IamRole, TerraformStack, Testing } from "../../modules/library/cdktf";
import { WallarmConnector, type WallarmConnectorProps } from "../../modules/library/index";

type Block = Record<string, Record<string, unknown>>;
type Json = { resource: Record<string, Block>; data: Record<string, Block>; provider: Record<string, unknown[]> };

function userStack(extra: (stack: TerraformStack) => void = () => undefined): {
  stack: TerraformStack;
  shop: WallarmConnector;
  blog: WallarmConnector;
} {
  const stack = new TerraformStack(Testing.app(), "user");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const usEast1 = new AwsProvider(stack, "aws_us_east_1", { region: "us-east-1", alias: "us_east_1" });
  new IamRole(stack, "own", { name: "users-own-role", assumeRolePolicy: "{}" }).overrideLogicalId("this");
  extra(stack);
  const shop = new WallarmConnector(stack, "shop", { namePrefix: "shop", wallarmNodeUrl: "https://node.example.com", provider: usEast1 });
  const blog = new WallarmConnector(stack, "blog", {
    namePrefix: "blog",
    wallarmNodeUrl: "https://node.example.com",
    provider: usEast1,
    trigger: "viewer",
    wallarmMode: "async",
    skipExtensions: ["png", "css"],
    createResponseFunction: false,
  });
  new CloudfrontDistribution(stack, "site", {
    enabled: true,
    origin: [{ originId: "o", domainName: "origin.example.com" }],
    defaultCacheBehavior: {
      targetOriginId: "o",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      lambdaFunctionAssociation: shop.lambdaFunctionAssociations,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
  });
  return { stack, shop, blog };
}

const synth = (stack: TerraformStack): Json => JSON.parse(Testing.fullSynth(stack) && Testing.synth(stack)) as Json;

describe("two connectors in one user stack", () => {
  const { stack } = userStack();
  const json = synth(stack);
  const locals = (json as unknown as { locals: Record<string, unknown> }).locals;
  /** Each connector's functions by role, as its settings local writes them (for_each of every element). */
  const roles = Object.values(locals).flatMap((value) =>
    typeof value === "object" && value !== null && "request" in value && "response" in value
      ? Object.values(value as Record<string, { name: string; create: unknown }>)
      : [],
  );

  test("functions and roles are named from namePrefix, and no Terraform address is shared", () => {
    expect(
      roles
        .filter((f) => f.create === true)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["blog-request", "shop-request", "shop-response"]);
    // createResponseFunction = false: the response function is filtered out of for_each.
    expect(roles.filter((f) => f.create !== true)).toEqual([expect.objectContaining({ name: "blog-response", create: false })]);
    expect(Object.values(json.resource.aws_lambda_function).map((f) => f.function_name)).toEqual([
      "${each.value.name}",
      "${each.value.name}",
    ]);
    expect(
      Object.values(json.resource.aws_iam_role)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["blog-edge", "shop-edge", "users-own-role"]);
    expect(Object.keys(json.resource.aws_iam_role)).toContain("this"); // the user's own, untouched
    expect(Object.keys(json.resource.aws_lambda_function).filter((a) => a.startsWith("shop_"))).toHaveLength(1);
  });

  test("every AWS resource and data source of the connectors uses the us-east-1 provider; the user's do not", () => {
    const connectorAws = [...Object.entries(json.resource), ...Object.entries(json.data)]
      .filter(([type]) => type.startsWith("aws_"))
      .flatMap(([type, blocks]) => Object.entries(blocks).map(([address, block]) => ({ type, address, provider: block.provider })))
      .filter(({ address }) => /^(shop|blog)_/.test(address));
    expect(connectorAws.length).toBeGreaterThan(10);
    expect(connectorAws.filter(({ provider }) => provider !== "aws.us_east_1")).toEqual([]);
    expect(json.resource.aws_iam_role.this.provider).toBeUndefined();
    expect(json.resource.aws_cloudfront_distribution.site.provider).toBeUndefined();
  });

  test("one archive provider for the stack, however many connectors", () => {
    expect(json.provider.archive).toHaveLength(1);
  });

  test("lambdaFunctionAssociations go straight into a distribution: event types, this connector's versions, body only on requests", () => {
    const behavior = (json.resource.aws_cloudfront_distribution.site.default_cache_behavior as Record<string, unknown>)
      .lambda_function_association as Array<Record<string, unknown>>;
    expect(behavior).toEqual([
      {
        event_type: "origin-request",
        include_body: true,
        lambda_arn: expect.stringMatching(/^\$\{aws_lambda_function\.shop_[A-Za-z0-9_]+\["request"\]\.qualified_arn\}$/),
      },
      {
        event_type: "origin-response",
        include_body: false,
        lambda_arn: expect.stringMatching(/^\$\{aws_lambda_function\.shop_[A-Za-z0-9_]+\["response"\]\.qualified_arn\}$/),
      },
    ]);
    // The instance is shop's own function: its for_each holds shop's roles.
    const address = /aws_lambda_function\.([A-Za-z0-9_]+)\[/.exec(behavior[0].lambda_arn as string)![1];
    expect(behavior[1].lambda_arn).toContain(`aws_lambda_function.${address}[`);
    const created = /local\.([A-Za-z0-9_]+)/.exec(json.resource.aws_lambda_function[address].for_each as string)![1];
    const settings = /local\.([A-Za-z0-9_]+)/.exec(locals[created] as string)![1];
    expect(locals[settings]).toMatchObject({ request: { name: "shop-request" }, response: { name: "shop-response" } });
  });

  test("each connector's config.json carries its own settings", () => {
    const locals = (json as unknown as { locals: Record<string, unknown> }).locals;
    const configs = Object.entries(locals).filter(([name]) => name.includes("handler_config"));
    expect(configs).toHaveLength(2);
    const blog = configs.find(([name]) => name.startsWith("blog"))![1];
    expect(blog).toMatchObject({ wallarm_mode: "async", skip_extensions: ["png", "css"] });
  });
});

test("an ArchiveProvider the user declared first is reused", () => {
  const { stack } = userStack((s) => new ArchiveProvider(s, "archive"));
  expect(synth(stack).provider.archive).toHaveLength(1);
});

describe("props are checked at synth with the modules' rules and words", () => {
  const base: WallarmConnectorProps = { namePrefix: "shop", wallarmNodeUrl: "https://node.example.com" };
  const build = (props: Partial<WallarmConnectorProps>) => () =>
    new WallarmConnector(new TerraformStack(Testing.app(), "s"), "c", { ...base, ...props } as WallarmConnectorProps);

  test.each<[string, Partial<WallarmConnectorProps>, string]>([
    ["node URL without a scheme", { wallarmNodeUrl: "node.example.com" }, "wallarmNodeUrl must be an http:// or https:// URL"],
    ["name prefix too long", { namePrefix: "x".repeat(56) }, "namePrefix must be 1 to 55 letters, digits, hyphens or underscores"],
    ["viewer memory", { trigger: "viewer", memorySize: 256 }, "memorySize must be 128 for the viewer trigger"],
    ["viewer timeout", { trigger: "viewer", timeout: 10 }, "timeout must be a whole number of seconds from 1 to 5 for the viewer trigger"],
    [
      "node timeout over the function's",
      { timeout: 2, nodeTimeoutMs: 1800 },
      "nodeTimeoutMs must be a whole number from 50 to the function timeout less 500 ms",
    ],
    ["log retention", { logRetentionInDays: 10 }, "logRetentionInDays must be one of 0, 1, 3, 5, 7, 14, 30"],
    [
      "viewer block page",
      { trigger: "viewer", blockPageBody: "x".repeat(39_001) },
      "blockPageBody is too large: the viewer trigger allows at most 39000 bytes",
    ],
    ["filter list", { skipMethods: ["get"] as unknown as WallarmConnectorProps["skipMethods"] }, "skipMethods must be a list of GET, HEAD"],
  ])("%s", (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test("the defaults pass", () => expect(build({})).not.toThrow());
});
