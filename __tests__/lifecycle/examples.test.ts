// Issue 20, the examples of generated/examples/, applied, updated and destroyed against moto
// as users run them (`terraform apply` in the example's folder), with an override file that
// aims their provider blocks at moto; side by side, each against its own moto, each step its own
// test. See apply.test.ts for the archive stand-in.
//
// What moto cannot hold, and how these cases stay honest about it: moto's CloudFront drops
// every LambdaFunctionAssociation of a cache behavior, invents ForwardedValues for a behavior
// that uses a cache policy, and defaults SSLSupportMethod to sni-only. So a distribution never
// re-plans empty here. Instead of ignoring its drift, each case checks (1) the associations in
// the CreateDistribution/UpdateDistribution request the provider sent (a recording proxy sits in
// front of moto), and (2) that the re-plan changes only the distribution, and in it exactly
// those three attributes, the associations back to what was sent. Any other drift fails.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApplyLog,
  asSent,
  type Associations,
  deposed,
  type Expected,
  expectDeployed,
  expectOnlyMotoGaps,
  FUNCTION_ROLES,
  lastSentConfig,
  line,
} from "../support/deployed";
import {
  distributionIds,
  leftInMoto,
  lambdaVersion,
  lifecycleEnv,
  lifecycleSkipReason,
  lifecycleSuite,
  motoProviderSettings,
  NOTHING_LEFT,
  type ResourceChange,
  vars,
  Workspace,
} from "../support/lifecycle";
import { type Moto, sentAssociations, xmlText } from "../support/moto";

const skip = lifecycleSkipReason();
if (skip) console.warn(`${skip}: skipping the examples' apply/update/destroy lifecycle tests against moto.`);
const describeLifecycle = skip ? describe.skip : describe;

const NODE_URL = "https://wallarm-node.example.com";
const ORIGIN = "api.example.com";
const DISTRIBUTION = "module.wallarm_connector.module.distribution_association.aws_cloudfront_distribution.this[0]";

/** Module settings changed the way a user would edit the example (an override file here). */
function setModuleArguments(ws: Workspace, values: Record<string, string | number>): void {
  const body = Object.entries(values)
    .map(([k, v]) => `  ${k} = ${JSON.stringify(v)}\n`)
    .join("");
  writeFileSync(join(ws.dir, "settings_override.tf"), `module "wallarm_connector" {\n${body}}\n`);
}

async function outputsOf(ws: Workspace): Promise<{ associations: Associations; distributionId: string }> {
  const outputs = await ws.outputs();
  return { associations: outputs.lifecycle_associations as Associations, distributionId: outputs.lifecycle_distribution_id as string };
}

