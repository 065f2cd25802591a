// Issue 20 item 3: pipelines that run `terraform plan -out` and `terraform apply` of the plan file
// in separate jobs. Each job is a fresh checkout of the user's repository (the root module calling
// the vendored connector tree, with state in a backend both jobs share, as a remote one is): the
// plan job inits and plans into tfplan; the apply job gets only the configuration and tfplan,
// inits and applies the file. The function zips (package_output_dir, under .terraform by default)
// are never carried between jobs, so the apply job must build each one the plan needs. Against
// moto, with the archive stand-in of apply.test.ts; generator/lambda-edge-saved-plans.test.ts
// checks the same rules on plans only.
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { type Associations, type Deployed, expectDeployed, FUNCTION_ROLES } from "../support/deployed";
import { leftInMoto, lifecycleEnv, lifecycleSkipReason, lifecycleSuite, motoProvider, NOTHING_LEFT, Workspace } from "../support/lifecycle";
import type { Moto } from "../support/moto";

const skip = lifecycleSkipReason();
if (skip) console.warn(`${skip}: skipping the saved-plan pipeline tests against moto.`);
const describeLifecycle = skip ? describe.skip : describe;

const NODE_URL = "https://wallarm-node.example.com";

/** Zips in a job's folder where the module writes them by default. */
function zipsIn(dir: string): string[] {
  const folder = join(dir, ".terraform", "wallarm-connector");
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

describeLifecycle("saved plans applied in a fresh job against moto", () => {
  const suite = lifecycleSuite("lifecycle timings (pipeline)");
  const { step } = suite.scenario("pipeline");
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  /** The state every job uses, as a remote backend would hold it. */
  let stateFile: string;

  /** A fresh checkout of the user's repository at a commit that sets node_timeout_ms. */
  function checkout(job: string, nodeTimeoutMs: number): Workspace {
    const dir = mkdtempSync(join(tmpdir(), `tf-pipeline-${job}-`));
    cpSync(suite.modules, join(dir, "wallarm-connector"), { recursive: true });
    writeFileSync(
      join(dir, "main.tf"),
      `terraform {
  backend "local" {
    path = "${stateFile}"
  }
}

${motoProvider(moto.endpoint)}
module "wallarm_connector" {
  source = "./wallarm-connector"

  wallarm_node_url = "${NODE_URL}"
  node_timeout_ms  = ${nodeTimeoutMs}
}

output "associations" {
  value = module.wallarm_connector.lambda_function_associations
}
`,
    );
    return suite.track(job, new Workspace(dir, env));
  }

  /**
   * One pipeline run: the plan job plans into tfplan; the apply job, a fresh checkout of the same
   * commit, gets tfplan only, inits and applies it.
   */
  async function pipeline(run: string, nodeTimeoutMs: number): Promise<{ planJob: Workspace; applyJob: Workspace }> {
    const planJob = checkout(`${run}-plan-job`, nodeTimeoutMs);
    await planJob.init();
    await planJob.run(["plan", "-input=false", "-out=tfplan"]);
    const applyJob = checkout(`${run}-apply-job`, nodeTimeoutMs);
    copyFileSync(join(planJob.dir, "tfplan"), join(applyJob.dir, "tfplan"));
    await applyJob.init();
    await applyJob.run(["apply", "-input=false", "-parallelism=16", "tfplan"]);
    return { planJob, applyJob };
  }

  /** The connector in moto, built from the vendored tree both jobs hold. */
  async function check(ws: Workspace, nodeTimeoutMs: number): Promise<Deployed> {
    const associations = (await ws.outputs()).associations as Associations;
    return expectDeployed(moto, suite.archive, associations, {
      trigger: "origin",
      namePrefix: "wallarm-connector",
      roleName: "wallarm-connector-edge",
      runtime: "nodejs22.x",
      memorySize: 128,
      timeout: 5,
      settings: { wallarm_node_url: NODE_URL, node_timeout_ms: nodeTimeoutMs },
      bundleDir: join(suite.modules, "modules/lambda-edge/dist"),
    });
  }

  /** Lambda runs zips built in the apply job's folder, and the plan job built none. */
  function expectZipsBuiltByApplyJob(planJob: Workspace, applyJob: Workspace, deployed: Deployed): void {
    expect(zipsIn(planJob.dir)).toEqual([]);
    for (const role of FUNCTION_ROLES) {
      const build = suite.archive.byHash(deployed.configurations[role].CodeSha256);
      expect({ role, builtIn: build?.absolutePath.startsWith(applyJob.dir + sep) }).toEqual({ role, builtIn: true });
    }
    expect(zipsIn(applyJob.dir)).toHaveLength(2);
  }

  step("first deploy: the plan job defers both zips to apply, and the apply job builds them and creates the functions", async () => {
    moto = await suite.moto();
    env = lifecycleEnv(moto.endpoint);
    stateFile = join(mkdtempSync(join(tmpdir(), "tf-pipeline-state-")), "terraform.tfstate");
    const { planJob, applyJob } = await pipeline("first", 1000);
    const deployed = await check(applyJob, 1000);
    expect(deployed.versions).toEqual({ request: 1, response: 1 });
    expectZipsBuiltByApplyJob(planJob, applyJob, deployed);
  });

  step("an update: a new node_timeout_ms planned in one job is published from zips the apply job builds", async () => {
    const { planJob, applyJob } = await pipeline("update", 1500);
    const deployed = await check(applyJob, 1500);
    expect(deployed.versions).toEqual({ request: 2, response: 2 });
    expectZipsBuiltByApplyJob(planJob, applyJob, deployed);
  });

  step("a fresh checkout of the same commit plans nothing: no zip of an earlier job is needed", async () => {
    const ws = checkout("steady", 1500);
    await ws.init();
    // Exit code 2 would be a change; its text says which (a show of the plan would cost a provider start).
    const plan = await ws.run(["plan", "-detailed-exitcode", "-input=false"], [0, 2]);
    expect({ exitCode: plan.status, plan: plan.status === 0 ? "" : plan.stdout }).toEqual({ exitCode: 0, plan: "" });
  });

  step("destroys everything from a fresh checkout: nothing left in state or in moto", async () => {
    const ws = checkout("destroy", 1500);
    await ws.init();
    await ws.destroy();
    expect(await ws.stateList()).toEqual([]);
    expect(await leftInMoto(moto)).toEqual(NOTHING_LEFT);
  });
});
