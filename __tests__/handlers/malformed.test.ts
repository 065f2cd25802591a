// Events CloudFront would never send, through the bundled functions: no exception reaches Lambda
// (a Lambda error is a 503 for the viewer and a hole in the logs), nothing half-built reaches the
// node, and each is one `internal_error` line with the action taken, so it is never a silent pass.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { DOC_ORIGIN_RESPONSE, requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context, type Handler } from "../support/lambda";

let node: RecordingNode;
beforeAll(async () => {
  node = await startRecordingNode();
});
afterAll(async () => {
  await node.stop();
  cleanup();
});

interface LooseEvent {
  Records: Array<{ cf: Record<string, Record<string, unknown>> }>;
}
/** Turns a copy of a valid event into one CloudFront never sends, and returns it. */
type Damage = (event: LooseEvent) => unknown;
const inPart =
  (part: "request" | "response", change: (target: Record<string, unknown>) => void): Damage =>
  (event) => {
    change(event.Records[0].cf[part]);
    return event;
  };

const DAMAGES: Array<[string, Damage]> = [
  ["no event", () => undefined],
  ["no Records", () => ({})],
  ["empty Records", () => ({ Records: [] })],
  ["a header value that is a string, not a list", inPart("request", (r) => (r.headers = { host: "shop.example.com" }))],
  ["no headers", inPart("request", (r) => delete r.headers)],
  ["no client IP", inPart("request", (r) => delete r.clientIp)],
  ["a body whose data is a number", inPart("request", (r) => (r.body = { encoding: "base64", data: 42 }))],
];

const requestIdOf = (event: unknown): string | undefined =>
  (event as Partial<LooseEvent> | undefined)?.Records?.[0]?.cf.config?.requestId as string | undefined;

const damaged = <E>(valid: E, damage: Damage): E => damage(structuredClone(valid) as unknown as LooseEvent) as E;

/** Calls the handler with its log lines captured; waits a moment for anything sent late. */
async function call<E, R>(handler: Handler<E, R>, event: E): Promise<{ result: R; lines: Array<Record<string, unknown>>; sent: number }> {
  const before = node.requests.length;
  const logs = captureLogs();
  try {
    const result = await handler(event, context);
    // Absence check: nothing may reach the node. A slow run can only hide a request, never add one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { result, lines: logs.lines(), sent: node.requests.length - before };
  } finally {
    logs.restore();
  }
}

describe.each([true, false])("request function, fail_open = %p", (failOpen) => {
  let handler: Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;
  beforeAll(async () => {
    handler = await coldStart("request", { wallarm_node_url: node.url, fail_open: failOpen, metrics_enabled: false });
  });

  test.each(DAMAGES)("%s: the fail policy, one internal_error line, nothing sent", async (_name, damage) => {
    const event = damaged(requestEvent(), damage);
    const { result, lines, sent } = await call(handler, event);
    if (failOpen) expect(result).toBe(event?.Records?.[0]?.cf?.request);
    else expect(result).toMatchObject({ status: "503" });
    expect(lines).toEqual([expect.objectContaining({ event: "internal_error", action: failOpen ? "pass" : "fail_closed" })]);
    // The line names the request whenever the event still carries its id.
    expect(lines[0].request_id).toBe(requestIdOf(event));
    expect(sent).toBe(0);
  });
});

describe("response function", () => {
  let handler: Handler<CloudFrontResponseEvent, CloudFrontResponseResult>;
  beforeAll(async () => {
    handler = await coldStart("response", { wallarm_node_url: node.url, metrics_enabled: false });
  });

  const RESPONSE_DAMAGES: Array<[string, Damage]> = [
    ...DAMAGES.slice(0, 3),
    ["a response header value that is a string, not a list", inPart("response", (r) => (r.headers = { server: "x" }))],
    ["no response headers", inPart("response", (r) => delete r.headers)],
  ];

  test.each(RESPONSE_DAMAGES)("%s: the response unchanged, one internal_error line, no report", async (_name, damage) => {
    const event = damaged(DOC_ORIGIN_RESPONSE, damage);
    const { result, lines, sent } = await call(handler, event);
    expect(result).toBe(event?.Records?.[0]?.cf?.response);
    expect(lines).toEqual([expect.objectContaining({ event: "internal_error", action: "pass" })]);
    expect(lines[0].request_id).toBe(requestIdOf(event));
    expect(sent).toBe(0);
  });
});
