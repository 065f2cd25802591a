// Saved plans (`terraform plan -out` in one job, `terraform apply` of the file in a fresh one):
// the function zip must be built at apply whenever the function will be created or changed,
// and only then. The real terraform and aws provider plan generated/modules/lambda-edge offline
// against a stand-in Lambda API (ListFunctions only) and hand-written state; hashicorp/archive
// is not installable here, so each `data "archive_file"` is swapped for a built-in data source
// with the same inputs (`terraform_remote_state` with defaults), which Terraform reads at plan
// or defers to apply by the same rules. What the archive provider itself does at apply (write
// the file) is its documented behaviour, not tested here.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import { copyToTemp, mirroredProviders, offlineEnv, terraform, terraformBinary } from "../support/terraform";

const ready = terraformBinary() !== undefined && mirroredProviders().includes("hashicorp/aws");
if (!ready) console.warn("terraform or a local hashicorp/aws provider mirror is missing: skipping the saved-plan cases.");
const describePlan = ready ? describe : describe.skip;

/** The stand-in's `output_base64sha256`: a function of the zip path, which is content-addressed. */
const standInHash = (zip: string) => createHash("sha256").update(zip).digest("base64");

/**
 * main.tf with every `data "archive_file"` replaced by a `terraform_remote_state` that has the
 * same count/for_each and output_path (as a default output), so it depends on what the archive
 * depended on; references to the archive's attributes follow.
 */
export function withArchiveStandIn(mainTf: string): string {
  const blocks = /^data "archive_file" "(\w+)" \{\n([\s\S]*?)^\}\n/gm;
  const replaced = mainTf.replace(blocks, (_block, name: string, body: string) => {
    const meta = body.match(/^ {2}(count|for_each) += .*$/m)?.[0] ?? "";
    const path = body.match(/^ {2}output_path += (.*)$/m)?.[1];
    if (!path) throw new Error(`archive_file.${name} has no output_path`);
    return `data "terraform_remote_state" "${name}" {
${meta}
  backend  = "local"
  config   = { path = "\${path.module}/stand-in.tfstate" }
  defaults = { output_path = ${path}, output_base64sha256 = base64sha256(${path}) }
}
`;
  });
  if (replaced === mainTf) throw new Error('main.tf has no data "archive_file"');
  return replaced.replace(
    /data\.archive_file\.(\w+)((?:\[[^\]]*\])?)\.(output_path|output_base64sha256)/g,
    "data.terraform_remote_state.$1$2.outputs.$3",
  );
}

const EMPTY_STATE = (resources: unknown[] = []) =>
  JSON.stringify({
    version: 4,
    terraform_version: "1.9.0",
    serial: 1,
    lineage: "8a3c2f4e-1d2b-4c5a-9e8f-0a1b2c3d4e5f",
    outputs: {},
    resources,
  });

/** A stand-in Lambda API in its own process: ListFunctions answers with the names in `namesFile`. */
async function fakeLambda(namesFile: string): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const http = require("node:http"), fs = require("node:fs");
    const server = http.createServer((req, res) => {
      const names = JSON.parse(fs.readFileSync(${JSON.stringify(namesFile)}, "utf8"));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ Functions: names.map((n) => ({ FunctionName: n, FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + n })) }));
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the stand-in Lambda API exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

interface Change {
  actions: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  after_unknown: Record<string, unknown>;
}
type Role = "request" | "response";
const ROLES: Role[] = ["request", "response"];
/** The address of a role's instance: every element is one block with for_each over the roles. */
const at = (resource: string, role: Role) => `${resource}["${role}"]`;

/**
 * Each case is one module call with its own name prefix, so one plan covers them all (the aws
 * provider takes seconds to start here). `before` is what was applied, `after` what is planned.
 */
