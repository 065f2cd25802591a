// Bad input fails at `terraform plan` with a message that says what is allowed. Each case runs
// the real terraform against the module's generated variables.tf alone, so no provider (and
// no network) is needed: exactly the validation users meet, evaluated by Terraform itself.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_LIMITS, parseConfig } from "../../handlers/config";
import { nodeUrlPropProblem, nodeUrlsByRegionPropProblem } from "../../modules/library/function-rules";
import { GENERATED_DIR } from "../../modules/generator/render-modules";
import { offlineEnv, terraform, terraformBinary } from "../support/terraform";

type Vars = Record<string, unknown>;
interface Case {
  name: string;
  vars: Vars;
  /** Part of the error message; absent for a value that must be accepted. */
  error?: string;
}

const describeTerraform = terraformBinary() ? describe : describe.skip;
if (!terraformBinary()) console.warn("terraform is not on the PATH: skipping the variable validation cases.");

/** A directory with only the module's variables, initialised once. */
function harness(moduleDir: string): { plan(vars: Vars): ReturnType<typeof terraform> } {
  const dir = mkdtempSync(join(tmpdir(), "tf-vars-"));
  copyFileSync(join(GENERATED_DIR, moduleDir, "variables.tf"), join(dir, "variables.tf"));
  const env = offlineEnv();
  const init = terraform(["init", "-backend=false", "-no-color"], dir, env);
  if (init.status !== 0) throw new Error(init.text);
  let n = 0;
  return {
    plan(vars) {
      const file = join(dir, `case-${(n += 1)}.tfvars.json`);
      writeFileSync(file, JSON.stringify(vars));
      return terraform(["plan", "-no-color", "-input=false", "-lock=false", `-var-file=${file}`], dir, env);
    },
  };
}

function runCases(moduleDir: string, base: Vars, cases: Case[]): void {
  describeTerraform(`${moduleDir || "root module"} variables`, () => {
    let module: ReturnType<typeof harness>;
    beforeAll(() => {
      module = harness(moduleDir);
    });
    it("accept the documented example values", () => {
      const result = module.plan(base);
      expect(result.text).not.toContain("Error");
      expect(result.status).toBe(0);
    });
    it.each(cases)("$name", ({ vars, error }) => {
      const result = module.plan({ ...base, ...vars });
      if (error) {
        expect(result.text).toContain("Invalid value for variable");
        expect(result.text).toContain(error);
        expect(result.status).not.toBe(0);
      } else {
        expect(result.text).not.toContain("Error");
        expect(result.status).toBe(0);
      }
    });
  });
}

// The module must accept exactly what the handler accepts: the cases sit on the handler's limits.
const { circuit_breaker_threshold: THRESHOLD, circuit_breaker_cooldown_ms: COOLDOWN } = CONFIG_LIMITS;
const THRESHOLD_MESSAGE = `circuit_breaker_threshold must be a whole number from ${THRESHOLD.min} to ${THRESHOLD.max}.`;
const COOLDOWN_MESSAGE = `circuit_breaker_cooldown_ms must be a whole number from ${COOLDOWN.min} to ${COOLDOWN.max}.`;

const HTTPS_ONLY =
  "wallarm_node_url must be an https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com; http:// is accepted only with allow_http_node_url = true, which is meant for testing (traffic to the node is then unencrypted).";

// node_urls_by_region: one message per rule, naming the regions (quoted) that break it.
const REGION_NAMES = (regions: string) =>
  `node_urls_by_region must be keyed by AWS region names in lowercase, such as "us-east-1" or "ap-northeast-1": not so for ${regions}.`;
const URL_COUNTS = (regions: string) =>
  `node_urls_by_region must list 1 to 3 node URLs for each region, in the order to try them, for example { "eu-west-1" = ["https://wallarm-eu-1.example.com", "https://wallarm-eu-2.example.com"] }: not so for ${regions}.`;
const REGION_HTTPS_ONLY = (regions: string) =>
  `node_urls_by_region must list https:// URLs without query, fragment or credentials, for example { "eu-west-1" = ["https://wallarm-eu.example.com"] }: not so for ${regions}. http:// is accepted only with allow_http_node_url = true, which is meant for testing (traffic to the node is then unencrypted).`;
