// handlers/protocol.ts: the connector-to-node wire format, built from documentation events
// (verdicts, the node path prefix, escaped targets, the mirrored request, the response report).
import { viewRequestEvent, viewResponseEvent } from "../../handlers/event";
import { escapeTarget, mirrorRequest, pathPrefix, responseReport, verdictOf } from "../../handlers/protocol";
import { base64Body, DOC_ORIGIN_REQUEST, DOC_VIEWER_RESPONSE, requestEvent } from "../../tools/cloudfront-events";

const node = new URL("https://node.example.com/prefix/");

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