interface Case {
  /** Variables of the applied module and, where different, of the planned one. */
  before: Record<string, string>;
  after?: Record<string, string>;
  /** Instances of the applied module in state ('terraform_data.package["request"]', ...); all by default. */
  inState?: string[];
  /** Functions that exist in AWS, by role; both by default. */
  inAws?: Role[];
}
const CASES = {
  unchanged: { before: { name_prefix: "unchanged" } },
  setting: { before: { name_prefix: "setting" }, after: { name_prefix: "setting", wallarm_mode: "async" } },
  half_applied: {
    before: { name_prefix: "half" },
    inState: [at("terraform_data.package", "request"), at("terraform_data.package", "response")],
    inAws: [],
  },
  deleted: { before: { name_prefix: "deleted" }, inAws: ["response"] },
  renamed: { before: { name_prefix: "old-name" }, after: { name_prefix: "new-name" } },
  // One block over both functions: adding one must leave the other's zip and version alone.
  response_added: {
    before: { name_prefix: "added", create_response_function: "false" },
    after: { name_prefix: "added" },
    inState: ["terraform_data.package", "aws_cloudwatch_log_group.this", "aws_lambda_function.this"].map((r) => at(r, "request")),
    inAws: ["request"],
  },
  moved_zips: { before: { name_prefix: "moved" }, after: { name_prefix: "moved", package_output_dir: "build/zips" } },
  // Module parity (issue 9 item 4): first deploys in the second plan.
  disabled: { before: { name_prefix: "disabled", create: "false" }, inState: [], inAws: [] },
  own_groups: { before: { name_prefix: "own-groups", create_log_groups: "false" }, inState: [], inAws: [] },
  kms_groups: {
    before: {
      name_prefix: "kms-groups",
      log_group_kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      log_group_skip_destroy: "true",
    },
    inState: [],
    inAws: [],
  },
} satisfies Record<string, Case>;
type CaseName = keyof typeof CASES;
/** Module outputs each case passes to the root, to read those known at plan. */
const OUTPUTS = [
  "lambda_function_associations",
  "request_function_qualified_arn",
  "request_function_name",
  "response_function_arn",
  "request_log_group_name",
  "response_log_group_name",
  "config_json",
];

