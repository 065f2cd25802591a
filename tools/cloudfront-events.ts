// Sample CloudFront events shaped as the AWS documentation shows them (lambda-event-structure),
// plus a builder for variations: one source for the tests and the bench. Header objects are
// keyed by lower-case name; each value keeps the viewer's casing.
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResponseEvent } from "aws-lambda";

export const DOC_VIEWER_REQUEST: CloudFrontRequestEvent = {
  Records: [
    {
      cf: {
        config: {
          distributionDomainName: "d111111abcdef8.cloudfront.net",
          distributionId: "EDFDVBD6EXAMPLE",
          eventType: "viewer-request",
          requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
        },
        request: {
          clientIp: "203.0.113.178",
          headers: {
            host: [{ key: "Host", value: "d111111abcdef8.cloudfront.net" }],
            "user-agent": [{ key: "User-Agent", value: "curl/7.66.0" }],
            accept: [{ key: "accept", value: "*/*" }],
          },
          method: "GET",
          querystring: "",
          uri: "/",
        },
      },
    },
  ],
};

export const DOC_ORIGIN_REQUEST: CloudFrontRequestEvent = {
  Records: [
    {
      cf: {
        config: {
          distributionDomainName: "d111111abcdef8.cloudfront.net",
          distributionId: "EDFDVBD6EXAMPLE",
          eventType: "origin-request",
          requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
        },
        request: {
          clientIp: "203.0.113.178",
          headers: {
            "x-forwarded-for": [{ key: "X-Forwarded-For", value: "203.0.113.178" }],
            "user-agent": [{ key: "User-Agent", value: "Amazon CloudFront" }],
            via: [{ key: "Via", value: "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)" }],
            host: [{ key: "Host", value: "example.org" }],
            "cache-control": [{ key: "Cache-Control", value: "no-cache" }],
          },
          method: "GET",
          origin: {
            custom: {
              customHeaders: {},
              domainName: "example.org",
              keepaliveTimeout: 5,
              path: "",
              port: 443,
              protocol: "https",
              readTimeout: 30,
              sslProtocols: ["TLSv1", "TLSv1.1", "TLSv1.2"],
            },
          },
          querystring: "",
          uri: "/",
        },
      },
    },
  ],
};

export const DOC_ORIGIN_RESPONSE: CloudFrontResponseEvent = {
  Records: [
    {
      cf: {
        config: {
          distributionDomainName: "d111111abcdef8.cloudfront.net",
          distributionId: "EDFDVBD6EXAMPLE",
          eventType: "origin-response",
          requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
        },
        request: DOC_ORIGIN_REQUEST.Records[0].cf.request,
        response: {
          headers: {
            "access-control-allow-credentials": [{ key: "Access-Control-Allow-Credentials", value: "true" }],
            "access-control-allow-origin": [{ key: "Access-Control-Allow-Origin", value: "*" }],
            date: [{ key: "Date", value: "Mon, 13 Jan 2020 20:12:38 GMT" }],
            "referrer-policy": [{ key: "Referrer-Policy", value: "no-referrer-when-downgrade" }],
            server: [{ key: "Server", value: "ExampleCustomOriginServer" }],
            "content-type": [{ key: "Content-Type", value: "text/html; charset=UTF-8" }],
            "content-length": [{ key: "Content-Length", value: "9593" }],
          },
          status: "200",
          statusDescription: "OK",
        },
      },
    },
  ],
};

export const DOC_VIEWER_RESPONSE: CloudFrontResponseEvent = {
  Records: [
    {
      cf: {
        config: { ...DOC_ORIGIN_RESPONSE.Records[0].cf.config, eventType: "viewer-response" },
        request: DOC_VIEWER_REQUEST.Records[0].cf.request,
        response: {
          headers: {
            "content-type": [{ key: "Content-Type", value: "text/html; charset=UTF-8" }],
            "set-cookie": [
              { key: "Set-Cookie", value: "a=1; Path=/" },
              { key: "Set-Cookie", value: "b=2; Path=/" },
            ],
          },
          status: "404",
          statusDescription: "Not Found",
        },
      },
    },
  ],
};

export interface RequestSpec {
  eventType?: "viewer-request" | "origin-request";
  requestId?: string;
  clientIp?: string;
  method?: string;
  uri?: string;
  querystring?: string;
  /** Wire-order pairs; several pairs with the same name become one multi-value header. */
  headers?: Array<[string, string]>;
  body?: CloudFrontRequest["body"];
}

let counter = 0;

export function requestEvent(spec: RequestSpec = {}): CloudFrontRequestEvent {
  const headers: CloudFrontHeaders = {};
  for (const [key, value] of spec.headers ?? [
    ["Host", "shop.example.com"],
    ["User-Agent", "curl/8.5.0"],
    ["Accept", "*/*"],
  ]) {
    (headers[key.toLowerCase()] ??= []).push({ key, value });
  }
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: "d111111abcdef8.cloudfront.net",
            distributionId: "EDFDVBD6EXAMPLE",
            eventType: spec.eventType ?? "viewer-request",
            requestId: spec.requestId ?? `test-${process.pid}-${++counter}-Abc_dEf==`,
          },
          request: {
            clientIp: spec.clientIp ?? "203.0.113.178",
            headers,
            method: spec.method ?? "GET",
            querystring: spec.querystring ?? "",
            uri: spec.uri ?? "/",
            ...(spec.body ? { body: spec.body } : {}),
          },
        },
      },
    ],
  };
}

/** A body as CloudFront passes it with "include body": base64, read-only. */
export function base64Body(data: string | Buffer, inputTruncated = false): CloudFrontRequest["body"] {
  return { action: "read-only", encoding: "base64", inputTruncated, data: Buffer.from(data).toString("base64") };
}
