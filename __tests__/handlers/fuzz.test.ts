// Seeded fuzz of the request function: thousands of hostile CloudFront events (random Unicode,
// controls, odd and forged header names, duplicates, raw non-ASCII targets, bodies) through the
// bundle, in both modes and both triggers, against three real nodes: HTTP/2 over TLS, HTTP/1.1
// over TLS and plain HTTP/1.1. Every node answers 403, so in inline mode every event must come
// back blocked, and the node must have received each header's exact UTF-8 bytes (after the
// documented %XX decoding of the names listed in x-wallarm-escaped-headers).
//
// Reproduce one event: fuzzEvent(<event seed>, <event type>, <request id>) from __tests__/support/fuzz-events,
// with the values printed in the failure. Another run seed: FUZZ_SEED=<n> npx jest fuzz.
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { H2Node, startH2Node } from "../../tools/h2-node";
import { RecordingNode, startRecordingNode } from "../../tools/recording-node";
import { makePki, type TestPki } from "../../tools/pki";
import { asciiJson, eventSeed, FuzzCase, fuzzEvent } from "../support/fuzz-events";
import { requestEvent } from "../../tools/cloudfront-events";
import { captureLogs, cleanup, coldStart, context, Handler } from "../support/lambda";

type RequestHandler = Handler<CloudFrontRequestEvent, CloudFrontRequestResult>;
type Mode = "inline" | "async";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de) >>> 0;
const EVENTS_PER_RUN = 1750; // × 3 nodes × 2 modes = 10,500 events
const PREFIX = "/fuzz";

/** One request as a node saw it, whatever the protocol. */
interface Received {
  protocol: "h2" | "http/1.1";
  method: string;
  path: string;
  authority: string;
  headers: Array<[string, Buffer]>;
  body: Buffer;
}

interface NodeUnderTest {
  url: string;
  tls: boolean;
  count(): number;
  wait(n: number): Promise<void>;
  received(from: number): Received[];
}