describePlan("lambda-edge saved plans: the zip is built at apply exactly when a function needs it", () => {
  let dir: string;
  let moduleDir: string;
  let env: NodeJS.ProcessEnv;
  let lambda: { url: string; child: ChildProcess };
  /** Planned changes of the first deploy (empty state) and of the second plan (after the cases' applies). */
  let first: Map<string, Change>;
  let second: Map<string, Change>;
  /** Output changes of the first deploy: what is known at plan, and what only after apply. */
  let firstOutputs: Record<string, { after: unknown; after_unknown: unknown }>;
  /** Outputs of each module call in the second plan (those known at plan). */
  let outputs: Record<string, Record<string, unknown>>;

  function root(vars: (c: Case) => Record<string, string>): string {
    const calls = Object.entries(CASES as Record<string, Case>).map(([name, c]) => {
      const extra = Object.entries(vars(c)).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}\n`);
      return `module "${name}" {
  source           = "${moduleDir}"
  wallarm_node_url = "https://wallarm-node.example.com"
  role_arn         = "arn:aws:iam::123456789012:role/edge"
${extra.join("")}}
${OUTPUTS.map((o) => `output "${name}__${o}" {\n  value = module.${name}.${o}\n}\n`).join("")}`;
    });
    return `provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    lambda = "${lambda.url}"
  }
}
${calls.join("")}`;
  }

  function planned(
    vars: (c: Case) => Record<string, string>,
    state: unknown[],
    existing: string[],
  ): {
    changes: Map<string, Change>;
    outputs: Record<string, Record<string, unknown>>;
    outputChanges: Record<string, { after: unknown; after_unknown: unknown }>;
  } {
    writeFileSync(join(dir, "main.tf"), root(vars));
    writeFileSync(join(dir, "terraform.tfstate"), EMPTY_STATE(state));
    writeFileSync(join(dir, "functions.json"), JSON.stringify(existing));
    const run = terraform(["plan", "-no-color", "-input=false", "-refresh=false", "-out=saved.plan"], dir, env);
    if (run.status !== 0) throw new Error(run.text);
    const json = JSON.parse(terraform(["show", "-json", "saved.plan"], dir, env).stdout);
    return {
      outputChanges: json.output_changes,
      changes: new Map((json.resource_changes as Array<{ address: string; change: Change }>).map((c) => [c.address, c.change])),
      outputs: Object.fromEntries(
        Object.keys(CASES).map((name) => [
          name,
          Object.fromEntries(
            Object.entries(json.planned_values.outputs as Record<string, { value?: unknown }>)
              .filter(([key, o]) => key.startsWith(`${name}__`) && "value" in o)
              .map(([key, o]) => [key.slice(name.length + 2), o.value]),
          ),
        ]),
      ),
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tf-saved-plan-"));
    moduleDir = copyToTemp(join(GENERATED_DIR, "modules/lambda-edge"));
    writeFileSync(join(moduleDir, "main.tf"), withArchiveStandIn(readFileSync(join(moduleDir, "main.tf"), "utf8")));
    const versions = readFileSync(join(moduleDir, "versions.tf"), "utf8");
    writeFileSync(join(moduleDir, "versions.tf"), versions.replace(/^ {4}archive = \{[^}]*\}\n/m, ""));
    writeFileSync(join(moduleDir, "stand-in.tfstate"), EMPTY_STATE());
    writeFileSync(join(dir, "functions.json"), "[]");
    lambda = await fakeLambda(join(dir, "functions.json"));
    env = offlineEnv();
    writeFileSync(
      join(dir, "main.tf"),
      root((c) => c.before),
    );
    const init = terraform(["init", "-no-color"], dir, env);
    if (init.status !== 0) throw new Error(init.text);

    ({ changes: first, outputChanges: firstOutputs } = planned((c) => c.before, [], []));
    // What each case's first apply left: state as planned (the zips it named) and the functions in AWS.
    const state = Object.entries(CASES as Record<string, Case>).flatMap(([name, c]) => {
      const zip = (role: Role) =>
        (first.get(`module.${name}.${at("terraform_data.package", role)}`)?.after?.input as { zip: string } | undefined)?.zip ?? "";
      return appliedState(name, c.before.name_prefix, { request: zip("request"), response: zip("response") }, c.inState);
    });
    const existing = Object.values(CASES as Record<string, Case>).flatMap((c) =>
      (c.inAws ?? ROLES).map((role) => `${c.before.name_prefix}-${role}`),
    );
    ({ changes: second, outputs } = planned((c) => c.after ?? c.before, state, existing));
  }, 120_000);
  afterAll(() => {
    lambda?.child.kill();
  });

  const change = (plan: Map<string, Change>, name: CaseName, address: string) => plan.get(`module.${name}.${address}`);
  const actions = (plan: Map<string, Change>, name: CaseName, address: string) => change(plan, name, address)?.actions ?? [];
  /** The archive's planned read: ["read"] when deferred to apply, [] when read at plan. */
  const zipRead = (plan: Map<string, Change>, name: CaseName, role: Role) =>
    actions(plan, name, at("data.terraform_remote_state.package", role));

  it("first deploy: both zips are built at apply, content-addressed, and the functions created", () => {
    for (const role of ROLES) {
      expect(zipRead(first, "unchanged", role)).toEqual(["read"]);
      expect(actions(first, "unchanged", at("aws_lambda_function.this", role))).toEqual(["create"]);
      const { zip } = change(first, "unchanged", at("terraform_data.package", role))?.after?.input as { zip: string };
      expect(zip).toMatch(new RegExp(`^\\./\\.terraform/wallarm-connector/unchanged-${role}-[0-9a-f]{16}\\.zip$`));
    }
    const zip = (name: CaseName) => (change(first, name, at("terraform_data.package", "request"))?.after?.input as { zip: string }).zip;
    // Same code and settings under another name: another zip file, same content hash.
    expect(zip("setting").replace("setting-", "")).toBe(zip("unchanged").replace("unchanged-", ""));
  });

  it("first deploy: the association map's keys and flags are known at plan, only the ARNs are not", () => {
    const { after, after_unknown } = firstOutputs["unchanged__lambda_function_associations"];
    expect(after).toEqual({
      "origin-request": { event_type: "origin-request", include_body: true },
      "origin-response": { event_type: "origin-response", include_body: false },
    });
    expect(after_unknown).toEqual({ "origin-request": { lambda_arn: true }, "origin-response": { lambda_arn: true } });
  });

  it("nothing changed: no change is planned and no zip is needed at apply", () => {
    const changed = [...second]
      .filter(([address, c]) => address.startsWith("module.unchanged.") && !c.actions.includes("no-op"))
      // [address, attributes that would change], so a failure says what differs.
      .map(([address, c]) => [
        address,
        Object.keys({ ...c.after, ...c.after_unknown }).filter(
          (key) => c.after_unknown[key] === true || JSON.stringify(c.before?.[key]) !== JSON.stringify(c.after?.[key]),
        ),
      ]);
    expect(changed).toEqual([]);
  });

  it("a setting changed: new zips at apply, the functions updated in place (a new version)", () => {
    for (const role of ROLES) {
      expect(zipRead(second, "setting", role)).toEqual(["read"]);
      expect(actions(second, "setting", at("aws_lambda_function.this", role))).toEqual(["update"]);
    }
  });

  it("a first apply that failed after the packages: the missing functions get their zips at apply", () => {
    for (const role of ROLES) {
      expect(actions(second, "half_applied", at("terraform_data.package", role))).toEqual(["update"]);
      expect(zipRead(second, "half_applied", role)).toEqual(["read"]);
      expect(actions(second, "half_applied", at("aws_lambda_function.this", role))).toEqual(["create"]);
    }
  });

  it("a function deleted outside Terraform: its zip is built at apply, the other's is not needed", () => {
    expect(zipRead(second, "deleted", "request")).toEqual(["read"]);
    expect(zipRead(second, "deleted", "response")).toEqual([]);
    expect(actions(second, "deleted", at("aws_lambda_function.this", "response"))).toEqual(["no-op"]);
  });

  it("the response function turned on: only its zip is built at apply, the request function is left as it is", () => {
    expect(zipRead(second, "response_added", "response")).toEqual(["read"]);
    expect(actions(second, "response_added", at("aws_lambda_function.this", "response"))).toEqual(["create"]);
    expect(zipRead(second, "response_added", "request")).toEqual([]);
    expect(actions(second, "response_added", at("aws_lambda_function.this", "request"))).toEqual(["no-op"]);
  });

  it("a rename: new zips at apply, each new function and log group created before the old one goes", () => {
    for (const role of ROLES) {
      expect(zipRead(second, "renamed", role)).toEqual(["read"]);
      expect(actions(second, "renamed", at("aws_lambda_function.this", role))).toEqual(["create", "delete"]);
      expect(actions(second, "renamed", at("aws_cloudwatch_log_group.this", role))).toEqual(["create", "delete"]);
    }
  });

  it("another package_output_dir: the zips are built at apply in the new folder", () => {
    expect(zipRead(second, "moved_zips", "request")).toEqual(["read"]);
    const { zip } = change(second, "moved_zips", at("terraform_data.package", "request"))?.after?.input as { zip: string };
    expect(zip).toMatch(/^build\/zips\/moved-request-[0-9a-f]{16}\.zip$/);
  });

  describe("module parity: create switch and log groups", () => {
    const resourcesOf = (name: CaseName) =>
      [...second].filter(([address, c]) => address.startsWith(`module.${name}.`) && c.actions[0] !== "no-op");

    it("create = false creates nothing, reads nothing, and its outputs are null or empty", () => {
      expect(resourcesOf("disabled")).toEqual([]);
      const values = outputs.disabled;
      expect(values.lambda_function_associations).toEqual({});
      for (const name of [
        "request_function_qualified_arn",
        "request_function_name",
        "response_function_arn",
        "request_log_group_name",
        "config_json",
      ]) {
        expect(values).toHaveProperty(name, null);
      }
    });

    it("create_log_groups = false uses the existing groups: functions created, no group, names still given", () => {
      const addresses = resourcesOf("own_groups").map(([address]) => address);
      expect(addresses).toEqual(expect.arrayContaining(ROLES.map((role) => `module.own_groups.${at("aws_lambda_function.this", role)}`)));
      expect(addresses.filter((a) => a.includes("aws_cloudwatch_log_group"))).toEqual([]);
      expect(outputs.own_groups).toMatchObject({
        request_log_group_name: "/aws/lambda/us-east-1.own-groups-request",
        response_log_group_name: "/aws/lambda/us-east-1.own-groups-response",
      });
    });

    it("created log groups carry the KMS key and skip_destroy", () => {
      for (const role of ROLES) {
        expect(change(second, "kms_groups", at("aws_cloudwatch_log_group.this", role))?.after).toMatchObject({
          name: `/aws/lambda/us-east-1.kms-groups-${role}`,
          kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          skip_destroy: true,
          retention_in_days: 30,
        });
      }
    });
  });
});

/**
 * State of one applied module call: packages as `zips` named them, log groups and functions,
 * each resource with an instance per role; only the instances in `inState` when given.
 */
function appliedState(
  moduleName: string,
  prefix: string,
  zips: Record<Role, string>,
  inState?: string[],
): Array<{ type: string; name: string }> {
  const AWS = 'provider["registry.terraform.io/hashicorp/aws"]';
  const resource = (type: string, name: string, attributes: (role: Role) => Record<string, unknown>, provider = AWS) => ({
    module: `module.${moduleName}`,
    mode: "managed",
    type,
    name,
    provider,
    instances: ROLES.filter((role) => inState?.includes(at(`${type}.${name}`, role)) ?? true).map((role) => ({
      index_key: role,
      schema_version: 0,
      attributes: attributes(role),
    })),
  });
  const input = (role: Role) => ({
    value: { zip: zips[role], function_exists: true },
    type: ["object", { zip: "string", function_exists: "bool" }],
  });
  const logGroup = (role: Role) => `/aws/lambda/us-east-1.${prefix}-${role}`;
  return [
    resource(
      "terraform_data",
      "package",
      (role) => ({ id: `package-${role}`, input: input(role), output: input(role), triggers_replace: null }),
      'provider["terraform.io/builtin/terraform"]',
    ),
    resource("aws_cloudwatch_log_group", "this", (role) => ({
      id: logGroup(role),
      name: logGroup(role),
      retention_in_days: 30,
      log_group_class: "STANDARD",
      skip_destroy: false,
      tags: {},
      tags_all: {},
    })),
    resource("aws_lambda_function", "this", (role) => {
      const name = `${prefix}-${role}`;
      return {
        id: name,
        function_name: name,
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        qualified_arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}:1`,
        version: "1",
        description: `Wallarm connector: ${role === "request" ? "sends each request to the Wallarm node" : "reports each response to the Wallarm node"}`,
        role: "arn:aws:iam::123456789012:role/edge",
        handler: "index.handler",
        runtime: "nodejs22.x",
        architectures: ["x86_64"],
        memory_size: 128,
        timeout: 5,
        publish: true,
        package_type: "Zip",
        reserved_concurrent_executions: -1,
        filename: zips[role],
        source_code_hash: standInHash(zips[role]),
        skip_destroy: false,
        tags: {},
        tags_all: {},
      };
    }),
  ].filter((r) => r.instances.length > 0);
}
