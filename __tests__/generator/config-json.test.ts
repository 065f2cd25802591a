// The local edge must run the functions with the config.json Terraform would package. The
// module builds it with jsonencode; here terraform itself evaluates the module's own locals
// (copied from generated/) and the edge's file must match it byte for byte.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_KEYS, type HandlerConfig } from "../../handlers/config";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import { configJson } from "../../tools/edge/functions";
import { offlineEnv, terraform, terraformBinary } from "../support/terraform";

const describeTerraform = terraformBinary() ? describe : describe.skip;
const MODULE = join(GENERATED_DIR, "modules/lambda-edge");

/** The locals that build config.json, exactly as the generated main.tf has them. */
function configLocals(): string {
  const main = readFileSync(join(MODULE, "main.tf"), "utf8");
  const match = /^ {2}handler_config = \{\n[\s\S]*?\n {2}\}\n {2}config_json\s+= .*\n/m.exec(main);
  if (!match) throw new Error("handler_config and config_json locals not found in generated/modules/lambda-edge/main.tf");
  return match[0];
}

test("the module lists every config.json key as a variable of the same name, in CONFIG_KEYS order", () => {
  const entries = [...configLocals().matchAll(/^ {4}(\w+)\s+= var\.(\w+)$/gm)];
  expect(entries.map(([, key]) => key)).toEqual([...CONFIG_KEYS]);
  for (const [, key, variable] of entries) expect(variable).toBe(key);
});

describeTerraform("config.json", () => {
  const cases: Array<[string, Partial<HandlerConfig> & Pick<HandlerConfig, "wallarm_node_url">]> = [
    ["defaults", { wallarm_node_url: "https://wallarm-node.example.com" }],
    [
      "every setting, with characters jsonencode escapes",
      {
        wallarm_node_url: "http://127.0.0.1:8080/prefix",
        // A map of lists; jsonencode writes map keys sorted, so these are not.
        node_urls_by_region: {
          "us-east-1": ["https://wallarm-us.example.com"],
          "eu-west-1": ["https://wallarm-eu-1.example.com", "http://127.0.0.1:8081/eu"],
          "ap-northeast-1": ["https://wallarm-ap.example.com"],
        },
        wallarm_mode: "async",
        node_timeout_ms: 750,
        fail_open: false,
        block_status_code: 451,
        block_page_body: '<html><body>Blocked & logged "é" \u2028</body></html>\n',
        block_page_content_type: "text/html; charset=utf-8",
        node_ca_pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        circuit_breaker_threshold: 3,
        circuit_breaker_cooldown_ms: 2500,
      },
    ],
  ];

  it.each(cases)("is what the module's jsonencode writes: %s", (_name, settings) => {
    const dir = mkdtempSync(join(tmpdir(), "tf-config-"));
    copyFileSync(join(MODULE, "variables.tf"), join(dir, "variables.tf"));
    writeFileSync(join(dir, "config.tf"), `locals {\n${configLocals()}}\n\noutput "config_json" {\n  value = local.config_json\n}\n`);
    const vars = { ...settings, role_arn: "arn:aws:iam::123456789012:role/edge", allow_http_node_url: true };
    writeFileSync(join(dir, "case.tfvars.json"), JSON.stringify(vars));
    const env = offlineEnv();
    for (const args of [
      ["init", "-no-color"],
      ["plan", "-no-color", "-input=false", "-var-file=case.tfvars.json", "-out=plan.bin"],
    ]) {
      const run = terraform(args, dir, env);
      if (run.status !== 0) throw new Error(run.text);
    }
    const planned = JSON.parse(terraform(["show", "-json", "plan.bin"], dir, env).stdout).planned_values.outputs.config_json.value;
    expect(configJson(settings)).toBe(planned);
  });
});
