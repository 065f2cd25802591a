// handlers/config.ts: config.json parsed and validated against the settings table.
import { CONFIG_DEFAULTS, CONFIG_KEYS, parseConfig, settingRequirement } from "../../handlers/config";
import { SETTINGS, type SettingSpec } from "../../handlers/settings";

test("absent and null keys take the documented defaults; unknown keys are reported", () => {
  const result = parseConfig(JSON.stringify({ wallarm_node_url: "http://10.0.0.1:8080", node_ca_pem: null, wallarm_mode: null, extra: 1 }));
  expect(result).toEqual({ ok: true, config: { wallarm_node_url: "http://10.0.0.1:8080", ...CONFIG_DEFAULTS }, unknownKeys: ["extra"] });
});

test("every key, valid", () => {
  const full = {
    wallarm_node_url: "https://node.example.com/waf",
    node_urls_by_region: { "eu-west-1": ["https://wallarm-eu.example.com"] },
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

describe("node_urls_by_region", () => {
  const NODE = "https://wallarm-node.example.com";
  const parse = (byRegion: unknown) => parseConfig(JSON.stringify({ wallarm_node_url: NODE, node_urls_by_region: byRegion }));

  test("defaults to no regional nodes, absent or null", () => {
    expect(CONFIG_DEFAULTS.node_urls_by_region).toEqual({});
    expect(parseConfig(JSON.stringify({ wallarm_node_url: NODE }))).toMatchObject({ ok: true, config: { node_urls_by_region: {} } });
    expect(parse(null)).toMatchObject({ ok: true, config: { node_urls_by_region: {} } });
  });

  test("accepts region names to 1 to 3 URLs each, as given; http is the deployment's choice, not config.json's", () => {
    const byRegion = {
      "us-east-1": ["https://wallarm-us-1.example.com", "https://wallarm-us-2.example.com:8443/edge", "http://10.0.0.1:8080"],
      "eu-west-1": ["https://wallarm-eu.example.com"],
      "ap-northeast-1": ["https://wallarm-ap.example.com/"],
      "us-gov-west-1": ["https://wallarm-gov.example.com"],
    };
    expect(parse(byRegion)).toEqual({
      ok: true,
      config: { ...CONFIG_DEFAULTS, wallarm_node_url: NODE, node_urls_by_region: byRegion },
      unknownKeys: [],
    });
  });

  const MESSAGE = `node_urls_by_region ${settingRequirement("node_urls_by_region")}.`;
  test.each<[string, unknown]>([
    ["a list instead of a map", [["https://wallarm-eu.example.com"]]],
    ["a URL instead of a list", { "eu-west-1": "https://wallarm-eu.example.com" }],
    ["a null list", { "eu-west-1": null }],
    ["a key in capitals", { "EU-West-1": ["https://wallarm-eu.example.com"] }],
    ["a key with underscores", { eu_west_1: ["https://wallarm-eu.example.com"] }],
    ["a key that is no region", { global: ["https://wallarm-eu.example.com"] }],
    ["no URL", { "eu-west-1": [] }],
    ["4 URLs", { "eu-west-1": ["https://a.example.com", "https://b.example.com", "https://c.example.com", "https://d.example.com"] }],
    ["a URL with credentials", { "eu-west-1": ["https://user:pw@wallarm-eu.example.com"] }],
    ["a URL with a query", { "eu-west-1": ["https://wallarm-eu.example.com/?a=1"] }],
    ["a URL that is no URL", { "eu-west-1": ["wallarm-eu.example.com"] }],
    ["a URL that is no string", { "eu-west-1": [443] }],
  ])("refuses %s, saying what is allowed", (_name, byRegion) => {
    expect(parse(byRegion)).toEqual({ ok: false, failOpen: true, reason: MESSAGE });
  });
});
