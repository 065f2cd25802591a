// Issue 20 item 3: the cdktf users' path against moto. cdktf synthesizes in this process into an
// outdir of the test's own, as `cdktf synth` and `cdktf deploy` do, (a) the WallarmConnectorStack
// and (b) a user's own stack: the WallarmConnector construct beside the user's CloudFront
// distribution, which takes `connector.lambdaFunctionAssociations`. Each is applied with the real
// terraform and aws provider, re-planned, renamed (namePrefix: successors first, the old log
// policy only after the old functions; each entry point wires roleDependsOn itself) and
// destroyed, against its own moto, side by side. Only (b) is also updated (a handler setting: new
// versions, the distribution moved to them): that is LambdaEdge's doing, the same in (a), whose
// distribution costs the provider's 30 s wait for deployment on every change.
// The synthesized cdk.tf.json gets the modules' stand-in for hashicorp/archive (apply.test.ts)
// and an override file aiming its aws providers at moto (support/lifecycle.ts applicableSynth).
// What moto does not keep of a distribution is handled as examples.test.ts does (support/deployed.ts).
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  App,
  AwsProvider,
  CloudfrontDistribution,
  TerraformOutput,
  type TerraformResource,
  TerraformStack,
} from "../../modules/library/cdktf";
import { CACHING_DISABLED } from "../../modules/library/cloudfront-policies";
import { WallarmConnectorStack, type WallarmConnectorStackProps } from "../../modules/library/connector-stack";
import { WallarmConnector, type WallarmConnectorProps } from "../../modules/library/wallarm-connector";
import {
  ApplyLog,
  type Associations,
  asSent,
  type Deployed,
  deposed,
  type Expected,
  expectDeployed,
  expectOnlyMotoGaps,
  FUNCTION_ROLES,
  lastSentConfig,
  line,
} from "../support/deployed";
import {
  applicableSynth,
  distributionIds,
  lambdaVersion,
  leftInMoto,
  lifecycleEnv,
  lifecycleSkipReason,
  lifecycleSuite,
  NOTHING_LEFT,
  roleTrustPolicy,
  Workspace,
} from "../support/lifecycle";
import { type Moto, sentAssociations } from "../support/moto";

const skip = lifecycleSkipReason();
if (skip) console.warn(`${skip}: skipping the cdktf stacks' apply/update/destroy lifecycle tests against moto.`);
const describeLifecycle = skip ? describe.skip : describe;

const NODE_URL = "https://wallarm-node.example.com";
const ORIGIN = "api.example.com";

/** A Terraform address of a cdktf resource (its logical id is the name). */
const address = (resource: TerraformResource): string => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;

/** The addresses a rename is checked on: the connector's role, log policy, functions, and the distribution using them. */
interface Addresses {
  role: string;
  logPolicy: string;
  functions: string;
  distribution: string;
}

/** A stack synthesized into its own outdir, re-synthesized there for every deploy (as a user's project is). */
class SynthesizedStack<Props> {
  /** The app's outdir, made at the first synth (describe bodies run even when the tests are skipped). */
  private outdirMade?: string;

  constructor(
    readonly id: string,
    private readonly build: (app: App, id: string, props: Props) => Addresses,
  ) {}

  private get outdir(): string {
    this.outdirMade ??= mkdtempSync(join(tmpdir(), "cdktf-lifecycle-"));
    return this.outdirMade;
  }

  /** The folder terraform runs in: cdktf.out/stacks/<id>, with its .terraform and state kept between synths. */
  get dir(): string {
    return join(this.outdir, "stacks", this.id);
  }

  /**
   * The bundles the last synth packaged (cdktf copies them to assets/<asset>/<content hash>/ and
   * removes older copies): what the zips must hold, whatever modules/library/bundles holds since.
   */
  get bundleDir(): string {
    const assets = join(this.dir, "assets");
    const copies = readdirSync(assets).flatMap((asset) => readdirSync(join(assets, asset)).map((hash) => join(assets, asset, hash)));
    if (copies.length !== 1) throw new Error(`expected one copy of the bundles in ${assets}, found ${copies.join(", ")}`);
    return copies[0];
  }

  /** `cdktf synth` with `props`, then the stand-in and moto's endpoints (support/lifecycle.ts applicableSynth). */
  synth(props: Props, archiveUrl: string, moto: Moto): Addresses {
    const app = new App({ outdir: this.outdir });
    const addresses = this.build(app, this.id, props);
    app.synth();
    applicableSynth(this.dir, archiveUrl, moto.endpoint);
    return addresses;
  }
}

/** (a) The stack users deploy as is: its own providers, role, functions and a new distribution. */
function connectorStack(app: App, id: string, props: WallarmConnectorStackProps): Addresses {
  new WallarmConnectorStack(app, id, props);
  // Module layout: the generated modules' fixed names.
  return {
    role: "aws_iam_role.this",
    logPolicy: "aws_iam_role_policy.logs",
    functions: "aws_lambda_function.this",
    distribution: "aws_cloudfront_distribution.this[0]",
  };
}

