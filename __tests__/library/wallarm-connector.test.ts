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

/** A stack with one connector, and the user's own ArchiveProvider (id `id`) declared before it, after it, or not at all. */
function archiveStack(order: "none" | "before" | "after", id = "archive"): { stack: TerraformStack; own?: ArchiveProvider } {
  const stack = new TerraformStack(Testing.app(), "user");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const own = order === "before" ? new ArchiveProvider(stack, id) : undefined;
  new WallarmConnector(stack, "shop", { namePrefix: "shop", wallarmNodeUrl: "https://node.example.com" });
  return { stack, own: order === "after" ? new ArchiveProvider(stack, id) : own };
}
const archiveProviders = (stack: TerraformStack) => stack.node.findAll().filter((c) => c instanceof ArchiveProvider);

describe("the stack's archive provider: the user's own wherever it is declared, else one added at synth", () => {
  test.each<["before" | "after", string]>([
    ["before", "archive"],
    ["before", "zip"],
    // Declared after the connector: the same id used to clash at construction ("There is already
    // a Construct with name 'archive'"), another id to give two providers and a failing init.
    ["after", "archive"],
    ["after", "zip"],
  ])("declared %s the connector with id %j: exactly that one", (order, id) => {
    const { stack, own } = archiveStack(order, id);
    expect(synth(stack).provider.archive).toEqual([{}]);
    expect(archiveProviders(stack)).toEqual([own]);
  });

  test("none declared: one is added, once however often the stack is synthesized", () => {
    const { stack } = archiveStack("none");
    expect(synth(stack).provider.archive).toEqual([{}]);
    expect(synth(stack).provider.archive).toEqual([{}]);
    expect(archiveProviders(stack).map((p) => p.node.id)).toEqual(["archive"]);
  });

  test("an aliased one only: a default one is added beside it, under a free id", () => {
    const { stack } = archiveStack("after", "archive");
    (archiveProviders(stack)[0] as ArchiveProvider).alias = "other";
    expect(synth(stack).provider.archive).toEqual([{ alias: "other" }, {}]);
    expect(archiveProviders(stack).map((p) => p.node.id)).toEqual(["archive", "wallarm_connector_archive"]);
  });

  test("two without an alias fail synth, naming them and the fix", () => {
    const { stack } = archiveStack("before", "zip");
    new ArchiveProvider(stack, "archive");
    expect(() => Testing.synth(stack)).toThrow(
      new Error(
        "Stack user has 2 ArchiveProviders without an alias (user/zip, user/archive), and Terraform accepts one default configuration per provider: keep one (the Wallarm connector uses it, and adds none when the stack has one), or give the others an alias.",
      ),
    );
  });
});

