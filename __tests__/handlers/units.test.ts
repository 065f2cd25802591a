// Pure functions on events shaped as the AWS documentation shows them: event reading, the node
// protocol, config validation and the generated responses.
import type { CloudFrontRequestEvent } from "aws-lambda";
import { blockResponse, builtInPage, failClosedResponse, responseSize, sizeLimit } from "../../handlers/block-response";
import { CONFIG_DEFAULTS, CONFIG_KEYS, parseConfig } from "../../handlers/config";
import { decodeBody, headerPairs, requestTarget, viewRequestEvent, viewResponseEvent } from "../../handlers/event";
import { escapeTarget, mirrorRequest, pathPrefix, responseReport, verdictOf } from "../../handlers/protocol";
import {
  base64Body,
  DOC_ORIGIN_REQUEST,
  DOC_ORIGIN_RESPONSE,
  DOC_VIEWER_REQUEST,
  DOC_VIEWER_RESPONSE,
  requestEvent,
} from "../../tools/cloudfront-events";

const node = new URL("https://node.example.com/prefix/");

describe("event", () => {
  test.each([
    ["viewer-request", DOC_VIEWER_REQUEST],
    ["origin-request", DOC_ORIGIN_REQUEST],
  ] as Array<[string, CloudFrontRequestEvent]>)("reads a %s event", (eventType, event) => {
    const view = viewRequestEvent(event);
    expect(view.eventType).toBe(eventType);
    expect(view.requestId).toBe("4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==");
    expect(view.request).toBe(event.Records[0].cf.request);
  });

  test.each([
    ["origin-response", DOC_ORIGIN_RESPONSE, "200"],
    ["viewer-response", DOC_VIEWER_RESPONSE, "404"],
  ] as const)("reads a %s event", (eventType, event, status) => {
    const view = viewResponseEvent(event);
    expect(view.eventType).toBe(eventType);
    expect(view.response).toBe(event.Records[0].cf.response);
    expect(view.response.status).toBe(status);
  });

  test("header pairs keep object order, key casing and multi-values", () => {
    expect(headerPairs(DOC_VIEWER_RESPONSE.Records[0].cf.response.headers)).toEqual([
      ["Content-Type", "text/html; charset=UTF-8"],
      ["Set-Cookie", "a=1; Path=/"],
      ["Set-Cookie", "b=2; Path=/"],
    ]);
    expect(headerPairs({ "x-no-key": [{ value: "v" }] })).toEqual([["x-no-key", "v"]]);
  });

  test("bodies: absent, base64, text, empty", () => {
    expect(decodeBody(undefined)).toEqual(Buffer.alloc(0));
    expect(decodeBody(base64Body(Buffer.from([0, 255, 1]))).equals(Buffer.from([0, 255, 1]))).toBe(true);
    expect(decodeBody({ action: "read-only", encoding: "text", inputTruncated: false, data: "✓" }).toString("hex")).toBe("e29c93");
    expect(decodeBody({ action: "read-only", encoding: "base64", inputTruncated: false, data: "" }).length).toBe(0);
  });

  test("request target: empty query string adds no '?'", () => {
    expect(requestTarget(DOC_VIEWER_REQUEST.Records[0].cf.request)).toBe("/");
    expect(requestTarget(requestEvent({ uri: "/a%20b", querystring: "x=1&y" }).Records[0].cf.request)).toBe("/a%20b?x=1&y");
  });
});

describe("protocol", () => {
  test("verdicts: 2xx passes, 403 blocks, every other answer is a node failure", () => {
    expect([200, 204, 299, 403].map(verdictOf)).toEqual(["pass", "pass", "pass", "block"]);
    for (const status of [0, 100, 101, 199, 300, 302, 304, 400, 401, 404, 408, 413, 414, 429, 431, 499, 500, 502, 599, 600]) {
      expect([status, verdictOf(status)]).toEqual([status, "no_verdict"]);
    }
  });

  test("path prefix drops trailing slashes", () => {
    expect(pathPrefix(new URL("http://n"))).toBe("");
    expect(pathPrefix(new URL("http://n/"))).toBe("");
    expect(pathPrefix(new URL("http://n/a/b//"))).toBe("/a/b");
  });

  test("targets: existing escapes kept, unicode/space/control bytes escaped", () => {
    expect(escapeTarget("/caf%C3%A9?q=%27")).toBe("/caf%C3%A9?q=%27");
    expect(escapeTarget("/café ✓\t")).toBe("/caf%C3%A9%20%E2%9C%93%09");
    expect(escapeTarget("/😀")).toBe("/%F0%9F%98%80");
  });

  test("the documentation's origin-request, mirrored", () => {
    const copy = mirrorRequest(viewRequestEvent(DOC_ORIGIN_REQUEST), pathPrefix(node), "async");
    expect(copy.method).toBe("GET");
    expect(copy.path).toBe("/prefix/");
    expect(copy.body.length).toBe(0);
    expect(copy.headers).toEqual([
      ["X-Forwarded-For", "203.0.113.178, 203.0.113.178"],
      ["User-Agent", "Amazon CloudFront"],
      ["Via", "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"],
      ["Host", "example.org"],
      ["Cache-Control", "no-cache"],
      ["x-real-ip", "203.0.113.178"],
      ["x-wallarm-request-id", "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="],
      ["x-wallarm-mode", "async"],
      ["x-wallarm-connector", "cloudfront/dev"],
    ]);
  });

  test("x-forwarded-for: the client IP goes to the last of several lines", () => {
    const event = requestEvent({
      clientIp: "2001:db8::1",
      headers: [
        ["Host", "h"],
        ["X-Forwarded-For", "a"],
        ["x-forwarded-for", "b, c"],
      ],
    });
    const headers = mirrorRequest(viewRequestEvent(event), pathPrefix(node), "inline").headers;
    expect(headers.slice(0, 3)).toEqual([
      ["Host", "h"],
      ["X-Forwarded-For", "a"],
      ["x-forwarded-for", "b, c, 2001:db8::1"],
    ]);
    expect(headers).toContainEqual(["x-real-ip", "2001:db8::1"]);
  });

  test("truncated body: flag and the length of what is sent", () => {
    const event = requestEvent({
      method: "POST",
      headers: [
        ["Host", "h"],
        ["content-length", "5000000"],
      ],
      body: base64Body("abc", true),
    });
    const copy = mirrorRequest(viewRequestEvent(event), pathPrefix(node), "inline");
    expect(copy.headers).toEqual(
      expect.arrayContaining([
        ["x-wallarm-body-truncated", "true"],
        ["content-length", "3"],
      ]),
    );
    expect(copy.headers[1]).toEqual(["content-length", "3"]);
    expect(copy.body.toString()).toBe("abc");
  });

  test("response report shape", () => {
    const report = responseReport(viewResponseEvent(DOC_VIEWER_RESPONSE), node.host, pathPrefix(node), "inline");
    expect(report.method).toBe("POST");
    expect(report.path).toBe("/prefix/wallarm-connector/response");
    expect(report.headers[0]).toEqual(["host", "node.example.com"]);
    expect(JSON.parse(report.body.toString())).toEqual({
      request_id: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
      event_type: "viewer-response",
      status: 404,
      headers: [
        ["Content-Type", "text/html; charset=UTF-8"],
        ["Set-Cookie", "a=1; Path=/"],
        ["Set-Cookie", "b=2; Path=/"],
      ],
    });
  });
});

