// One rule, three checkers: the lambda-edge module's variable validation (Terraform), the
// handler's config.json validation (parseConfig) and the cdktf props' check must agree on every
// value of the list and pattern settings, and each must say what is allowed.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../handlers/config";
import { camelCase, handlerConfigFromProps } from "../../modules/library/handler-settings";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import { offlineEnv, terraform, terraformBinary } from "../support/terraform";

const BASE = { wallarm_node_url: "https://node.example.com", role_arn: "arn:aws:iam::123456789012:role/wallarm-connector-edge" };

/** [setting, value, part of the module's message when refused] */
const CASES: Array<[string, unknown, string]> = [
  ["skip_extensions", ["png", "CSS", "woff2"], ""],
  [
    "skip_extensions",
    [".png"],
    'skip_extensions must be a list of file extensions without the dot, 1 to 16 letters or digits each, for example ["png", "css"].',
  ],
  ["skip_extensions", ["tar.gz"], "skip_extensions must be a list of file extensions without the dot"],
  ["skip_extensions", ["averyveryverylongext"], "skip_extensions must be a list of file extensions without the dot"],
  ["skip_path_prefixes", ["/static/", "/health", "/", "/a.b/c_d~e-f/g."], ""],
  ["skip_path_prefixes", ["static/"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a%2F"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a;b"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a b"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a'b"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a(b)"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/.well-known/"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/static/.git"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_path_prefixes", ["/a//b"], "skip_path_prefixes must be a list of path prefixes that start with"],
  ["skip_methods", ["OPTIONS", "HEAD"], ""],
  [
    "skip_methods",
    ["get"],
    "skip_methods must be a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE",
  ],
  ["skip_methods", ["TRACE"], "skip_methods must be a list of"],
  ["metrics_interval_seconds", 1, ""],
  ["metrics_interval_seconds", 0, "metrics_interval_seconds must be a whole number from 1 to 3600"],
  ["metrics_interval_seconds", 3601, "metrics_interval_seconds must be a whole number from 1 to 3600"],
  ["metrics_namespace", "Team/Edge Connector#1", ""],
  ["metrics_namespace", "Wallarm!", "metrics_namespace must be 1 to 255 letters, digits, spaces and"],
  ["metrics_namespace", " leading-space", "metrics_namespace must be 1 to 255 letters, digits, spaces and"],
];

(terraformBinary() ? describe : describe.skip)("list and pattern settings: module and handler agree", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tf-parity-"));
    copyFileSync(join(GENERATED_DIR, "modules", "lambda-edge", "variables.tf"), join(dir, "variables.tf"));
    env = offlineEnv();
    const init = terraform(["init", "-backend=false", "-no-color"], dir, env);
    if (init.status !== 0) throw new Error(init.text);
  });

  test.each(CASES)("%s = %j", (name, value, message) => {
    const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.tfvars.json`);
    writeFileSync(file, JSON.stringify({ ...BASE, [name]: value }));
    const plan = terraform(["plan", "-no-color", "-input=false", "-lock=false", `-var-file=${file}`], dir, env);
    const handler = parseConfig(JSON.stringify({ wallarm_node_url: BASE.wallarm_node_url, [name]: value }));
    expect({ terraform: plan.status === 0, handler: handler.ok }).toEqual({ terraform: message === "", handler: message === "" });
    if (message) expect(plan.text).toContain(message);
    const props = () => handlerConfigFromProps({ wallarmNodeUrl: BASE.wallarm_node_url, [camelCase(name)]: value });
    if (message) expect(props).toThrow(`${camelCase(name)} ${message.slice(name.length + 1)}`);
    else expect(props()).toMatchObject({ [name]: value });
  });

  test('metrics_namespace: "AWS/" is reserved (module only: CloudWatch would drop the metrics)', () => {
    const file = join(dir, "aws-namespace.tfvars.json");
    writeFileSync(file, JSON.stringify({ ...BASE, metrics_namespace: "AWS/Lambda" }));
    const plan = terraform(["plan", "-no-color", "-input=false", "-lock=false", `-var-file=${file}`], dir, env);
    expect(plan.status).not.toBe(0);
    expect(plan.text).toContain('metrics_namespace must not start with "AWS/"');
  });
});