/** Nodes near three edges, as the README's example has them. */
const NODES_BY_REGION = {
  "us-east-1": ["https://wallarm-us-east.example.com"],
  "eu-west-1": ["https://wallarm-eu-1.example.com", "https://wallarm-eu-2.example.com:8443/edge"],
  "ap-northeast-1": ["https://wallarm-ap-1.example.com", "https://wallarm-ap-2.example.com", "https://wallarm-ap-3.example.com"],
};
const EU = (...urls: unknown[]) => ({ node_urls_by_region: { "eu-west-1": urls } });
const FOUR_URLS = ["https://a.example.com", "https://b.example.com", "https://c.example.com", "https://d.example.com"];

const ARN = (name: string, qualifier: string, region = "us-east-1") =>
  `arn:aws:lambda:${region}:123456789012:function:${name}:${qualifier}`;

runCases(
  "modules/lambda-edge",
  { wallarm_node_url: "https://wallarm-node.example.com", role_arn: "arn:aws:iam::123456789012:role/wallarm-connector-edge" },
  [
    {
      name: "rejects a KMS alias for the log groups, naming the key ARN form",
      vars: { log_group_kms_key_id: "arn:aws:kms:us-east-1:123456789012:alias/logs" },
      error: "log_group_kms_key_id must be null or the ARN of a KMS key in us-east-1",
    },
    {
      name: "rejects a KMS key outside us-east-1",
      vars: { log_group_kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      error: "log_group_kms_key_id must be null or the ARN of a KMS key in us-east-1",
    },
    {
      name: "accepts a us-east-1 KMS key ARN for the log groups",
      vars: { log_group_kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    },
    {
      name: "rejects an http node URL, saying what is allowed and how to allow http",
      vars: { wallarm_node_url: "http://wallarm-node.example.com" },
      error: HTTPS_ONLY,
    },
    {
      name: "accepts an http node URL with allow_http_node_url",
      vars: { wallarm_node_url: "http://127.0.0.1:8080/wallarm", allow_http_node_url: true },
    },
    {
      name: "rejects a node URL that is not a URL",
      vars: { wallarm_node_url: "wallarm-node.example.com" },
      error: "wallarm_node_url must be an https:// URL",
    },
    {
      name: "rejects a node URL with a query",
      vars: { wallarm_node_url: "https://node.example.com/?a=1" },
      error: "without query, fragment or credentials",
    },
    { name: "rejects a node URL with credentials", vars: { wallarm_node_url: "https://user:pw@node.example.com" }, error: HTTPS_ONLY },
    {
      name: "says what a file extension filter allows, in words",
      vars: { skip_extensions: [".png"] },
      error:
        'skip_extensions must be a list of file extensions without the dot, 1 to 16 letters or digits each, for example ["png", "css"].',
    },
    {
      name: "says what a metrics namespace allows, in words",
      vars: { metrics_namespace: "Wallarm!" },
      error:
        'metrics_namespace must be 1 to 255 letters, digits, spaces and . _ / # : - characters, not starting with a space, for example "WallarmConnector".',
    },
    { name: "accepts a node URL with a path prefix", vars: { wallarm_node_url: "https://node.example.com/edge" } },
    { name: "accepts nodes by region: three regions, 1 to 3 URLs each", vars: { node_urls_by_region: NODES_BY_REGION } },
    { name: "takes null nodes by region as none", vars: { node_urls_by_region: null } },
    {
      name: "rejects a region name AWS_REGION never holds, naming it",
      vars: { node_urls_by_region: { "eu-west-1": ["https://a.example.com"], "EU-Central-1": ["https://b.example.com"] } },
      error: REGION_NAMES('"EU-Central-1"'),
    },
    {
      name: "rejects region names that are no region, naming each",
      vars: { node_urls_by_region: { eu_west_1: ["https://a.example.com"], global: ["https://b.example.com"] } },
      error: REGION_NAMES('"eu_west_1", "global"'),
    },
    { name: "rejects a region with no node URL", vars: EU(), error: URL_COUNTS('"eu-west-1"') },
    { name: "rejects a region with 4 node URLs", vars: EU(...FOUR_URLS), error: URL_COUNTS('"eu-west-1"') },
    {
      name: "rejects a region given null for its URLs",
      vars: { node_urls_by_region: { "eu-west-1": null } },
      error: URL_COUNTS('"eu-west-1"'),
    },
    { name: "accepts a region with 3 node URLs", vars: EU(...FOUR_URLS.slice(1)) },
    {
      name: "rejects an http node URL by region without allow_http_node_url, saying how to allow it",
      vars: EU("https://wallarm-eu-1.example.com", "http://10.0.0.1:8080"),
      error: REGION_HTTPS_ONLY('"eu-west-1"'),
    },
    {
      name: "accepts an http node URL by region with allow_http_node_url",
      vars: { ...EU("http://10.0.0.1:8080"), allow_http_node_url: true },
    },
    {
      name: "rejects a node URL by region with a query",
      vars: EU("https://wallarm-eu.example.com/?a=1"),
      error: REGION_HTTPS_ONLY('"eu-west-1"'),
    },
    {
      name: "rejects a node URL by region with credentials, http allowed or not",
      vars: { ...EU("https://user:pw@wallarm-eu.example.com"), allow_http_node_url: true },
      error: REGION_HTTPS_ONLY('"eu-west-1"'),
    },
    { name: "rejects a null node URL by region", vars: EU(null), error: REGION_HTTPS_ONLY('"eu-west-1"') },
    { name: "rejects an unknown mode", vars: { wallarm_mode: "blocking" }, error: 'wallarm_mode must be "inline" or "async".' },
    { name: "rejects an unknown trigger", vars: { trigger: "edge" }, error: 'trigger must be "viewer" or "origin".' },
    {
      name: "rejects a node timeout not below the function timeout",
      vars: { timeout: 5, node_timeout_ms: 4600 },
      error: "with timeout = 5 s that is at most 4500",
    },
    { name: "accepts a node timeout 500 ms below the function timeout", vars: { timeout: 5, node_timeout_ms: 4500 } },
    {
      name: "rejects a node timeout equal to the function timeout",
      vars: { trigger: "origin", timeout: 2, node_timeout_ms: 2000 },
      error: "at most 1500",
    },
    { name: "rejects a fractional node timeout", vars: { node_timeout_ms: 100.5 }, error: "node_timeout_ms must be a whole number" },
    {
      name: `accepts a breaker of ${THRESHOLD.min} failure and ${COOLDOWN.min} ms`,
      vars: { circuit_breaker_threshold: THRESHOLD.min, circuit_breaker_cooldown_ms: COOLDOWN.min },
    },
    {
      name: `accepts a breaker of ${THRESHOLD.max} failures and ${COOLDOWN.max} ms`,
      vars: { circuit_breaker_threshold: THRESHOLD.max, circuit_breaker_cooldown_ms: COOLDOWN.max },
    },
    {
      name: `rejects a breaker threshold of ${THRESHOLD.min - 1}`,
      vars: { circuit_breaker_threshold: THRESHOLD.min - 1 },
      error: THRESHOLD_MESSAGE,
    },
    {
      name: `rejects a breaker threshold of ${THRESHOLD.max + 1}`,
      vars: { circuit_breaker_threshold: THRESHOLD.max + 1 },
      error: THRESHOLD_MESSAGE,
    },
    { name: "rejects a fractional breaker threshold", vars: { circuit_breaker_threshold: 2.5 }, error: THRESHOLD_MESSAGE },
    {
      name: `rejects a breaker cool-down of ${COOLDOWN.min - 1} ms`,
      vars: { circuit_breaker_cooldown_ms: COOLDOWN.min - 1 },
      error: COOLDOWN_MESSAGE,
    },
    {
      name: `rejects a breaker cool-down over ${COOLDOWN.max} ms`,
      vars: { circuit_breaker_cooldown_ms: COOLDOWN.max + 1 },
      error: COOLDOWN_MESSAGE,
    },
    { name: "rejects a fractional breaker cool-down", vars: { circuit_breaker_cooldown_ms: 10_000.5 }, error: COOLDOWN_MESSAGE },
    {
      name: "rejects more than 128 MB on the viewer trigger",
      vars: { trigger: "viewer", memory_size: 256 },
      error: "memory_size must be 128 for the viewer trigger",
    },
    { name: "accepts 256 MB on the origin trigger", vars: { trigger: "origin", memory_size: 256 } },
    {
      name: "rejects more than 10240 MB on the origin trigger",
      vars: { trigger: "origin", memory_size: 10241 },
      error: "128 to 10240 for origin",
    },
    {
      name: "rejects a 10 s timeout on the viewer trigger",
      vars: { trigger: "viewer", timeout: 10 },
      error: "from 1 to 5 for the viewer trigger",
    },
    { name: "accepts a 30 s timeout on the origin trigger", vars: { trigger: "origin", timeout: 30 } },
    { name: "rejects a 31 s timeout on the origin trigger", vars: { trigger: "origin", timeout: 31 }, error: "1 to 30 for origin" },
    { name: "accepts a 39000-byte blocking page on viewer", vars: { trigger: "viewer", block_page_body: "x".repeat(39_000) } },
    {
      name: "rejects a 39001-byte blocking page on viewer",
      vars: { trigger: "viewer", block_page_body: "x".repeat(39_001) },
      error: "the viewer trigger allows at most 39000 bytes",
    },
    {
      name: "counts bytes, not characters, of the blocking page",
      vars: { trigger: "viewer", block_page_body: "é".repeat(19_501) },
      error: "at most 39000 bytes",
    },
    { name: "accepts a 39001-byte blocking page on origin", vars: { trigger: "origin", block_page_body: "x".repeat(39_001) } },
    {
      name: "rejects a blocking page over 1 MB on origin",
      vars: { trigger: "origin", block_page_body: "x".repeat(1_047_001) },
      error: "the origin trigger allows at most 1047000 bytes",
    },
    {
      name: "rejects a 2xx blocking status",
      vars: { block_status_code: 200 },
      error: "block_status_code must be a whole number from 400 to 599.",
    },
    {
      name: "rejects a multi-line content type",
      vars: { block_page_content_type: "text/html\nx-injected: 1" },
      error: "block_page_content_type must be a single-line media type",
    },
    { name: "rejects a CA that is not PEM", vars: { node_ca_pem: "MIIB..." }, error: "node_ca_pem must hold at least one PEM certificate" },
    { name: "rejects an unsupported runtime", vars: { runtime: "nodejs18.x" }, error: 'runtime must be "nodejs22.x" or "nodejs20.x".' },
    {
      name: "rejects a log retention CloudWatch does not offer",
      vars: { log_retention_in_days: 2 },
      error: "log_retention_in_days must be one of",
    },
    { name: "rejects a name prefix with spaces", vars: { name_prefix: "wallarm connector" }, error: "name_prefix must be 1 to 55" },
    {
      name: "rejects a role ARN that is not a role",
      vars: { role_arn: "arn:aws:iam::123456789012:user/me" },
      error: "role_arn must be an IAM role ARN",
    },
    // The root passes a null role when create = false (no role is made): nothing uses it then.
    { name: "role_arn may be null with create = false", vars: { create: false, role_arn: null } },
    { name: "role_arn is required with create = true", vars: { role_arn: null }, error: "role_arn must be an IAM role ARN" },
  ],
);

runCases(
  "modules/distribution-association",
  {
    request_function_qualified_arn: ARN("wallarm-connector-request", "3"),
    response_function_qualified_arn: ARN("wallarm-connector-response", "3"),
  },
  [
    {
      name: "rejects $LATEST",
      vars: { request_function_qualified_arn: ARN("wallarm-connector-request", "$LATEST") },
      error: "CloudFront rejects $LATEST and aliases",
    },
    {
      name: "rejects an alias",
      vars: { response_function_qualified_arn: ARN("wallarm-connector-response", "live") },
      error: "response_function_qualified_arn must be null or the ARN of a published version",
    },
    {
      name: "rejects a function outside us-east-1",
      vars: { request_function_qualified_arn: ARN("wallarm-connector-request", "3", "eu-west-1") },
      error: "published version in us-east-1",
    },
    {
      name: "rejects viewer-request paired with origin-response",
      vars: { request_event_type: "viewer-request", response_event_type: "origin-response" },
      error: "response_event_type origin-response does not pair with request_event_type viewer-request",
    },
    { name: "pairs the response event with viewer-request by default", vars: { request_event_type: "viewer-request", trigger: "viewer" } },
    {
      name: "rejects a response event of the other trigger when only it is set",
      vars: { response_event_type: "viewer-response" },
      error: "response_event_type viewer-response does not pair with request_event_type origin-request",
    },
    {
      name: "accepts viewer-request with viewer-response",
      vars: { request_event_type: "viewer-request", response_event_type: "viewer-response" },
    },
    {
      name: "rejects a second function on the connector's event type",
      vars: { associations: { "origin-request": { lambda_arn: ARN("my-rewrite", "7") } } },
      error: "associations already has a function on origin-request, which the Wallarm connector uses",
    },
    {
      name: "merges a function on a free event type",
      vars: { associations: { "viewer-request": { lambda_arn: ARN("my-rewrite", "7") } } },
    },
    {
      name: "frees the response event when there is no response function and associate_response_function = false",
      vars: {
        response_function_qualified_arn: null,
        associate_response_function: false,
        associations: { "origin-response": { lambda_arn: ARN("my-headers", "2") } },
      },
    },
    {
      // The default is true, so the map's keys never wait for the ARN: no response function must be said.
      name: "rejects no response function while associate_response_function is left at its default",
      vars: { response_function_qualified_arn: null },
      error:
        "response_function_qualified_arn is null while associate_response_function is true (the default), which associates the response function on origin-response: pass the response function's ARN, or set associate_response_function = false when there is none (as the lambda-edge module's create_response_function = false).",
    },
    {
      name: "rejects a user function on the response event when associate_response_function = true",
      vars: { associate_response_function: true, associations: { "origin-response": { lambda_arn: ARN("my-headers", "2") } } },
      error: "associations already has a function on origin-response, which the Wallarm connector uses (its response function)",
    },
    {
      name: "frees the response event with associate_response_function = false",
      vars: { associate_response_function: false, associations: { "origin-response": { lambda_arn: ARN("my-headers", "2") } } },
    },
    {
      name: "rejects associate_response_function = true without a response function",
      vars: { associate_response_function: true, response_function_qualified_arn: null, request_event_type: "viewer-request" },
      error:
        "response_function_qualified_arn is null while associate_response_function is true (the default), which associates the response function on viewer-response:",
    },
    {
      name: "rejects an association keyed by something else",
      vars: { associations: { "viewer-req": { lambda_arn: ARN("f", "1") } } },
      error: "associations must be keyed by event type",
    },
    {
      name: "rejects an unpublished user function",
      vars: { associations: { "viewer-request": { lambda_arn: ARN("f", "$LATEST") } } },
      error: "Every lambda_arn in associations must be the ARN of a published version",
    },
    {
      name: "requires an origin for a new distribution",
      vars: { create_distribution: true },
      error: "origin_domain_name is required when create_distribution = true",
    },
    {
      name: "requires a certificate for aliases, naming both variables",
      vars: { aliases: ["api.example.com"] },
      error: "aliases (api.example.com) need acm_certificate_arn: set acm_certificate_arn to an ACM certificate in us-east-1",
    },
    {
      name: "accepts aliases with a us-east-1 certificate",
      vars: {
        create_distribution: true,
        origin_domain_name: "api.example.com",
        aliases: ["api.example.com"],
        acm_certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
      },
    },
    {
      name: "rejects a certificate outside us-east-1",
      vars: { acm_certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d" },
      error: "acm_certificate_arn must be null or the ARN of an ACM certificate in us-east-1",
    },
    {
      name: "rejects an origin with a scheme",
      vars: { create_distribution: true, origin_domain_name: "https://api.example.com" },
      error: 'origin_domain_name must be a host name such as api.example.com, without scheme, port or path; got "https://api.example.com"',
    },
    {
      name: "rejects an origin with a path",
      vars: { create_distribution: true, origin_domain_name: "api.example.com/v1" },
      error: 'origin_domain_name must be a host name such as api.example.com, without scheme, port or path; got "api.example.com/v1"',
    },
    {
      name: "rejects an origin with a port",
      vars: { create_distribution: true, origin_domain_name: "api.example.com:8443" },
      error: "origin_domain_name must be a host name such as api.example.com",
    },
    { name: "accepts a host name origin", vars: { create_distribution: true, origin_domain_name: "my-api.eu.example.com" } },
    {
      name: "rejects event types of the other trigger",
      vars: { trigger: "viewer" },
      error:
        'The functions were built for trigger = "viewer", so they must be associated on viewer-request and viewer-response, not origin-request and origin-response',
    },
    {
      name: "accepts the event types of the trigger",
      vars: { trigger: "viewer", request_event_type: "viewer-request", response_event_type: "viewer-response" },
    },
    { name: "rejects an unknown trigger", vars: { trigger: "edge" }, error: 'trigger must be null, "viewer" or "origin".' },
    {
      name: "rejects a regional web ACL",
      vars: { web_acl_id: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
      error: "web_acl_id must be null or the ARN of a WAFv2 web ACL with scope CLOUDFRONT",
    },
    {
      name: "accepts a CloudFront-scope WAFv2 web ACL",
      vars: { web_acl_id: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
    },
    {
      name: "rejects a log bucket given by name",
      vars: { logging_bucket: "my-logs" },
      error:
        'logging_bucket must be null or an S3 bucket\'s domain name such as my-logs.s3.amazonaws.com, not a bucket name or ARN; got "my-logs"',
    },
    {
      name: "accepts a log bucket's domain name with a prefix and cookies",
      vars: { logging_bucket: "my-logs.s3.amazonaws.com", logging_prefix: "cdn/", logging_include_cookies: true },
    },
    { name: "rejects a log prefix without a bucket", vars: { logging_prefix: "cdn/" }, error: "logging_prefix needs logging_bucket" },
    {
      name: "rejects logging cookies without a bucket",
      vars: { logging_include_cookies: true },
      error: "logging_include_cookies = true needs logging_bucket",
    },
    {
      name: "rejects a response headers policy that is not an ID",
      vars: { response_headers_policy_id: "SecurityHeadersPolicy" },
      error: "response_headers_policy_id must be null or the ID of a CloudFront response headers policy, a UUID",
    },
    {
      name: "rejects a cache policy that is not an ID",
      vars: { cache_policy_id: "CachingDisabled" },
      error: "cache_policy_id must be the ID of a CloudFront cache policy, a UUID",
    },
    { name: "rejects a comment over 128 characters", vars: { comment: "x".repeat(129) }, error: "comment must be at most 128 characters" },
    {
      name: "accepts no function ARN with create = false",
      vars: { create: false, request_function_qualified_arn: null, response_function_qualified_arn: null },
    },
    {
      name: "names the association whose event_type disagrees with its key",
      vars: { associations: { "viewer-request": { event_type: "origin-request", lambda_arn: ARN("f", "1") } } },
      error: "not so for viewer-request (event_type = origin-request).",
    },
  ],
);

runCases("modules/iam-trust", {}, [
  { name: "rejects a role name with spaces", vars: { name: "wallarm edge" }, error: "name must be null or 1 to 64 characters" },
  {
    name: "rejects a name prefix too long for the function names",
    vars: { name_prefix: "p".repeat(56) },
    error: "name_prefix must be 1 to 55",
  },
  {
    name: "rejects a session shorter than an hour",
    vars: { max_session_duration: 3599 },
    error: "max_session_duration must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours).",
  },
  {
    name: "rejects a session longer than 12 hours",
    vars: { max_session_duration: 43201 },
    error: "from 3600 (1 hour) to 43200 (12 hours)",
  },
  { name: "rejects a fractional session", vars: { max_session_duration: 3600.5 }, error: "max_session_duration must be a whole number" },
  { name: "accepts a 12-hour session", vars: { max_session_duration: 43200 } },
  {
    name: "rejects a description IAM would refuse",
    vars: { description: "edge \u{1F6E1}" },
    error: "description must be at most 1000 characters of printable ASCII",
  },
  {
    name: "rejects a description over 1000 characters",
    vars: { description: "d".repeat(1001) },
    error: "description must be at most 1000",
  },
  { name: "accepts a Latin-1 description", vars: { description: "Rôle du connecteur Wallarm" } },
  {
    name: "rejects an extra policy that is not a policy ARN",
    vars: { policy_arns: ["AWSXRayDaemonWriteAccess"] },
    error: "policy_arns must list IAM policy ARNs, such as arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
  },
  {
    name: "accepts AWS and customer managed policies",
    vars: { policy_arns: ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess", "arn:aws:iam::123456789012:policy/mine"] },
  },
  {
    name: "rejects a tag value over 256 characters",
    vars: { tags: { Team: "t".repeat(257) } },
    error: "tags must have keys of 1 to 128 characters",
  },
  { name: "rejects a path without slashes", vars: { path: "edge" }, error: 'path must start and end with "/"' },
  {
    name: "rejects an empty function list",
    vars: { function_names: [] },
    error: "function_names must be null or list at least one Lambda function name",
  },
  {
    name: "rejects a boundary that is not a policy",
    vars: { permissions_boundary: "arn:aws:iam::123456789012:role/x" },
    error: "permissions_boundary must be an IAM policy ARN",
  },
]);

runCases("", { wallarm_node_url: "https://wallarm-node.example.com" }, [
  {
    name: "requires role_arn without create_role",
    vars: { create_role: false },
    error: "role_arn must be an IAM role ARN when create_role = false",
  },
  {
    name: "rejects a user function on the connector's viewer-request",
    vars: { trigger: "viewer", associations: { "viewer-request": { lambda_arn: ARN("mine", "1") } } },
    error: "associations already has a function on viewer-request",
  },
  {
    name: "frees the response event without the response function",
    vars: { create_response_function: false, associations: { "origin-response": { lambda_arn: ARN("mine", "1") } } },
  },
  {
    name: "rejects a user function on the connector's origin-response",
    vars: { associations: { "origin-response": { lambda_arn: ARN("mine", "1") } } },
    error: "associations already has a function on origin-response, which the Wallarm connector uses (its response function)",
  },
  {
    name: "rejects role_arn with create_role = true",
    vars: { role_arn: "arn:aws:iam::123456789012:role/mine" },
    error: "role_arn is set while create_role = true, which creates a new role and would ignore it: set create_role = false",
  },
  { name: "accepts role_arn with create_role = false", vars: { create_role: false, role_arn: "arn:aws:iam::123456789012:role/mine" } },
  {
    name: "requires a certificate for aliases",
    vars: { aliases: ["api.example.com"] },
    error: "aliases (api.example.com) need acm_certificate_arn",
  },
  {
    name: "rejects an origin with a scheme",
    vars: { create_distribution: true, origin_domain_name: "https://api.example.com" },
    error: "origin_domain_name must be a host name such as api.example.com",
  },
  {
    name: "rejects a user association whose event_type is the connector's trigger event",
    vars: { trigger: "viewer", associations: { "origin-request": { event_type: "viewer-request", lambda_arn: ARN("mine", "1") } } },
    error: "not so for origin-request (event_type = viewer-request).",
  },
  {
    name: "accepts a user association on the other trigger's event",
    vars: { trigger: "viewer", associations: { "origin-request": { event_type: "origin-request", lambda_arn: ARN("mine", "1") } } },
  },
  { name: "checks the renamed role path", vars: { role_path: "edge" }, error: 'role_path must start and end with "/"' },
  {
    name: "checks the role's session duration under its root name",
    vars: { role_max_session_duration: 100 },
    error: "role_max_session_duration must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours).",
  },
  {
    name: "checks the extra policies under their root name",
    vars: { role_policy_arns: ["x"] },
    error: "role_policy_arns must list IAM policy ARNs",
  },
  {
    name: "checks the role description under its root name",
    vars: { role_description: "d".repeat(1001) },
    error: "role_description must be at most 1000",
  },
  { name: "checks the role name under its root name", vars: { role_name: "a b" }, error: "role_name must be null or 1 to 64 characters" },
  {
    name: "checks the web ACL",
    vars: { web_acl_id: "0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
    error: "web_acl_id must be null or the ARN of a WAFv2 web ACL with scope CLOUDFRONT",
  },
  {
    name: "checks the access log settings",
    vars: { logging_include_cookies: true },
    error: "logging_include_cookies = true needs logging_bucket",
  },
  {
    name: "checks memory against the trigger",
    vars: { trigger: "viewer", memory_size: 512 },
    error: "memory_size must be 128 for the viewer trigger",
  },
  { name: "accepts nodes by region", vars: { node_urls_by_region: NODES_BY_REGION } },
  {
    name: "checks the region names of nodes by region",
    vars: { node_urls_by_region: { "eu-west": ["https://a.example.com"] } },
    error: REGION_NAMES('"eu-west"'),
  },
  { name: "checks how many node URLs a region has", vars: EU(...FOUR_URLS), error: URL_COUNTS('"eu-west-1"') },
  {
    name: "checks node URLs by region against allow_http_node_url",
    vars: EU("http://10.0.0.1:8080"),
    error: REGION_HTTPS_ONLY('"eu-west-1"'),
  },
  {
    name: "accepts an http node URL by region with allow_http_node_url",
    vars: { ...EU("http://10.0.0.1:8080"), allow_http_node_url: true },
  },
  { name: "checks the breaker threshold", vars: { circuit_breaker_threshold: THRESHOLD.max + 1 }, error: THRESHOLD_MESSAGE },
  { name: "checks the breaker cool-down", vars: { circuit_breaker_cooldown_ms: COOLDOWN.min - 1 }, error: COOLDOWN_MESSAGE },
  {
    name: "accepts a breaker setting within the limits",
    vars: { circuit_breaker_threshold: THRESHOLD.max, circuit_breaker_cooldown_ms: COOLDOWN.max },
  },
]);

// One rule for the node URL: the lambda-edge module's validation and the constructs' synth check
// (nodeUrlPropProblem) read the same pattern; each URL gets the same verdict from both, with and
// without allow_http_node_url.
describeTerraform("node URL: the module and the constructs agree", () => {
  const URLS = [
    "https://node.example.com",
    "https://node.example.com:8443/edge/",
    "http://127.0.0.1:8080/wallarm",
    "https://user:pw@node.example.com",
    "https://node.example.com/?a=1",
    "https://node.example.com/#top",
    "https://node.example.com/a b",
    "https://node\u000b.example.com",
    "ftp://node.example.com",
    "node.example.com",
  ];
  let module: ReturnType<typeof harness>;
  beforeAll(() => {
    module = harness("modules/lambda-edge");
  });

  it.each(URLS.flatMap((url) => [false, true].map((allowHttp) => [url, allowHttp] as const)))("%j, allow http %s", (url, allowHttp) => {
    const plan = module.plan({
      wallarm_node_url: url,
      allow_http_node_url: allowHttp,
      role_arn: "arn:aws:iam::123456789012:role/wallarm-connector-edge",
    });
    const construct = nodeUrlPropProblem(url, allowHttp);
    expect({ moduleAccepts: plan.status === 0 }).toEqual({ moduleAccepts: construct === undefined });
    if (construct) expect(plan.text).toContain(HTTPS_ONLY);
  });

  it("accepts some and refuses some, so agreement means something", () => {
    expect(URLS.filter((url) => nodeUrlPropProblem(url, true) === undefined)).toEqual([
      "https://node.example.com",
      "https://node.example.com:8443/edge/",
      "http://127.0.0.1:8080/wallarm",
    ]);
  });
});

// The same for node_urls_by_region: the module's validations and the constructs' synth check
// (nodeUrlsByRegionPropProblem) accept the same maps, and the construct's message, in the module's
// words, is one the module gives; with http allowed, the handler's config.json check agrees too.
describeTerraform("node URLs by region: the module and the constructs agree", () => {
  const MAPS: ReadonlyArray<Record<string, unknown>> = [
    NODES_BY_REGION,
    {},
    { "us-gov-west-1": ["https://node.example.com"], "ap-southeast-7": ["https://node.example.com"] },
    { "eu-west-1": ["http://127.0.0.1:8080/wallarm"] },
    { "eu-west-1": ["https://node.example.com", "http://127.0.0.1:8080"] },
    { "eu-west-1": ["https://node.example.com/#top"] },
    { "eu-west-1": ["https://user:pw@node.example.com"] },
    { "eu-west-1": ["ftp://node.example.com"] },
    { "eu-west-1": ["node.example.com"] },
    { "eu-west-1": [] },
    { "eu-west-1": FOUR_URLS },
    { "eu-west-1": null },
    { "us-east": ["https://node.example.com"] },
    { "1-east-1": ["https://node.example.com"] },
    { "us-east-1 ": ["https://node.example.com"] },
    { "": ["https://node.example.com"] },
    // Several regions break a rule: both name them, in the same order.
    { "us-east-1": ["ftp://a.example.com"], "eu-west-1": ["https://b.example.com"], "ap-northeast-1": ["b.example.com"] },
    { "us-east-1": [], "EU-West-1": ["https://b.example.com"], eu_west_1: [] },
  ];
  let module: ReturnType<typeof harness>;
  beforeAll(() => {
    module = harness("modules/lambda-edge");
  });

  it.each(MAPS.flatMap((byRegion) => [false, true].map((allowHttp) => [byRegion, allowHttp] as const)))(
    "%j, allow http %s",
    (byRegion, allowHttp) => {
      const plan = module.plan({
        wallarm_node_url: "https://node.example.com",
        node_urls_by_region: byRegion,
        allow_http_node_url: allowHttp,
        role_arn: "arn:aws:iam::123456789012:role/wallarm-connector-edge",
      });
      const construct = nodeUrlsByRegionPropProblem(byRegion, allowHttp);
      expect({ moduleAccepts: plan.status === 0 }).toEqual({ moduleAccepts: construct === undefined });
      // config.json carries no allow_http_node_url: the handler accepts what the module does with http allowed.
      const handler = parseConfig(JSON.stringify({ wallarm_node_url: "https://node.example.com", node_urls_by_region: byRegion }));
      if (allowHttp) expect({ handlerAccepts: handler.ok }).toEqual({ handlerAccepts: plan.status === 0 });
      if (construct) {
        const inModuleTerms = construct
          .replace(/^nodeUrlsByRegion /, "node_urls_by_region ")
          .replace("allowHttpNodeUrl: true", "allow_http_node_url = true");
        expect(plan.text).toContain(inModuleTerms);
      }
    },
  );

  it("accepts some and refuses some, so agreement means something", () => {
    const accepted = MAPS.filter((byRegion) => nodeUrlsByRegionPropProblem(byRegion, true) === undefined);
    expect(accepted).toHaveLength(5);
  });
});