let pki: TestPki;
let h2: H2Node;
let h1: H2Node;
let plain: RecordingNode;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  pki = makePki();
  [h2, h1, plain] = await Promise.all([
    startH2Node({ key: pki.key, cert: pki.cert, behaviour: { kind: "status", status: 403 } }),
    startH2Node({ key: pki.key, cert: pki.cert, h2: false, behaviour: { kind: "status", status: 403 } }),
    startRecordingNode({ behaviour: { kind: "status", status: 403 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([h2.stop(), h1.stop(), plain.stop()]);
  cleanup();
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

const h2Like = (node: () => H2Node): NodeUnderTest => ({
  get url() {
    return node().url;
  },
  tls: true,
  count: () => node().requests.length,
  wait: async (n) => void (await node().waitForRequests(n, 5000)),
  received: (from) => node().requests.slice(from),
});

const NODES: Array<[string, NodeUnderTest]> = [
  ["HTTP/2 over TLS", h2Like(() => h2)],
  ["HTTP/1.1 over TLS", h2Like(() => h1)],
  [
    "plain HTTP/1.1",
    {
      get url() {
        return plain.url;
      },
      tls: false,
      count: () => plain.requests.length,
      wait: async (n) => void (await plain.waitForRequests(n, 5000)),
      received: (from) => plain.requests.slice(from).map((r) => parseRaw(r.raw)),
    },
  ],
];

/** HTTP/1.1 head parsed from the raw bytes (field values lose only their OWS: SP and HTAB). */
function parseRaw(raw: Buffer): Received {
  const headEnd = raw.indexOf("\r\n\r\n");
  const [line, ...lines] = raw.subarray(0, headEnd).toString("latin1").split("\r\n");
  const [method, path] = line.split(" ");
  const headers = lines.map((l): [string, Buffer] => {
    const colon = l.indexOf(":");
    return [l.slice(0, colon), Buffer.from(l.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ""), "latin1")];
  });
  const host = headers.find(([k]) => k.toLowerCase() === "host");
  return {
    protocol: "http/1.1",
    method,
    path,
    authority: host ? host[1].toString("latin1") : "",
    headers,
    body: raw.subarray(headEnd + 4),
  };
}

const isHex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

/** %XX → the byte XX; anything else (a lone "%" included) as it is. */
function percentDecode(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out.push(parseInt(bytes.subarray(i + 1, i + 3).toString("latin1"), 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out);
}

/** The request target the node must see: every code point outside 0x21-0x7E as %XX of its UTF-8. */
function expectedPath(request: CloudFrontRequest): string {
  const target = PREFIX + (request.querystring ? `${request.uri}?${request.querystring}` : request.uri);
  let out = "";
  for (const ch of target) {
    const c = ch.codePointAt(0) ?? 0;
    out +=
      c >= 0x21 && c <= 0x7e ? ch : [...Buffer.from(ch, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  return out;
}

const HOP_BY_HOP = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "te",
  "http2-settings",
]);
const CONNECTOR = [
  "x-wallarm-request-id",
  "x-wallarm-mode",
  "x-wallarm-connector",
  "x-wallarm-escaped-headers",
  "x-wallarm-body-truncated",
  "x-real-ip",
];
const isStripped = (name: string): boolean => {
  const n = name.toLowerCase();
  return HOP_BY_HOP.has(n) || n === "x-real-ip" || n.startsWith("x-wallarm-");
};
/** ASCII-only lower case of a byte string (what HTTP/2's lower-case names do to UTF-8 bytes). */
const asciiLower = (b: Buffer): string => b.toString("latin1").replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** The viewer's headers the node must get, in order, as [name bytes, value bytes]. */
function expectedFields(request: CloudFrontRequest): Array<[Buffer, Buffer]> {
  const pairs = Object.entries(request.headers).flatMap(([name, values]) =>
    values.map(({ key, value }): [string, string] => [key ?? name, value]),
  );
  const fields = pairs.filter(([k]) => !isStripped(k)).map(([k, v]): [Buffer, Buffer] => [Buffer.from(k, "utf8"), Buffer.from(v, "utf8")]);
  const xff = fields.map(([k]) => asciiLower(k)).lastIndexOf("x-forwarded-for");
  const ip = Buffer.from(request.clientIp, "utf8");
  if (xff >= 0) fields[xff] = [fields[xff][0], Buffer.concat([fields[xff][1], Buffer.from(", "), ip])];
  else fields.push([Buffer.from("x-forwarded-for"), ip]);
  return fields;
}

const show = (b: Buffer): string => asciiJson(b.toString("latin1"));

/** Everything wrong with what the node received for one event; [] when it is exact. */
function checkReceived(fc: FuzzCase, got: Received, mode: Mode): string[] {
  const problems: string[] = [];
  const { request, config } = fc.event.Records[0].cf;
  if (got.method !== request.method) problems.push(`method ${got.method}`);
  const path = expectedPath(request);
  if (got.path !== path) problems.push(`path ${asciiJson(got.path)} expected ${asciiJson(path)}`);
  if (!got.body.equals(fc.body)) problems.push(`body of ${got.body.length} bytes, expected ${fc.body.length}`);

  const all = got.headers.map(([k, v]): [string, Buffer] => [k, v]);
  const field = (name: string): Buffer[] => all.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  const single = (name: string): string | undefined => {
    const values = field(name);
    if (values.length > 1) problems.push(`${values.length} ${name} fields`);
    return values[0]?.toString("latin1");
  };
  const escaped = new Set((single("x-wallarm-escaped-headers") ?? "").split(",").filter((s) => s !== ""));
  if (single("x-wallarm-request-id") !== config.requestId) problems.push(`x-wallarm-request-id ${single("x-wallarm-request-id")}`);
  if (single("x-wallarm-mode") !== mode) problems.push(`x-wallarm-mode ${single("x-wallarm-mode")}`);
  if (!/^cloudfront\/\S+$/.test(single("x-wallarm-connector") ?? "")) problems.push(`x-wallarm-connector ${single("x-wallarm-connector")}`);
  const truncated = single("x-wallarm-body-truncated");
  if ((truncated === "true") !== Boolean(request.body?.inputTruncated) || (truncated !== undefined && truncated !== "true")) {
    problems.push(`x-wallarm-body-truncated ${truncated}`);
  }
  if (single("x-real-ip") !== request.clientIp) problems.push(`x-real-ip ${single("x-real-ip")}`);
  const length = field("content-length").map((v) => v.toString("latin1"));
  if (length.some((l) => l !== String(fc.body.length))) problems.push(`content-length ${length.join(",")} for ${fc.body.length} bytes`);

  // The viewer's fields as the node decodes them: %XX in listed names and their values.
  const decoded: Array<[Buffer, Buffer]> = [];
  for (const [k, v] of all) {
    const name = k.toLowerCase();
    if (CONNECTOR.includes(name) || name === "content-length" || (got.protocol === "http/1.1" && name === "connection")) continue;
    const listed = escaped.has(name);
    const dk = listed ? percentDecode(Buffer.from(k, "latin1")) : Buffer.from(k, "latin1");
    const dv = listed ? percentDecode(v) : v;
    if (isStripped(dk.toString("latin1"))) problems.push(`forged or hop-by-hop field reached the node: ${show(dk)}: ${show(dv)}`);
    decoded.push([dk, dv]);
  }
  const expected = expectedFields(request);
  if (got.protocol === "http/1.1") {
    const a = decoded.map(([k, v]) => `${show(k)}: ${show(v)}`);
    const e = expected.map(([k, v]) => `${show(k)}: ${show(v)}`);
    if (a.join("\n") !== e.join("\n"))
      problems.push(`fields differ:\n  got      ${a.join("\n           ")}\n  expected ${e.join("\n           ")}`);
    return problems;
  }
  // HTTP/2: lower-case names, the first Host as :authority (or as a regular host field, which
  // RFC 9113 also allows), repeats combined (", ", cookie "; ").
  const hostAt = expected.findIndex(([k]) => asciiLower(k) === "host");
  if (hostAt >= 0 && !decoded.some(([k]) => asciiLower(k) === "host")) {
    const [[, host]] = expected.splice(hostAt, 1);
    const authority = Buffer.from(got.authority, "latin1");
    const dAuthority = escaped.has("host") ? percentDecode(authority) : authority;
    if (!dAuthority.equals(host)) problems.push(`:authority ${show(authority)} decodes to ${show(dAuthority)}, expected ${show(host)}`);
  }
  const combined = new Map<string, Buffer>();
  for (const [k, v] of expected) {
    const name = asciiLower(k);
    const prior = combined.get(name);
    // Empty repeats add nothing (a trailing blank would make HTTP/2 peers drop the field).
    if (prior === undefined || prior.length === 0) combined.set(name, v);
    else if (v.length > 0) combined.set(name, Buffer.concat([prior, Buffer.from(name === "cookie" ? "; " : ", "), v]));
  }
  const a = decoded.map(([k, v]) => `${show(k)}: ${show(v)}`).sort();
  const e = [...combined].map(([k, v]) => `${show(Buffer.from(k, "latin1"))}: ${show(v)}`).sort();
  if (a.join("\n") !== e.join("\n"))
    problems.push(`fields differ:\n  got      ${a.join("\n           ")}\n  expected ${e.join("\n           ")}`);
  return problems;
}

const isRequest = (r: CloudFrontRequestResult, request: CloudFrontRequest): boolean => r === request;
const isBlocked = (r: CloudFrontRequestResult): boolean => {
  const res = r as CloudFrontResultResponse | undefined;
  return res !== undefined && res !== null && typeof res.status === "string" && res.status === "403" && typeof res.headers === "object";
};

describe.each(NODES.map(([name, node], i) => [name, node, i] as const))(`fuzz (seed ${SEED}) against %s`, (name, node, nodeIndex) => {
  test.each([["inline"], ["async"]] as const)(`${EVENTS_PER_RUN} events, viewer- and origin-request, %s mode`, async (mode) => {
    const handler: RequestHandler = await coldStart("request", {
      wallarm_node_url: `${node.url}${PREFIX}/`,
      wallarm_mode: mode,
      node_timeout_ms: 5000,
      fail_open: true, // a node failure would show as a pass: nothing hides behind a 503
      truncated_body_action: "inspect", // fuzzed bodies may be flagged truncated: every one goes to the node
      ...(node.tls ? { node_ca_pem: pki.caPem } : {}),
    });
    const stream = nodeIndex * 2 + (mode === "inline" ? 0 : 1);
    const before = node.count();
    const cases: FuzzCase[] = [];
    const problems: string[] = [];
    let failures = 0;
    const report = (fc: FuzzCase, what: string): void => {
      failures++;
      if (problems.length >= 8) return;
      const cf = fc.event.Records[0].cf;
      problems.push(
        `${name} ${mode}, event seed ${fc.seed} (fuzzEvent(${fc.seed}, "${cf.config.eventType}", "${cf.config.requestId}")${fc.hostile ? ", hostile" : ""}): ${what}\n` +
          `  request: ${asciiJson(cf.request)}`,
      );
    };
    const tally = { viewer: 0, origin: 0, hostile: 0, blocked: 0, passedBack: 0 };

    for (let i = 0; i < EVENTS_PER_RUN; i++) {
      const eventType = i % 2 === 0 ? "viewer-request" : "origin-request";
      const fc = fuzzEvent(eventSeed(SEED, stream, i), eventType, `fz${SEED.toString(36)}-${stream}-${i}-`);
      cases.push(fc);
      tally[eventType === "viewer-request" ? "viewer" : "origin"]++;
      if (fc.hostile) tally.hostile++;
      const request = fc.event.Records[0].cf.request;
      let result: CloudFrontRequestResult;
      try {
        result = await handler(fc.event, context);
      } catch (err) {
        report(fc, `the handler threw ${String(err)}`);
        continue;
      }
      if (mode === "inline") {
        if (isBlocked(result)) tally.blocked++;
        else
          report(
            fc,
            isRequest(result, request)
              ? "PASSED: the request went through although the node blocks everything"
              : `not a 403 block: ${asciiJson(result)}`,
          );
      } else if (isRequest(result, request)) tally.passedBack++;
      else report(fc, `async mode must return the request object, got ${asciiJson(result)}`);
    }

    // Every event reached the node (async copies may still be on their way): check each one.
    await node.wait(before + EVENTS_PER_RUN).catch((err: Error) => problems.push(err.message));
    const byId = new Map<string, Received>();
    for (const r of node.received(before)) {
      const id = r.headers.find(([k]) => k.toLowerCase() === "x-wallarm-request-id")?.[1].toString("latin1") ?? "";
      if (!byId.has(id)) byId.set(id, r);
    }
    for (const fc of cases) {
      const got = byId.get(fc.event.Records[0].cf.config.requestId);
      const wrong = got ? checkReceived(fc, got, mode) : ["the node never received this event"];
      if (wrong.length > 0) report(fc, wrong.join("; "));
    }

    const lines = logs.lines();
    const bad = lines.filter((l) => l.event === "internal_error" || l.event === "node_failure" || l.event === "breaker_open");
    expect({ failures, first: problems }).toEqual({ failures: 0, first: [] });
    expect(bad).toEqual([]);
    if (mode === "inline") {
      expect(tally.blocked).toBe(EVENTS_PER_RUN);
      expect(lines.filter((l) => l.event === "blocked")).toHaveLength(EVENTS_PER_RUN);
    } else expect(tally.passedBack).toBe(EVENTS_PER_RUN);
    expect(tally.viewer + tally.origin).toBe(EVENTS_PER_RUN);
    expect(tally.hostile).toBeGreaterThan(EVENTS_PER_RUN * 0.04);
  });
});

// The smallest events the fuzzer's failures reduce to (run seed 0x5EEDC0DE): each must be blocked
// and reach every node with its exact bytes, like any fuzzed event.
const MINIMAL: Array<[string, Array<[string, string]>]> = [
  ["an empty Host (no HTTP/2 form: sent over HTTP/1.1, not reset and passed)", [["Host", ""]]],
  ["a Host with a control byte (escaped once, also as :authority)", [["Host", "a\x01b"]]],
  [
    "a repeated header, one value unsafe: all its values escaped, %41 survives decoding",
    [
      ["Host", "h"],
      ["X-Foo", "100%41"],
      ["X-Foo", "\x01"],
    ],
  ],
  [
    "a repeated header whose last value is empty (no trailing blank for HTTP/2 to drop)",
    [
      ["Host", "h"],
      ["Cookie", "a=1"],
      ["Cookie", ""],
    ],
  ],
  [
    "a token name holding %2D whose value is escaped (its % escaped too: never decodes to x-wallarm-mode)",
    [
      ["Host", "h"],
      ["X-Wallarm%2DMode", "off\x7f"],
    ],
  ],
];

describe.each(NODES)("minimal reproductions against %s", (_name, node) => {
  test.each(MINIMAL)("%s", async (_what, headers) => {
    const handler: RequestHandler = await coldStart("request", {
      wallarm_node_url: `${node.url}${PREFIX}/`,
      ...(node.tls ? { node_ca_pem: pki.caPem } : {}),
    });
    const before = node.count();
    const fc: FuzzCase = { seed: 0, hostile: false, event: requestEvent({ headers }), body: Buffer.alloc(0) };
    const result = await handler(fc.event, context);
    expect(isBlocked(result) ? "blocked" : "passed").toBe("blocked");
    await node.wait(before + 1);
    expect(checkReceived(fc, node.received(before)[0], "inline")).toEqual([]);
    expect(logs.lines().map((l) => l.event)).toEqual(["blocked"]);
  });
});
