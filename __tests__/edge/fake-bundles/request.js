// A stand-in request bundle for the emulator's own tests: the `x-test` header picks a behaviour.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const config = readFileSync(join(__dirname, "config.json"), "utf8");

exports.handler = async (event, context) => {
  const cf = event.Records[0].cf;
  const request = cf.request;
  const action = (request.headers["x-test"] || [{ value: "pass" }])[0].value;
  switch (action) {
    case "throw":
      throw new Error("boom");
    case "hang":
      return new Promise(() => undefined);
    case "show-event": {
      // The body copy is reported by size so that the answer stays under the 40 KB limit.
      const bodyBytes = request.body ? Buffer.from(request.body.data, "base64").length : null;
      if (request.body) request.body.data = request.body.data.slice(0, 64);
      const shown = { event, bodyBytes, config: JSON.parse(config), functionName: context.functionName, region: process.env.AWS_REGION };
      return { status: "200", body: JSON.stringify(shown) };
    }
    case "block":
      return { status: "403", headers: { "cache-control": [{ key: "Cache-Control", value: "no-store" }] }, body: "blocked" };
    case "bad-header":
      request.headers["x-real-ip"] = [{ key: "X-Real-IP", value: "192.0.2.1" }];
      return request;
    case "rewrite":
      request.uri = "/rewritten";
      request.querystring = "by=function";
      request.headers["x-added"] = [{ key: "X-Added", value: "yes" }];
      return request;
    case "unicode":
      // Changed and new values: CloudFront sends them to the origin as UTF-8.
      request.uri = "/café/€";
      request.querystring = "q=ü";
      request.headers["x-latin"] = [{ key: "X-Latin", value: `${request.headers["x-latin"][0].value}!` }];
      request.headers["x-generated"] = [{ key: "X-Generated", value: "€ é 😀" }];
      return request;
    default:
      request.headers["x-seen-request-id"] = [{ key: "X-Seen-Request-Id", value: cf.config.requestId }];
      return request;
  }
};
