// What the node receives, byte for byte: the bundled request/response functions against the
// recording node.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";
import { version } from "../../package.json";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { base64Body, DOC_ORIGIN_RESPONSE, DOC_VIEWER_REQUEST, requestEvent } from "../../tools/cloudfront-events";
import { cleanup, coldStart, context, Handler } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;

let node: RecordingNode;
let inline: RequestHandler;
beforeAll(async () => {
  node = await startRecordingNode();
  inline = await coldStart("request", { wallarm_node_url: `${node.url}/waf/`, wallarm_mode: "inline" });
});
afterAll(async () => {
  await node.stop();
  cleanup();
});

async function relay(handler: RequestHandler, event: CloudFrontRequestEvent): Promise<string> {
  const before = node.requests.length;
  const result = await handler(event, context);
  expect(result).toBe(event.Records[0].cf.request); // the node said 200: pass, same object
  const [req] = (await node.waitForRequests(before + 1)).slice(before);
  return req.raw.toString("latin1");
}

const connector = `x-wallarm-connector: cloudfront/${version}\r\n`;

test("the documentation's viewer-request arrives as a GET with every header in order, plus the connector headers", async () => {
  const id = DOC_VIEWER_REQUEST.Records[0].cf.config.requestId;
  expect(await relay(inline, DOC_VIEWER_REQUEST)).toBe(
    "GET /waf/ HTTP/1.1\r\n" +
      "Host: d111111abcdef8.cloudfront.net\r\n" +
      "User-Agent: curl/7.66.0\r\n" +
      "accept: */*\r\n" +
      "x-forwarded-for: 203.0.113.178\r\n" +
      "x-real-ip: 203.0.113.178\r\n" +
      `x-wallarm-request-id: ${id}\r\n` +
      "x-wallarm-mode: inline\r\n" +
      connector +
      "Connection: keep-alive\r\n" +
      "\r\n",
  );
});

test("POST: multi-value headers as repeated lines, x-forwarded-for appended, body decoded, viewer framing replaced", async () => {
  const body = Buffer.from([0x00, 0xff, 0x10, 0x41, 0x0d, 0x0a]); // binary, not UTF-8
  const event = requestEvent({
    eventType: "origin-request",
    requestId: "req-1",
    clientIp: "198.51.100.7",
    method: "POST",
    uri: "/api/v1/items",
    querystring: "a=1&a=2&b=%20x",
    headers: [
      ["Host", "shop.example.com"],
      ["Content-Length", "999"],
      ["X-Forwarded-For", "192.0.2.1"],
      ["Cookie", "a=1"],
      ["Cookie", "b=2"],
      ["Transfer-Encoding", "chunked"],
      ["X-Real-IP", "6.6.6.6"],
      ["x-wallarm-mode", "off"],
      ["Content-Type", "application/octet-stream"],
    ],
    body: base64Body(body),
  });
  const raw = await relay(inline, event);
  expect(raw).toBe(
    "POST /waf/api/v1/items?a=1&a=2&b=%20x HTTP/1.1\r\n" +
      "Host: shop.example.com\r\n" +
      "Content-Length: 6\r\n" +
      "X-Forwarded-For: 192.0.2.1, 198.51.100.7\r\n" +
      "Cookie: a=1\r\n" +
      "Cookie: b=2\r\n" +
      "Content-Type: application/octet-stream\r\n" +
      "x-real-ip: 198.51.100.7\r\n" +
      "x-wallarm-request-id: req-1\r\n" +
      "x-wallarm-mode: inline\r\n" +
      connector +
      "Connection: keep-alive\r\n" +
      "\r\n" +
      body.toString("latin1"),
  );
  const last = node.requests[node.requests.length - 1];
  expect(last.framing).toBe("content-length");
  expect(last.body.equals(body)).toBe(true);
});

test("underscore look-alikes of the connector's headers never reach the node; other underscore names do, unchanged", async () => {
  // nginx with underscores_in_headers reads "_" as "-": X_Real_IP would be $http_x_real_ip.
  const event = requestEvent({
    requestId: "look-alike",
    headers: [
      ["Host", "shop.example.com"],
      ["X_Wallarm_Mode", "off"],
      ["X_Real_IP", "6.6.6.6"],
      ["x_wallarm_request_id", "forged"],
      ["x-wallarm_mode", "off"],
      ["X_WALLARM_CONNECTOR", "forged"],
      ["X_Forwarded_For", "10.0.0.1"],
      ["X-Forwarded-For", "192.0.2.1"],
      ["X_Custom_Id", "42"],
      ["x_wallarm", "kept"], // not x-wallarm-*
    ],
  });
  const raw = await relay(inline, event);
  expect(raw).toBe(
    "GET /waf/ HTTP/1.1\r\n" +
      "Host: shop.example.com\r\n" +
      "X-Forwarded-For: 192.0.2.1, 203.0.113.178\r\n" +
      "X_Custom_Id: 42\r\n" +
      "x_wallarm: kept\r\n" +
      "x-real-ip: 203.0.113.178\r\n" +
      "x-wallarm-request-id: look-alike\r\n" +
      "x-wallarm-mode: inline\r\n" +
      connector +
      "Connection: keep-alive\r\n" +
      "\r\n",
  );
  // As the node reads them, each connector header is there once, with the connector's value.
  const { headers } = node.requests[node.requests.length - 1];
  const read = (name: string) => headers.filter(([key]) => key.toLowerCase().replace(/_/g, "-") === name).map(([, value]) => value);
  expect(read("x-real-ip")).toEqual(["203.0.113.178"]);
  expect(read("x-wallarm-mode")).toEqual(["inline"]);
  expect(read("x-wallarm-request-id")).toEqual(["look-alike"]);
  expect(read("x-forwarded-for")).toEqual(["192.0.2.1, 203.0.113.178"]);
});

