// What config.json's validation says of a bad value, whole: the setting, what it allows in plain
// words (an example where the kind alone does not say it), one full stop. The same words reach
// the cdktf props (the prop named instead) and the lambda-edge module's validation.
import { CONFIG_KEYS, parseConfig } from "../../handlers/config";
import type { SettingName } from "../../handlers/settings";

const NODE = "https://node.example.com";

/** A value each setting refuses, and the whole message. */
const REFUSED: Record<SettingName, [unknown, string]> = {
  wallarm_node_url: [
    "node.example.com",
    "wallarm_node_url must be an http:// or https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com.",
  ],
  node_urls_by_region: [
    { eu_west_1: ["https://wallarm-eu.example.com"] },
    'node_urls_by_region must be a map from AWS region names to lists of 1 to 3 node URLs, for example {"eu-west-1": ["https://wallarm-eu.example.com"]}.',
  ],
  wallarm_mode: ["blocking", 'wallarm_mode must be "inline" or "async".'],
  node_timeout_ms: [49, "node_timeout_ms must be a whole number from 50 to 30000."],
  fail_open: ["false", "fail_open must be true or false."],
  refused_request_action: ["drop", 'refused_request_action must be "block" or "pass".'],
  truncated_body_action: ["pass", 'truncated_body_action must be "block" or "inspect".'],
  block_status_code: [200, "block_status_code must be a whole number from 400 to 599."],
  block_page_body: [5, "block_page_body must be a string or null."],
  block_page_content_type: [
    "text/html\r\nx: y",
    'block_page_content_type must be a non-empty single line, for example "text/html; charset=utf-8".',
  ],
  node_ca_pem: [
    "MIIB...",
    "node_ca_pem must be null or PEM certificates, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
  ],
  circuit_breaker_threshold: [0, "circuit_breaker_threshold must be a whole number from 1 to 1000."],
  circuit_breaker_cooldown_ms: [99, "circuit_breaker_cooldown_ms must be a whole number from 100 to 300000."],
  skip_extensions: [
    [".png"],
    'skip_extensions must be a list of file extensions without the dot, 1 to 16 letters or digits each, for example ["png", "css"].',
  ],
  skip_path_prefixes: [
    ["static/"],
    'skip_path_prefixes must be a list of path prefixes that start with "/" and whose segments are letters, digits and . _ ~ - without a leading dot (no empty segments), for example ["/static/", "/health"].',
  ],
  skip_methods: [
    ["get"],
    'skip_methods must be a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE, for example ["OPTIONS"].',
  ],
  metrics_enabled: [1, "metrics_enabled must be true or false."],
  metrics_interval_seconds: [0, "metrics_interval_seconds must be a whole number from 1 to 3600."],
  metrics_namespace: [
    "Wallarm!",
    'metrics_namespace must be 1 to 255 letters, digits, spaces and . _ / # : - characters, not starting with a space, for example "WallarmConnector".',
  ],
};

test.each(CONFIG_KEYS.map((key) => [key, ...REFUSED[key]] as const))("%s = %j", (key, value, message) => {
  const result = parseConfig(JSON.stringify({ wallarm_node_url: NODE, [key]: value }));
  expect(result).toMatchObject({ ok: false, reason: message });
});

test("the examples in the messages are accepted", () => {
  const result = parseConfig(
    JSON.stringify({
      wallarm_node_url: "https://wallarm-node.example.com",
      // The message writes it in Terraform's syntax, as the module's users do.
      node_urls_by_region: { "eu-west-1": ["https://wallarm-eu.example.com"] },
      block_page_content_type: "text/html; charset=utf-8",
      skip_extensions: ["png", "css"],
      skip_path_prefixes: ["/static/", "/health"],
      skip_methods: ["OPTIONS"],
      metrics_namespace: "WallarmConnector",
    }),
  );
  expect(result.ok).toBe(true);
});