describe("props are checked at synth with the modules' rules and words", () => {
  const base: WallarmConnectorProps = { namePrefix: "shop", wallarmNodeUrl: "https://node.example.com" };
  const build = (props: Partial<WallarmConnectorProps>) => () =>
    new WallarmConnector(new TerraformStack(Testing.app(), "s"), "c", { ...base, ...props } as WallarmConnectorProps);
  const HTTPS_ONLY =
    "wallarmNodeUrl must be an https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com; http:// is accepted only with allowHttpNodeUrl: true, which is meant for testing (traffic to the node is then unencrypted).";

  // Whole messages: each says what is allowed, in the prop's name, and ends with one full stop.
  test.each<[string, Partial<WallarmConnectorProps>, string]>([
    ["node URL without a scheme", { wallarmNodeUrl: "node.example.com" }, HTTPS_ONLY],
    ["http node URL by default", { wallarmNodeUrl: "http://node.example.com" }, HTTPS_ONLY],
    ["node URL with credentials, http allowed", { wallarmNodeUrl: "https://user:pw@node.example.com", allowHttpNodeUrl: true }, HTTPS_ONLY],
    ["node URL of another scheme, http allowed", { wallarmNodeUrl: "ftp://node.example.com", allowHttpNodeUrl: true }, HTTPS_ONLY],
    [
      "name prefix too long",
      { namePrefix: "x".repeat(56) },
      'namePrefix must be 1 to 55 letters, digits, hyphens or underscores, for example "wallarm-connector" (Lambda function names are at most 64 characters).',
    ],
    [
      "viewer memory",
      { trigger: "viewer", memorySize: 256 },
      "memorySize must be 128 for the viewer trigger and a whole number from 128 to 10240 for origin (Lambda@Edge limits).",
    ],
    [
      "viewer timeout",
      { trigger: "viewer", timeout: 10 },
      "timeout must be a whole number of seconds from 1 to 5 for the viewer trigger and 1 to 30 for origin (Lambda@Edge limits).",
    ],
    [
      "node timeout over the function's",
      { timeout: 2, nodeTimeoutMs: 1800 },
      "nodeTimeoutMs must be a whole number from 50 to the function timeout less 500 ms, so the function can still answer after giving up on the node: with timeout = 2 s that is at most 1500.",
    ],
    [
      "log retention",
      { logRetentionInDays: 10 },
      "logRetentionInDays must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 keeps logs forever).",
    ],
    [
      "viewer block page",
      { trigger: "viewer", blockPageBody: "x".repeat(39_001) },
      "blockPageBody is too large: the viewer trigger allows at most 39000 bytes (Lambda@Edge generated responses are limited to 40 KB for viewer and 1 MB for origin triggers).",
    ],
    ["mode", { wallarmMode: "blocking" as WallarmConnectorProps["wallarmMode"] }, 'wallarmMode must be "inline" or "async".'],
    [
      "filter methods",
      { skipMethods: ["get"] as unknown as WallarmConnectorProps["skipMethods"] },
      'skipMethods must be a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE, for example ["OPTIONS"].',
    ],
    [
      "filter extensions",
      { skipExtensions: [".png"] },
      'skipExtensions must be a list of file extensions without the dot, 1 to 16 letters or digits each, for example ["png", "css"].',
    ],
    [
      "metrics namespace",
      { metricsNamespace: "Wallarm!" },
      'metricsNamespace must be 1 to 255 letters, digits, spaces and . _ / # : - characters, not starting with a space, for example "WallarmConnector".',
    ],
  ])("%s", (_name, props, message) => {
    expect(build(props)).toThrow(new Error(message));
  });

  // node_urls_by_region's rules, by the modules' words with the props named, and the regions that break them.
  const REGION_NAMES = (regions: string) =>
    `nodeUrlsByRegion must be keyed by AWS region names in lowercase, such as "us-east-1" or "ap-northeast-1": not so for ${regions}.`;
  const URL_COUNTS = (regions: string) =>
    `nodeUrlsByRegion must list 1 to 3 node URLs for each region, in the order to try them, for example { "eu-west-1" = ["https://wallarm-eu-1.example.com", "https://wallarm-eu-2.example.com"] }: not so for ${regions}.`;
  const REGION_HTTPS_ONLY = (regions: string) =>
    `nodeUrlsByRegion must list https:// URLs without query, fragment or credentials, for example { "eu-west-1" = ["https://wallarm-eu.example.com"] }: not so for ${regions}. http:// is accepted only with allowHttpNodeUrl: true, which is meant for testing (traffic to the node is then unencrypted).`;
  const FOUR_URLS = ["https://a.example.com", "https://b.example.com", "https://c.example.com", "https://d.example.com"];
  const eu = (...urls: string[]): Partial<WallarmConnectorProps> => ({ nodeUrlsByRegion: { "eu-west-1": urls } });

  test.each<[string, Partial<WallarmConnectorProps>, string]>([
    [
      "region names AWS_REGION never holds, each named",
      {
        nodeUrlsByRegion: {
          "eu-west-1": ["https://a.example.com"],
          "EU-Central-1": ["https://b.example.com"],
          global: ["https://c.example.com"],
        },
      },
      REGION_NAMES('"EU-Central-1", "global"'),
    ],
    ["a region with no node URL", eu(), URL_COUNTS('"eu-west-1"')],
    ["a region with 4 node URLs", eu(...FOUR_URLS), URL_COUNTS('"eu-west-1"')],
    [
      "a region given null for its URLs",
      { nodeUrlsByRegion: { "eu-west-1": null } as unknown as WallarmConnectorProps["nodeUrlsByRegion"] },
      URL_COUNTS('"eu-west-1"'),
    ],
    [
      "an http node URL by region without allowHttpNodeUrl",
      eu("https://a.example.com", "http://10.0.0.1:8080"),
      REGION_HTTPS_ONLY('"eu-west-1"'),
    ],
    ["a node URL by region with a query", eu("https://wallarm-eu.example.com/?a=1"), REGION_HTTPS_ONLY('"eu-west-1"')],
    [
      "a node URL by region with credentials, http allowed",
      { ...eu("https://user:pw@wallarm-eu.example.com"), allowHttpNodeUrl: true },
      REGION_HTTPS_ONLY('"eu-west-1"'),
    ],
    [
      "the wrong URLs of two regions, both named",
      {
        nodeUrlsByRegion: {
          "us-east-1": ["ftp://a.example.com"],
          "eu-west-1": ["https://b.example.com"],
          "ap-northeast-1": ["b.example.com"],
        },
      },
      // Sorted, as the module's message lists them.
      REGION_HTTPS_ONLY('"ap-northeast-1", "us-east-1"'),
    ],
    // No map at all is the handler's check, in the setting's own words.
    [
      "a list instead of a map",
      { nodeUrlsByRegion: [["https://a.example.com"]] as unknown as WallarmConnectorProps["nodeUrlsByRegion"] },
      'nodeUrlsByRegion must be a map from AWS region names to lists of 1 to 3 node URLs, for example {"eu-west-1": ["https://wallarm-eu.example.com"]}.',
    ],
  ])("node URLs by region: %s", (_name, props, message) => {
    expect(build(props)).toThrow(new Error(message));
  });

  test("the defaults pass", () => expect(build({})).not.toThrow());

  /** The handler settings local of a stack with one connector of `props`. */
  const handlerConfig = (props: Partial<WallarmConnectorProps>): Record<string, unknown> => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new WallarmConnector(stack, "c", { ...base, ...props });
    const locals = (synth(stack) as unknown as { locals: Record<string, Record<string, unknown>> }).locals;
    return Object.entries(locals).find(([name]) => name.includes("handler_config"))![1];
  };

  test("nodes by region reach config.json as given: regions to their URLs, in order", () => {
    const nodeUrlsByRegion = {
      "us-east-1": ["https://wallarm-us-east.example.com"],
      "eu-west-1": ["https://wallarm-eu-1.example.com", "https://wallarm-eu-2.example.com:8443/edge"],
      "ap-northeast-1": ["https://wallarm-ap-1.example.com", "https://wallarm-ap-2.example.com", "https://wallarm-ap-3.example.com"],
    };
    expect(handlerConfig({ nodeUrlsByRegion }).node_urls_by_region).toEqual(nodeUrlsByRegion);
    expect(handlerConfig({ ...eu("http://10.0.0.1:8080/eu"), allowHttpNodeUrl: true }).node_urls_by_region).toEqual({
      "eu-west-1": ["http://10.0.0.1:8080/eu"],
    });
  });

  test("no nodes by region: config.json holds an empty map, so every instance uses wallarmNodeUrl", () => {
    expect(handlerConfig({}).node_urls_by_region).toEqual({});
  });

  test("an http:// node URL passes with allowHttpNodeUrl and reaches config.json as given", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new WallarmConnector(stack, "c", { ...base, wallarmNodeUrl: "http://127.0.0.1:8080/wallarm", allowHttpNodeUrl: true });
    const locals = (synth(stack) as unknown as { locals: Record<string, Record<string, unknown>> }).locals;
    const config = Object.entries(locals).find(([name]) => name.includes("handler_config"))![1];
    expect(config.wallarm_node_url).toBe("http://127.0.0.1:8080/wallarm");
  });
});