test("with truncated_body_action = inspect, a truncated body is sent as received, flagged", async () => {
  const inspecting: RequestHandler = await coldStart("request", { wallarm_node_url: `${node.url}/waf/`, truncated_body_action: "inspect" });
  const partial = "x".repeat(40 * 1024);
  const event = requestEvent({
    method: "PUT",
    headers: [
      ["Host", "h"],
      ["Content-Length", "100000"],
    ],
    body: base64Body(partial, true),
  });
  const raw = await relay(inspecting, event);
  expect(raw).toContain("\r\nContent-Length: 40960\r\n");
  expect(raw).toContain("\r\nx-wallarm-body-truncated: true\r\n");
  expect(raw.endsWith(`\r\n\r\n${partial}`)).toBe(true);
});

test("a text-encoded body is sent as its UTF-8 bytes", async () => {
  const event = requestEvent({ method: "POST", body: { action: "read-only", encoding: "text", inputTruncated: false, data: "héllo ✓" } });
  await relay(inline, event);
  const last = node.requests[node.requests.length - 1];
  expect(last.body.toString("utf8")).toBe("héllo ✓");
  expect(last.headers).toContainEqual(["content-length", String(Buffer.byteLength("héllo ✓"))]);
});

test("framing: GET/HEAD without body get none, POST without body gets content-length: 0", async () => {
  for (const method of ["GET", "HEAD", "DELETE", "OPTIONS"]) {
    const raw = await relay(inline, requestEvent({ method }));
    expect(raw).not.toMatch(/content-length|transfer-encoding/i);
  }
  const post = await relay(inline, requestEvent({ method: "POST" }));
  expect(post).toMatch(/\r\ncontent-length: 0\r\n/);
  expect(post).not.toMatch(/transfer-encoding/i);
  // without "include body" the viewer's content-length disagrees with the empty copy: replaced
  const noBody = await relay(
    inline,
    requestEvent({
      method: "POST",
      headers: [
        ["Host", "h"],
        ["content-length", "12"],
      ],
    }),
  );
  expect(noBody).toMatch(/^POST \/waf\/ HTTP\/1\.1\r\nHost: h\r\ncontent-length: 0\r\n/);
});

test("percent-encoded URIs pass unchanged, raw unicode and spaces are percent-encoded as UTF-8", async () => {
  expect(await relay(inline, requestEvent({ uri: "/caf%C3%A9/%E2%9C%93", querystring: "q=%27a%27" }))).toMatch(
    /^GET \/waf\/caf%C3%A9\/%E2%9C%93\?q=%27a%27 HTTP\/1\.1\r\n/,
  );
  expect(await relay(inline, requestEvent({ uri: "/café/✓ x", querystring: "" }))).toMatch(
    /^GET \/waf\/caf%C3%A9\/%E2%9C%93%20x HTTP\/1\.1\r\n/,
  );
});

test("async mode sends the same copy with x-wallarm-mode: async", async () => {
  const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
    wallarm_node_url: node.url,
    wallarm_mode: "async",
  });
  const event = requestEvent({ requestId: "async-1", method: "POST", body: base64Body("a=1") });
  const before = node.requests.length;
  expect(await handler(event, context)).toBe(event.Records[0].cf.request);
  const [req] = (await node.waitForRequests(before + 1)).slice(before);
  expect(req.target).toBe("/");
  expect(req.headers).toContainEqual(["x-wallarm-request-id", "async-1"]);
  expect(req.headers).toContainEqual(["x-wallarm-mode", "async"]);
  expect(req.body.toString()).toBe("a=1");
});

test("the response function reports status and headers as JSON and returns the response object itself", async () => {
  const report = await coldStart<CloudFrontResponseEvent, CloudFrontResponseResult>("response", { wallarm_node_url: `${node.url}/waf` });
  const before = node.requests.length;
  const response = DOC_ORIGIN_RESPONSE.Records[0].cf.response;
  const snapshot = JSON.stringify(response);
  expect(await report(DOC_ORIGIN_RESPONSE, context)).toBe(response);
  expect(JSON.stringify(response)).toBe(snapshot);
  const [req] = (await node.waitForRequests(before + 1)).slice(before);
  const json = JSON.stringify({
    request_id: DOC_ORIGIN_RESPONSE.Records[0].cf.config.requestId,
    event_type: "origin-response",
    status: 200,
    headers: [
      ["Access-Control-Allow-Credentials", "true"],
      ["Access-Control-Allow-Origin", "*"],
      ["Date", "Mon, 13 Jan 2020 20:12:38 GMT"],
      ["Referrer-Policy", "no-referrer-when-downgrade"],
      ["Server", "ExampleCustomOriginServer"],
      ["Content-Type", "text/html; charset=UTF-8"],
      ["Content-Length", "9593"],
    ],
  });
  expect(req.raw.toString()).toBe(
    "POST /waf/wallarm-connector/response HTTP/1.1\r\n" +
      `host: 127.0.0.1:${node.port}\r\n` +
      "content-type: application/json\r\n" +
      `x-wallarm-request-id: ${DOC_ORIGIN_RESPONSE.Records[0].cf.config.requestId}\r\n` +
      "x-wallarm-mode: inline\r\n" +
      connector +
      `content-length: ${json.length}\r\n` +
      "Connection: keep-alive\r\n" +
      "\r\n" +
      json,
  );
});
