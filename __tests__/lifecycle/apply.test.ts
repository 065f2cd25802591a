// Issue 20: apply, update and destroy for real, against moto (an AWS API emulator on 127.0.0.1),
// with the real terraform and aws provider from the local mirror. hashicorp/archive is not in
// the mirror, so its data source is swapped for a stand-in that builds the same zip from the same
// inputs (support/archive-stand-in.ts). Each case starts from an empty moto and ends with nothing
// left in state or in moto. Here: the lambda-edge module (with the iam-trust role, wired as the
// README shows) and the root module, neither with a distribution; moto does not keep a
// distribution's Lambda@Edge associations, so the cases with one are in examples.test.ts, where
// their re-plan is checked against exactly what moto loses. The cases run side by side, each
// against its own moto (most of an apply is the provider waiting); each step is its own test.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApplyLog,
  type Associations,
  type Deployed,
  deposed,
  type Expected,
  expectDeployed,
  FUNCTION_ROLES,
  line,
} from "../support/deployed";
import {
  leftInMoto,
  lambdaVersion,
  lifecycleEnv,
  lifecycleSkipReason,
  lifecycleSuite,
  motoProvider,
  NOTHING_LEFT,
  roleTrustPolicy,
  vars,
  Workspace,
} from "../support/lifecycle";
import type { Moto } from "../support/moto";

const skip = lifecycleSkipReason();
if (skip) console.warn(`${skip}: skipping the apply/update/destroy lifecycle tests against moto.`);
const describeLifecycle = skip ? describe.skip : describe;

const NODE_URL = "https://wallarm-node.example.com";