type UserProps = Pick<WallarmConnectorProps, "namePrefix" | "nodeTimeoutMs">;

/** (b) A user's own stack: a default provider elsewhere, a us-east-1 one for the connector, the user's distribution. */
function userStack(app: App, id: string, props: UserProps): Addresses {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const usEast1 = new AwsProvider(stack, "aws_us_east_1", { region: "us-east-1", alias: "us_east_1" });
  const connector = new WallarmConnector(stack, "wallarm", {
    wallarmNodeUrl: NODE_URL,
    provider: usEast1,
    memorySize: 256,
    timeout: 10,
    skipExtensions: ["png"],
    ...props,
  });
  const distribution = new CloudfrontDistribution(stack, "site", {
    enabled: true,
    comment: "The user's own site",
    origin: [
      {
        originId: "api",
        domainName: ORIGIN,
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
      },
    ],
    defaultCacheBehavior: {
      targetOriginId: "api",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: CACHING_DISABLED,
      lambdaFunctionAssociation: connector.lambdaFunctionAssociations,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
    // The user's choice (many pipelines make it): apply returns once CloudFront took the change,
    // which also spares this test the provider's 30 s wait after each create and update.
    waitForDeployment: false,
  });
  new TerraformOutput(stack, "distribution_id", { value: distribution.id });
  // The construct's associations, keyed by event type as the modules' output is.
  new TerraformOutput(stack, "lambda_function_associations", {
    value: Object.fromEntries(
      connector.lambdaFunctionAssociations.map((a) => [
        a.eventType,
        { event_type: a.eventType, lambda_arn: a.lambdaArn, include_body: a.includeBody },
      ]),
    ),
  });
  return {
    role: address(connector.role!.role),
    logPolicy: address(connector.role!.logRolePolicy),
    functions: address(connector.functions.lambdaFunctions),
    distribution: address(distribution),
  };
}

describeLifecycle("cdktf stacks: apply, update and destroy against moto", () => {
  const suite = lifecycleSuite("lifecycle timings (cdktf)");

  /**
   * What every case checks after an apply: the connector in moto (zips of the bundles in
   * `bundleDir`), and the associations the provider sent CloudFront.
   */
  async function checkApplied(
    moto: Moto,
    ws: Workspace,
    bundleDir: string,
    expected: Expected,
    distributionId?: string,
  ): Promise<Deployed> {
    const associations = (await ws.outputs()).lambda_function_associations as Associations;
    const deployed = await expectDeployed(moto, suite.archive, associations, { ...expected, bundleDir });
    expect(sentAssociations(lastSentConfig(moto, distributionId))).toEqual(asSent(associations));
    return deployed;
  }

  /**
   * The rename's order, from the apply's output: the new role and log policy come before the new
   * functions, CloudFront moves to the new functions before the old ones go, and the old log
   * policy goes only after the old functions (which serve until CloudFront moved) and before the
   * old role.
   */
  function expectRenameOrder(log: ApplyLog, at: Addresses): void {
    const fn = (role: string) => `${at.functions}["${role}"]`;
    const moved: [string, RegExp] = ["distribution moved to the new functions", line(at.distribution, ": Modifications complete")];
    const oldPolicyDeleted: [string, RegExp] = ["old log policy deleted", line(at.logPolicy, ": Destroying...")];
    log.expectOrder(["new role created", line(at.role, ": Creation complete")], oldPolicyDeleted);
    for (const r of FUNCTION_ROLES) {
      log.expectOrder(
        ["new log policy created", line(at.logPolicy, ": Creation complete")],
        [`new ${r} function created`, line(fn(r), ": Creating...")],
      );
      log.expectOrder([`new ${r} function created`, line(fn(r), ": Creation complete")], moved);
      log.expectOrder(moved, [`old ${r} function deleted`, deposed(fn(r), ": Destroying...")]);
      log.expectOrder([`old ${r} function deleted`, line(fn(r), ": Destruction complete")], oldPolicyDeleted);
    }
    log.expectOrder(oldPolicyDeleted, ["old role deleted", deposed(at.role, ": Destroying...")]);
  }

  describe("(a) WallarmConnectorStack, deployed as is", () => {
    const { step } = suite.scenario("connector-stack");
    const stack = new SynthesizedStack("wallarm-connector", connectorStack);
    let props: WallarmConnectorStackProps = { originDomainName: ORIGIN, wallarmNodeUrl: NODE_URL };
    let moto: Moto;
    let ws: Workspace;
    let at: Addresses;
    let distributionId: string;
    const expected = (): Expected => {
      const namePrefix = props.namePrefix ?? "wallarm-connector";
      return {
        trigger: "origin",
        namePrefix,
        roleName: `${namePrefix}-edge`,
        runtime: "nodejs22.x",
        memorySize: 128,
        timeout: 5,
        settings: { wallarm_node_url: NODE_URL, wallarm_mode: props.mode ?? "inline" },
      };
    };

    step("synthesizes and applies: published functions, the role Lambda@Edge trusts, a distribution with their associations", async () => {
      moto = await suite.moto();
      at = stack.synth(props, suite.archive.url, moto);
      ws = suite.track("connector-stack", new Workspace(stack.dir, lifecycleEnv(moto.endpoint)));
      await ws.init();
      await ws.apply();
      [distributionId] = await distributionIds(moto);
      const deployed = await checkApplied(moto, ws, stack.bundleDir, expected());
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
    });

    step("re-plans only what moto did not keep of the distribution", async () => {
      await expectOnlyMotoGaps(ws, [], at.distribution, (await ws.outputs()).lambda_function_associations as Associations);
    });

    step("renames namePrefix: successors first, the old log policy only after the old functions", async () => {
      props = { ...props, namePrefix: "shop-edge" };
      stack.synth(props, suite.archive.url, moto);
      const log = new ApplyLog((await ws.apply()).stdout);
      const deployed = await checkApplied(moto, ws, stack.bundleDir, expected(), distributionId);
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
      expectRenameOrder(log, at);
      expect(await roleTrustPolicy(moto, "wallarm-connector-edge")).toBeUndefined();
      for (const r of FUNCTION_ROLES) expect(await lambdaVersion(moto, `wallarm-connector-${r}`, "1")).toBeUndefined();
    });

    step("destroys everything: nothing left in state or in moto", async () => {
      await ws.destroy();
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });

  describe("(b) WallarmConnector in a user's own stack, beside the user's distribution", () => {
    const { step } = suite.scenario("user-stack");
    const stack = new SynthesizedStack("user-site", userStack);
    let props: UserProps = { namePrefix: "shop", nodeTimeoutMs: 1000 };
    let moto: Moto;
    let ws: Workspace;
    let at: Addresses;
    let distributionId: string;
    let deployed: Deployed;
    const expected = (): Expected => ({
      trigger: "origin",
      namePrefix: props.namePrefix,
      roleName: `${props.namePrefix}-edge`,
      runtime: "nodejs22.x",
      memorySize: 256,
      timeout: 10,
      settings: { wallarm_node_url: NODE_URL, wallarm_mode: "inline", node_timeout_ms: props.nodeTimeoutMs, skip_extensions: ["png"] },
    });

    step(
      "synthesizes and applies: the connector's functions published, the user's distribution created with their associations",
      async () => {
        moto = await suite.moto();
        at = stack.synth(props, suite.archive.url, moto);
        ws = suite.track("user-stack", new Workspace(stack.dir, lifecycleEnv(moto.endpoint)));
        await ws.init();
        await ws.apply();
        distributionId = (await ws.outputs()).distribution_id as string;
        expect(await distributionIds(moto)).toEqual([distributionId]);
        deployed = await checkApplied(moto, ws, stack.bundleDir, expected());
        expect(deployed.versions).toEqual({ request: 1, response: 1 });
      },
    );

    step("re-plans only what moto did not keep of the user's distribution", async () => {
      await expectOnlyMotoGaps(ws, [], at.distribution, (await ws.outputs()).lambda_function_associations as Associations);
    });

    step("a new nodeTimeoutMs: new versions published, the old ones kept as they were, the distribution moved to them", async () => {
      const before = deployed;
      props = { ...props, nodeTimeoutMs: 1500 };
      stack.synth(props, suite.archive.url, moto);
      await ws.apply();
      deployed = await checkApplied(moto, ws, stack.bundleDir, expected(), distributionId);
      expect(deployed.versions).toEqual({ request: 2, response: 2 });
      for (const role of FUNCTION_ROLES) {
        expect(deployed.configurations[role].CodeSha256).not.toBe(before.configurations[role].CodeSha256);
        expect((await lambdaVersion(moto, `shop-${role}`, "1"))?.CodeSha256).toBe(before.configurations[role].CodeSha256);
      }
    });

    step("renames namePrefix: successors first, the old log policy only after the old functions", async () => {
      props = { ...props, namePrefix: "shop-renamed" };
      stack.synth(props, suite.archive.url, moto);
      const log = new ApplyLog((await ws.apply()).stdout);
      deployed = await checkApplied(moto, ws, stack.bundleDir, expected(), distributionId);
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
      expectRenameOrder(log, at);
      expect(await roleTrustPolicy(moto, "shop-edge")).toBeUndefined();
      for (const r of FUNCTION_ROLES) expect(await lambdaVersion(moto, `shop-${r}`, "1")).toBeUndefined();
    });

    step("destroys everything, the user's distribution included: nothing left in state or in moto", async () => {
      await ws.destroy();
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });
});
