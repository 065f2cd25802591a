import {
  SIZE_LIMIT,
  bodyCopy,
  cloudFrontRequest,
  cloudFrontResponse,
  requestEvent,
  responseEvent,
  splitTarget,
  toCloudFrontHeaders,
  withoutBody,
} from "../../tools/edge/events";

const distribution = { distributionDomainName: "d1.cloudfront.net", distributionId: "EDIST" };
const origin = new URL("http://127.0.0.1:9000/base/");

describe("event building", () => {
  test("headers are keyed by lower-case name, keep casing and repeats, and hide disallowed ones", () => {
    const headers = toCloudFrontHeaders([
      "Host", "shop.example", "X-Multi", "a", "x-multi", "b", "Connection", "keep-alive", "X-Forwarded-Proto", "https", "X-Amz-Cf-Id", "x",
    ]);
    expect(headers).toEqual({
      host: [{ key: "Host", value: "shop.example" }],
      "x-multi": [{ key: "X-Multi", value: "a" }, { key: "x-multi", value: "b" }],
    });
  });

  test("querystring has no ? and is empty when absent", () => {
    expect(splitTarget("/a/b?x=1&y=../z")).toEqual({ uri: "/a/b", querystring: "x=1&y=../z" });
    expect(splitTarget("/a")).toEqual({ uri: "/a", querystring: "" });
    expect(splitTarget("/a?")).toEqual({ uri: "/a", querystring: "" });
  });

  test("the include-body copy is base64, read-only, and cut at the limit with inputTruncated", () => {
    const body = Buffer.alloc(100 * 1024, "x");
    const copy = bodyCopy(body, SIZE_LIMIT.viewer);
    expect(copy).toMatchObject({ inputTruncated: true, action: "read-only", encoding: "base64" });
    expect(Buffer.from(copy.data, "base64").length).toBe(40 * 1024);
    expect(bodyCopy(Buffer.from("hi"), SIZE_LIMIT.viewer)).toEqual({ inputTruncated: false, action: "read-only", encoding: "base64", data: "aGk=" });
    expect(SIZE_LIMIT.origin).toBe(1024 * 1024);
  });

  const viewer = {
    clientIp: "203.0.113.7",
    method: "POST",
    url: "/api/items?id=1",
    rawHeaders: ["Host", "shop.example", "Content-Type", "application/json"],
    body: Buffer.from('{"a":1}'),
  };

  test("viewer-request event has the documented shape and no origin", () => {
    const event = requestEvent("viewer-request", distribution, "REQ1", cloudFrontRequest(viewer, "viewer", origin));
    expect(event).toEqual({
      Records: [
        {
          cf: {
            config: { distributionDomainName: "d1.cloudfront.net", distributionId: "EDIST", eventType: "viewer-request", requestId: "REQ1" },
            request: {
              clientIp: "203.0.113.7",
              method: "POST",
              uri: "/api/items",
              querystring: "id=1",
              headers: { host: [{ key: "Host", value: "shop.example" }], "content-type": [{ key: "Content-Type", value: "application/json" }] },
              body: { inputTruncated: false, action: "read-only", encoding: "base64", data: Buffer.from('{"a":1}').toString("base64") },
            },
          },
        },
      ],
    });
  });

  test("origin events carry request.origin.custom for the origin URL", () => {
    const request = cloudFrontRequest(viewer, "origin", origin);
    expect(request.origin).toMatchObject({ custom: { domainName: "127.0.0.1", port: 9000, protocol: "http", path: "/base" } });
  });

  test("response events add response with a string status and reuse the request id", () => {
    const request = cloudFrontRequest(viewer, "origin", origin);
    const event = responseEvent("origin-response", distribution, "REQ1", withoutBody(request), cloudFrontResponse(404, "Not Found", ["ETag", '"1"']));
    const cf = event.Records[0].cf;
    expect(cf.config).toMatchObject({ eventType: "origin-response", requestId: "REQ1" });
    expect(cf.response).toEqual({ status: "404", statusDescription: "Not Found", headers: { etag: [{ key: "ETag", value: '"1"' }] } });
    expect(cf.request).not.toHaveProperty("body");
    expect(cf.request.origin).toBeDefined();
  });
});