describeLifecycle("apply, update and destroy against moto", () => {
  const suite = lifecycleSuite("lifecycle timings");

  /** Its own moto, and a root module directory with `body` after a provider aimed at it, initialised. */
  async function workspace(name: string, body: (modules: string) => string): Promise<{ moto: Moto; ws: Workspace }> {
    const moto = await suite.moto();
    const dir = mkdtempSync(join(tmpdir(), `tf-lifecycle-${name}-`));
    writeFileSync(join(dir, "main.tf"), `${motoProvider(moto.endpoint)}\n${body(suite.modules)}`);
    const ws = suite.track(name, new Workspace(dir, lifecycleEnv(moto.endpoint)));
    await ws.init();
    return { moto, ws };
  }

  describe("lambda-edge module with the iam-trust role", () => {
    const { step } = suite.scenario("lambda-edge");
    let moto: Moto;
    let ws: Workspace;
    let deployed: Deployed;
    const settings = { name_prefix: "edge-case", node_timeout_ms: 1000, memory_size: 128 };
    async function check(): Promise<Deployed> {
      const outputs = await ws.outputs();
      const expected: Expected = {
        trigger: "origin",
        namePrefix: settings.name_prefix,
        roleName: `${settings.name_prefix}-edge`,
        runtime: "nodejs22.x",
        memorySize: settings.memory_size,
        timeout: 5,
        settings: { wallarm_node_url: NODE_URL, node_timeout_ms: settings.node_timeout_ms, wallarm_mode: "inline" },
        configJson: outputs.config_json as string,
      };
      return expectDeployed(moto, suite.archive, outputs.associations as Associations, expected);
    }

    step(
      "applies: both functions published within the origin limits, no environment, the role trusted by Lambda@Edge, zips of the bundle and config.json",
      async () => {
        ({ moto, ws } = await workspace(
          "lambda-edge",
          (modules) => `variable "name_prefix" {
  type = string
}

variable "node_timeout_ms" {
  type = number
}

variable "memory_size" {
  type = number
}

module "role" {
  source      = "${modules}/modules/iam-trust"
  name_prefix = var.name_prefix
}

module "edge" {
  source           = "${modules}/modules/lambda-edge"
  role_arn         = module.role.role_arn
  name_prefix      = var.name_prefix
  wallarm_node_url = "${NODE_URL}"
  node_timeout_ms  = var.node_timeout_ms
  memory_size      = var.memory_size
}

output "associations" {
  value = module.edge.lambda_function_associations
}

output "config_json" {
  value = module.edge.config_json
}
`,
        ));
        await ws.apply(vars(settings));
        deployed = await check();
        expect(deployed.versions).toEqual({ request: 1, response: 1 });
      },
    );

    step("plans nothing after the apply", async () => {
      const replan = await ws.plan(vars(settings));
      expect(replan.changes).toEqual([]);
      expect(replan.exitCode).toBe(0);
    });

    step("publishes new versions for a new node_timeout_ms, and the associations follow; the old versions stay as they were", async () => {
      const before = deployed;
      settings.node_timeout_ms = 1500;
      await ws.apply(vars(settings));
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 2, response: 2 });
      for (const role of FUNCTION_ROLES) {
        expect(deployed.configurations[role].CodeSha256).not.toBe(before.configurations[role].CodeSha256);
        expect((await lambdaVersion(moto, `edge-case-${role}`, "1"))?.CodeSha256).toBe(before.configurations[role].CodeSha256);
      }
    });

    step("publishes new versions for a new memory_size, with the same code", async () => {
      const before = deployed;
      settings.memory_size = 256;
      await ws.apply(vars(settings));
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 3, response: 3 });
      for (const role of FUNCTION_ROLES) {
        expect(deployed.configurations[role].CodeSha256).toBe(before.configurations[role].CodeSha256);
        expect((await lambdaVersion(moto, `edge-case-${role}`, "2"))?.MemorySize).toBe(128);
      }
    });

    step("plans nothing after the updates", async () => {
      const replan = await ws.plan(vars(settings));
      expect(replan.changes).toEqual([]);
      expect(replan.exitCode).toBe(0);
    });

    step("renames: the new role, log policy and functions come first; the old log policy goes only after the old functions", async () => {
      const old = settings.name_prefix;
      settings.name_prefix = "edge-renamed";
      const log = new ApplyLog((await ws.apply(vars(settings))).stdout);
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 1, response: 1 });

      const policy = "module.role.aws_iam_role_policy.logs";
      const role = "module.role.aws_iam_role.this";
      const fn = (r: string) => `module.edge.aws_lambda_function.this["${r}"]`;
      // Finding 1: the old log policy was deleted first, before the new role existed. Now it goes
      // once the new role exists and both old functions are gone, and before the old role.
      const oldPolicyDeleted: [string, RegExp] = ["old log policy deleted", line(policy, ": Destroying...")];
      log.expectOrder(["new role created", line(role, ": Creation complete")], oldPolicyDeleted);
      for (const r of FUNCTION_ROLES)
        log.expectOrder([`old ${r} function deleted`, line(fn(r), ": Destruction complete")], oldPolicyDeleted);
      log.expectOrder(oldPolicyDeleted, ["old role deleted", deposed(role, ": Destroying...")]);
      // And the new functions are created once the new policy exists: they never run without it.
      for (const r of FUNCTION_ROLES) {
        log.expectOrder(
          ["new log policy created", line(policy, ": Creation complete")],
          [`new ${r} function created`, line(fn(r), ": Creating...")],
        );
      }

      expect(await roleTrustPolicy(moto, `${old}-edge`)).toBeUndefined();
      for (const r of FUNCTION_ROLES) expect(await lambdaVersion(moto, `${old}-${r}`, "1")).toBeUndefined();
    });

    step("destroys everything: nothing left in state or in moto", async () => {
      await ws.destroy(vars(settings));
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });

  describe("root module (role, functions, associations; no distribution)", () => {
    const { step } = suite.scenario("root");
    let moto: Moto;
    let ws: Workspace;
    let deployed: Deployed;
    const settings = { node_timeout_ms: 1000, memory_size: 128 };
    const OUTPUTS = [
      "lambda_function_associations",
      "request_function_qualified_arn",
      "response_function_qualified_arn",
      "distribution_id",
      "role_name",
    ];
    /** The associations output checked against moto, and the outputs that must agree with it. */
    async function check(): Promise<Deployed> {
      const outputs = await ws.outputs();
      const associations = outputs.lambda_function_associations as Associations;
      expect(outputs.request_function_qualified_arn).toBe(associations["origin-request"].lambda_arn);
      expect(outputs.response_function_qualified_arn).toBe(associations["origin-response"].lambda_arn);
      expect(outputs.role_name).toBe("wallarm-connector-edge");
      expect(outputs.distribution_id ?? null).toBeNull(); // null outputs are left out of `terraform output -json`
      return expectDeployed(moto, suite.archive, associations, {
        trigger: "origin",
        namePrefix: "wallarm-connector",
        roleName: "wallarm-connector-edge",
        runtime: "nodejs22.x",
        memorySize: settings.memory_size,
        timeout: 5,
        settings: {
          wallarm_node_url: NODE_URL,
          node_timeout_ms: settings.node_timeout_ms,
          wallarm_mode: "inline",
          skip_extensions: ["png"],
        },
      });
    }

    step("applies: role, published functions and associations as the lambda-edge module makes them", async () => {
      ({ moto, ws } = await workspace(
        "root",
        (modules) => `variable "node_timeout_ms" {
  type = number
}

variable "memory_size" {
  type = number
}

module "wallarm_connector" {
  source = "${modules}"

  wallarm_node_url = "${NODE_URL}"
  node_timeout_ms  = var.node_timeout_ms
  memory_size      = var.memory_size
  skip_extensions  = ["png"]
}

${OUTPUTS.map((o) => `output "${o}" {\n  value = module.wallarm_connector.${o}\n}\n`).join("\n")}`,
      ));
      await ws.apply(vars(settings));
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 1, response: 1 });
    });

    step("plans nothing after the apply", async () => {
      const replan = await ws.plan(vars(settings));
      expect(replan.changes).toEqual([]);
      expect(replan.exitCode).toBe(0);
    });

    step("publishes new versions for a new node_timeout_ms and points the associations at them", async () => {
      settings.node_timeout_ms = 2000;
      await ws.apply(vars(settings));
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 2, response: 2 });
    });

    step("publishes new versions for a new memory_size", async () => {
      settings.memory_size = 512;
      await ws.apply(vars(settings));
      deployed = await check();
      expect(deployed.versions).toEqual({ request: 3, response: 3 });
    });

    step("plans nothing after the updates", async () => {
      const replan = await ws.plan(vars(settings));
      expect(replan.changes).toEqual([]);
      expect(replan.exitCode).toBe(0);
    });

    step("destroys everything: nothing left in state or in moto", async () => {
      await ws.destroy(vars(settings));
      expect(await ws.stateList()).toEqual([]);
      expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
    });
  });
});