describeLifecycle("the examples: apply, update and destroy against moto", () => {
  const suite = lifecycleSuite("lifecycle timings (examples)");

  /**
   * Its own moto (empty), and the example's folder in the applicable copy with its provider
   * blocks aimed at it by an override file and extra outputs for the checks, initialised.
   */
  async function example(name: string, outputs: Record<string, string>): Promise<{ moto: Moto; ws: Workspace }> {
    const moto = await suite.moto();
    const dir = join(suite.modules, "examples", name);
    const main = readFileSync(join(dir, "main.tf"), "utf8");
    const providers = [...main.matchAll(/^provider "aws" \{\n((?: {2}.*\n)*?)\}/gm)].map(([, body]) => /alias += "(\w+)"/.exec(body)?.[1]);
    writeFileSync(
      join(dir, "moto_override.tf"),
      providers
        .map((alias) => `provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ""}${motoProviderSettings(moto.endpoint)}}\n`)
        .join("\n"),
    );
    writeFileSync(
      join(dir, "lifecycle_outputs.tf"),
      Object.entries(outputs)
        .map(([output, value]) => `output "lifecycle_${output}" {\n  value = ${value}\n}\n`)
        .join("\n"),
    );
    const ws = suite.track(name, new Workspace(dir, lifecycleEnv(moto.endpoint)));
    await ws.init();
    return { moto, ws };
  }

  const expected = (overrides: Partial<Expected>): Expected => ({
    trigger: "origin",
    namePrefix: "wallarm-connector",
    roleName: "wallarm-connector-edge",
    runtime: "nodejs22.x",
    memorySize: 128,
    timeout: 5,
    settings: { wallarm_node_url: NODE_URL },
    ...overrides,
  });

  describe("new-distribution", () => {
    const { step } = suite.scenario("new-distribution");
    let moto: Moto;
    let ws: Workspace;
    let distributionId: string;
    const args = vars({ wallarm_node_url: NODE_URL, origin_domain_name: ORIGIN });

    step("applies: published functions, and a distribution created with their associations", async () => {
      ({ moto, ws } = await example("new-distribution", {
        associations: "module.wallarm_connector.lambda_function_associations",
        distribution_id: "module.wallarm_connector.distribution_id",
      }));
      await ws.apply(args);
      const { associations, distributionId: id } = await outputsOf(ws);
      distributionId = id;
      const deployed = await expectDeployed(
        moto,
        suite.archive,
        associations,
        expected({ settings: { wallarm_node_url: NODE_URL, wallarm_mode: "inline" } }),
      );
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
      expect(sentAssociations(lastSentConfig(moto))).toEqual(asSent(associations));
      expect(await distributionIds(moto)).toEqual([distributionId]);
      // What moto keeps of them: nothing (the reason for the restricted re-plan below).
      const held = await moto.cloudfront(`/distribution/${distributionId}`);
      expect(xmlText(xmlText(held.body, "LambdaFunctionAssociations") ?? "", "Quantity")).toBe("0");
    });

    step("re-plans only what moto did not keep of the distribution", async () => {
      await expectOnlyMotoGaps(ws, args, DISTRIBUTION, (await outputsOf(ws)).associations);
    });

    step("publishes new versions for a new node_timeout_ms, and moves the distribution to them in the same apply", async () => {
      setModuleArguments(ws, { node_timeout_ms: 1500 });
      await ws.apply(args);
      const { associations } = await outputsOf(ws);
      const deployed = await expectDeployed(moto, suite.archive, associations, expected({ settings: { node_timeout_ms: 1500 } }));
      expect(deployed.versions).toEqual({ request: 2, response: 2 });
      expect(sentAssociations(lastSentConfig(moto, distributionId))).toEqual(asSent(associations));
    });

    step("renames: the old role's log policy goes only after CloudFront moved to the new functions and the old ones are gone", async () => {
      setModuleArguments(ws, { node_timeout_ms: 1500, name_prefix: "shop-edge" });
      const log = new ApplyLog((await ws.apply(args)).stdout);
      const { associations } = await outputsOf(ws);
      await expectDeployed(
        moto,
        suite.archive,
        associations,
        expected({ namePrefix: "shop-edge", roleName: "shop-edge-edge", settings: { node_timeout_ms: 1500 } }),
      );
      expect(sentAssociations(lastSentConfig(moto, distributionId))).toEqual(asSent(associations));

      const policy = "module.wallarm_connector.module.iam_trust[0].aws_iam_role_policy.logs";
      const fn = (r: string) => `module.wallarm_connector.module.lambda_edge.aws_lambda_function.this["${r}"]`;
      const moved: [string, RegExp] = ["distribution moved to the new functions", line(DISTRIBUTION, ": Modifications complete")];
      const oldPolicyDeleted: [string, RegExp] = ["old log policy deleted", line(policy, ": Destroying...")];
      for (const r of FUNCTION_ROLES) {
        log.expectOrder([`new ${r} function created`, line(fn(r), ": Creation complete")], moved);
        log.expectOrder(moved, [`old ${r} function deleted`, deposed(fn(r), ": Destroying...")]);
        log.expectOrder([`old ${r} function deleted`, line(fn(r), ": Destruction complete")], oldPolicyDeleted);
      }
      log.expectOrder(moved, oldPolicyDeleted);
      for (const r of FUNCTION_ROLES) expect(await lambdaVersion(moto, `wallarm-connector-${r}`, "2")).toBeUndefined();
    });

    step("destroys everything, the distribution included: nothing left in state or in moto", async () => {
      await ws.destroy(args);
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });

  describe("async-viewer", () => {
    const { step } = suite.scenario("async-viewer");
    let moto: Moto;
    let ws: Workspace;
    const args = vars({ wallarm_node_url: NODE_URL, origin_domain_name: ORIGIN });

    step("applies: viewer functions within the viewer limits (128 MB, 5 s), async, on the distribution's viewer events", async () => {
      ({ moto, ws } = await example("async-viewer", {
        associations: "module.wallarm_connector.lambda_function_associations",
        distribution_id: "module.wallarm_connector.distribution_id",
      }));
      await ws.apply(args);
      const { associations } = await outputsOf(ws);
      const deployed = await expectDeployed(
        moto,
        suite.archive,
        associations,
        expected({ trigger: "viewer", settings: { wallarm_mode: "async", node_timeout_ms: 1000 } }),
      );
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
      expect(sentAssociations(lastSentConfig(moto))).toEqual(asSent(associations));
    });

    step("re-plans only what moto did not keep of the distribution", async () => {
      await expectOnlyMotoGaps(ws, args, DISTRIBUTION, (await outputsOf(ws)).associations);
    });

    step("destroys everything: nothing left in state or in moto", async () => {
      await ws.destroy(args);
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });

  describe("existing-distribution (a distribution made outside Terraform, adopted by the import block)", () => {
    const { step } = suite.scenario("existing-distribution");
    let moto: Moto;
    let ws: Workspace;
    let userDistribution: string;
    let args: string[];

    step("applies: imports the distribution and adds the connector's associations to it", async () => {
      ({ moto, ws } = await example("existing-distribution", {
        associations: "module.wallarm_connector.lambda_function_associations",
        distribution_id: "aws_cloudfront_distribution.this.id",
      }));
      // The user's distribution, made outside Terraform (straight to moto, not through the proxy).
      const created = await moto.cloudfront("/distribution", {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: USER_DISTRIBUTION,
      });
      if (created.status !== 201) throw new Error(`CreateDistribution: ${created.status} ${created.body}`);
      userDistribution = xmlText(created.body, "Id") ?? "";
      args = vars({ wallarm_node_url: NODE_URL, origin_domain_name: ORIGIN, distribution_id: userDistribution });

      const applied = await ws.apply(args);
      expect(applied.stdout).toContain(`aws_cloudfront_distribution.this: Import complete [id=${userDistribution}]`);
      expect(applied.stdout).toMatch(/Apply complete! Resources: 1 imported,/);
      const { associations, distributionId } = await outputsOf(ws);
      expect(distributionId).toBe(userDistribution);
      await expectDeployed(moto, suite.archive, associations, expected({}));
      expect(sentAssociations(lastSentConfig(moto, userDistribution))).toEqual(asSent(associations));
      expect(await distributionIds(moto)).toEqual([userDistribution]);
    });

    step("re-plans only what moto did not keep of the distribution", async () => {
      await expectOnlyMotoGaps(ws, args, "aws_cloudfront_distribution.this", (await outputsOf(ws)).associations);
    });

    step("terraform destroy would delete the user's distribution (the README warns); after `terraform state rm` it stays", async () => {
      await ws.run(["plan", "-destroy", "-input=false", "-out=destroy.tfplan", ...args]);
      const show = JSON.parse((await ws.run(["show", "-json", "destroy.tfplan"])).stdout) as { resource_changes: ResourceChange[] };
      expect(show.resource_changes.find((c) => c.address === "aws_cloudfront_distribution.this")?.change.actions).toEqual(["delete"]);

      await ws.run(["state", "rm", "aws_cloudfront_distribution.this"]);
      await ws.destroy(args);
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual({ ...NOTHING_LEFT, distributions: [userDistribution] });
    });
  });
});

/** A distribution as a user made it in the console: one custom origin, a cache policy, no functions. */
const USER_DISTRIBUTION = `<?xml version="1.0" encoding="UTF-8"?>
<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <CallerReference>made-outside-terraform</CallerReference>
  <Comment>Existing distribution, now with the Wallarm connector</Comment>
  <Enabled>true</Enabled>
  <Origins>
    <Quantity>1</Quantity>
    <Items>
      <Origin>
        <Id>api</Id>
        <DomainName>${ORIGIN}</DomainName>
        <CustomOriginConfig>
          <HTTPPort>80</HTTPPort>
          <HTTPSPort>443</HTTPSPort>
          <OriginProtocolPolicy>https-only</OriginProtocolPolicy>
          <OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols>
        </CustomOriginConfig>
      </Origin>
    </Items>
  </Origins>
  <DefaultCacheBehavior>
    <TargetOriginId>api</TargetOriginId>
    <ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>
    <CachePolicyId>4135ea2d-6df8-44a3-9df3-4b5a84be39ad</CachePolicyId>
  </DefaultCacheBehavior>
</DistributionConfig>
`;