describe("config", () => {
  test("absent and null keys take the documented defaults; unknown keys are reported", () => {
    const result = parseConfig(
      JSON.stringify({ wallarm_node_url: "http://10.0.0.1:8080", node_ca_pem: null, wallarm_mode: null, extra: 1 }),
    );
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
    [{ wallarm_node_url: "http://n", skip_extensions: [".png"] }, true, /skip_extensions must be a list of strings matching/],
    [{ wallarm_node_url: "http://n", skip_extensions: "png" }, true, /skip_extensions/],
    [{ wallarm_node_url: "http://n", skip_path_prefixes: ["static/"] }, true, /skip_path_prefixes/],
    [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/a%2F"] }, true, /skip_path_prefixes/],
    // Prefixes a plain path can never start with: a filter could never match them.
    [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/.well-known/"] }, true, /skip_path_prefixes/],
    [{ wallarm_node_url: "http://n", skip_path_prefixes: ["/a'b"] }, true, /skip_path_prefixes/],
    [{ wallarm_node_url: "http://n", skip_path_prefixes: ["//a"] }, true, /skip_path_prefixes/],
    [{ wallarm_node_url: "http://n", skip_methods: ["get"] }, true, /skip_methods must be a list of GET, HEAD, OPTIONS/],
    [{ wallarm_node_url: "http://n", metrics_interval_seconds: 0 }, true, /metrics_interval_seconds must be a whole number from 1 to 3600/],
    [{ wallarm_node_url: "http://n", metrics_namespace: "a\nb" }, true, /metrics_namespace/],
    [{ wallarm_node_url: "http://n", metrics_namespace: "Wallarm!" }, true, /metrics_namespace must match/],
    [{ wallarm_node_url: "http://n", block_page_body: 5, fail_open: false }, false, /block_page_body/],
    [
      { wallarm_node_url: "http://n", circuit_breaker_threshold: 0 },
      true,
      /circuit_breaker_threshold must be a whole number from 1 to 1000/,
    ],
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
});

describe("generated responses", () => {
  const config = { block_status_code: 403, block_page_body: null, block_page_content_type: "text/html; charset=utf-8" };

  test("size limits by trigger", () => {
    expect(sizeLimit("viewer-request")).toBe(40 * 1024);
    expect(sizeLimit("origin-request")).toBe(1024 * 1024);
  });

  test("a configured page exactly at the limit is kept, one byte over falls back", () => {
    const probe = blockResponse({ ...config, block_page_body: "" }, "viewer-request", "id");
    const room = sizeLimit("viewer-request") - responseSize(probe.response);
    const fits = blockResponse({ ...config, block_page_body: "a".repeat(room) }, "viewer-request", "id");
    expect(fits).toMatchObject({ oversized: false, response: { body: "a".repeat(room) } });
    const over = blockResponse({ ...config, block_page_body: "a".repeat(room + 1) }, "viewer-request", "id");
    expect(over).toMatchObject({ oversized: true, response: { body: builtInPage("id") } });
  });

  test("status without a standard description has none", () => {
    expect(blockResponse({ ...config, block_status_code: 599 }, "viewer-request", "id").response.statusDescription).toBeUndefined();
  });

  test("fail-closed 503", () => {
    expect(failClosedResponse()).toMatchObject({
      status: "503",
      statusDescription: "Service Unavailable",
      headers: { "cache-control": [{ key: "Cache-Control", value: "no-store" }] },
    });
  });
});
