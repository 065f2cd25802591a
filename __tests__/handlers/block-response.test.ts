// handlers/block-response.ts: the responses the request function generates (the blocking page,
// the fail-closed 503) within the trigger's size limit.
import { blockResponse, builtInPage, failClosedResponse, responseSize, sizeLimit } from "../../handlers/block-response";
import type { HandlerConfig } from "../../handlers/config";

const config: Pick<HandlerConfig, "block_status_code" | "block_page_body" | "block_page_content_type"> = {
  block_status_code: 403,
  block_page_body: null,
  block_page_content_type: "text/html; charset=utf-8",
};

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
