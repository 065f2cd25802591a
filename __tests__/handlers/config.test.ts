// handlers/config.ts: config.json parsed and validated against the settings table.
import { CONFIG_DEFAULTS, CONFIG_KEYS, parseConfig } from "../../handlers/config";
import { SETTINGS, type SettingSpec } from "../../handlers/settings";

test("absent and null keys take the documented defaults; unknown keys are reported", () => {
  const result = parseConfig(JSON.stringify({ wallarm_node_url: "http://10.0.0.1:8080", node_ca_pem: null, wallarm_mode: null, extra: 1 }));
  expect(result).toEqual({ ok: true, config: { wallarm_node_url: "http://10.0.0.1:8080", ...CONFIG_DEFAULTS }, unknownKeys: ["extra"] });
});

test("every key, valid", () => {
  const full = {
    wallarm_node_url: "https://node.example.com/waf",
    wallarm_mode: "async",
    node_timeout_ms: 250,
    fail_open: false,
    refused_request_action: "pass",
    truncated_body_action: "inspect",
    block_status_code: 451,
    block_page_body: "<p>no</p>",
    block_page_content_type: "text/html",
    node_ca_pem: null,
    circuit_breaker_threshold: 3,
    circuit_breaker_cooldown_ms: 2500,
    skip_extensions: ["png", "CSS"],
    skip_path_prefixes: ["/static/", "/health"],
    skip_methods: ["OPTIONS"],
    metrics_enabled: false,
    metrics_interval_seconds: 5,
    metrics_namespace: "Team/Edge Connector",
  };
  expect(Object.keys(full)).toEqual(CONFIG_KEYS);
  expect(parseConfig(JSON.stringify(full))).toEqual({ ok: true, config: full, unknownKeys: [] });
});

test.each([
  [{ wallarm_node_url: "http://n", node_timeout_ms: 0 }, true, /node_timeout_ms/],
  // The module's lower bound is the handler's too: one table.
  [{ wallarm_node_url: "http://n", node_timeout_ms: 49 }, true, /node_timeout_ms must be a whole number from 50 to 30000/],
  [{ wallarm_node_url: "http://n", node_timeout_ms: 1.5, fail_open: false }, false, /node_timeout_ms/],
  [{ wallarm_node_url: "http://n?x=1", fail_open: true }, true, /query/],
  [{ wallarm_node_url: "http://n", block_page_content_type: "text/html\r\nx: y" }, true, /content_type/],
  [{ wallarm_node_url: "http://n", fail_open: "false" }, true, /fail_open/],
  [{ wallarm_node_url: "http://n", skip_extensions: [".png"] }, true, /skip_extensions must be a list of file extensions without the dot/],
  [{ wallarm_node_url: "http://n", skip_extensions: "png" }, true, /skip_extensions/],
  [{ wallarm_node_url: "http://n", skip_path_prefixes: ["static/"] }, true, /skip_path_prefixes/],
  [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/a%2F"] }, true, /skip_path_prefixes/],
  // Prefixes a plain path can never start with: a filter could never match them.
  [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/.well-known/"] }, true, /skip_path_prefixes/],
  [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/a'b"] }, true, /skip_path_prefixes/],
  [{ wallarm_node_url: "http://n", skip_path_prefixes: ["//a"] }, true, /skip_path_prefixes/],
  [
    { wallarm_node_url: "http://n", skip_methods: ["get"] },
    true,
    /skip_methods must be a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS/,
  ],
  [{ wallarm_node_url: "http://n", metrics_interval_seconds: 0 }, true, /metrics_interval_seconds must be a whole number from 1 to 3600/],
  [{ wallarm_node_url: "http://n", metrics_namespace: "a\nb" }, true, /metrics_namespace/],
  [{ wallarm_node_url: "http://n", metrics_namespace: "Wallarm!" }, true, /metrics_namespace must be 1 to 255 letters/],
  [{ wallarm_node_url: "http://n", block_page_body: 5, fail_open: false }, false, /block_page_body/],
  [{ wallarm_node_url: "http://n", circuit_breaker_threshold: 0 }, true, /circuit_breaker_threshold must be a whole number from 1 to 1000/],
  [
    { wallarm_node_url: "http://n", circuit_breaker_cooldown_ms: 99, fail_open: false },
    false,
    /circuit_breaker_cooldown_ms must be a whole number from 100 to 300000/,
  ],
  [{ wallarm_node_url: "http://n", circuit_breaker_cooldown_ms: 300001 }, true, /circuit_breaker_cooldown_ms/],
])("invalid: %j", (raw, failOpen, reason) => {
  const result = parseConfig(JSON.stringify(raw));
  expect(result).toMatchObject({ ok: false, failOpen });
  expect(!result.ok && result.reason).toMatch(reason);
});

test("every list or pattern setting says what it allows in words, naming each allowed value", () => {
  const specs: ReadonlyArray<[string, SettingSpec]> = Object.entries(SETTINGS);
  const worded = specs.filter(([, spec]) => spec.kind === "list" || spec.pattern !== undefined);
  expect(worded.map(([name]) => name)).toEqual(expect.arrayContaining(["skip_extensions", "skip_methods", "metrics_namespace"]));
  for (const [name, spec] of worded) {
    expect([name, typeof spec.allowed]).toEqual([name, "string"]);
    for (const value of spec.values ?? []) expect([name, spec.allowed]).toEqual([name, expect.stringContaining(value)]);
  }
});
