// handlers/event.ts: reading Lambda@Edge events shaped as the AWS documentation shows them.
import type { CloudFrontRequestEvent } from "aws-lambda";
import { decodeBody, headerPairs, requestTarget, viewRequestEvent, viewResponseEvent } from "../../handlers/event";
import {
  base64Body,
  DOC_ORIGIN_REQUEST,
  DOC_ORIGIN_RESPONSE,
  DOC_VIEWER_REQUEST,
  DOC_VIEWER_RESPONSE,
  requestEvent,
} from "../../tools/cloudfront-events";

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
