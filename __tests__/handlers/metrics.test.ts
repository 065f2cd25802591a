// CloudWatch embedded metric format: counts kept in memory, one line per event type once the
// interval has passed, written at the start of an invocation. Checked on the aggregator and on
// the bundles in front of a recording node.
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";
import { COUNTERS, latencyBucket, metrics } from "../../handlers/metrics";
import { startRecordingNode, type RecordingNode } from "../../tools/recording-node";
import { DOC_ORIGIN_RESPONSE, requestEvent } from "../../tools/cloudfront-events";
import { until } from "../support/eventually";
import { captureLogs, cleanup, coldStart, context } from "../support/lambda";

type EmfLine = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
  };
};

/** Checks a line against the EMF rules this project relies on and returns it parsed. */
function emf(line: string): EmfLine {
  const doc = JSON.parse(line) as EmfLine;
  const [directive] = doc._aws.CloudWatchMetrics;
  expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
  expect(directive.Dimensions).toEqual([["EventType"]]);
  expect(typeof doc.EventType).toBe("string");
  for (const { Name } of directive.Metrics) expect(doc).toHaveProperty(Name);
  const latency = doc.NodeLatency as
    { Values: number[]; Counts: number[]; Count: number; Sum: number; Min: number; Max: number } | undefined;
  if (latency) {
    expect(latency.Values.length).toBe(latency.Counts.length);
    expect(latency.Values.length).toBeLessThanOrEqual(100);
    expect(latency.Counts.reduce((a, b) => a + b, 0)).toBe(latency.Count);
  }
  return doc;
}

describe("latency buckets", () => {
  test("1 ms to the 30 s node timeout: at most 46 values, each an upper bound within 30%", () => {
    const buckets = new Set<number>();
    const outside: number[] = [];
    for (let ms = 0; ms <= 30_000; ms += 0.5) {
      const b = latencyBucket(ms);
      buckets.add(b);
      const floor = Math.max(ms, 1);
      if (b < floor * 0.99 || b > floor * 1.3) outside.push(ms);
    }
    expect(outside).toEqual([]);
    expect(buckets.size).toBeLessThanOrEqual(46);
  });
});

describe("aggregator", () => {
  test("nothing is written before the interval; then one line per event type with exact counts, and a fresh start", () => {
    const lines: string[] = [];
    const m = metrics("Test/NS", 60_000, (l) => lines.push(l), 1_000);
    m.count("viewer-request", "Requests");
    m.count("viewer-request", "Requests");
    m.count("viewer-request", "Blocked");
    m.count("origin-request", "Requests");
    m.count("viewer-request", "BreakerOpen");
    m.count("viewer-request", "BreakerOpen");
    for (const ms of [3, 3, 40, 700]) m.latency("viewer-request", ms);
    m.flush(60_999);
    expect(lines).toEqual([]);
    m.flush(61_000);
    expect(lines).toHaveLength(2);
    const [viewer, originLine] = lines.map(emf);
    expect(viewer._aws).toMatchObject({ Timestamp: 61_000, CloudWatchMetrics: [{ Namespace: "Test/NS" }] });
    expect(viewer._aws.CloudWatchMetrics[0].Metrics.map((d) => d.Name)).toEqual([...COUNTERS, "NodeLatency"]);
    expect(viewer).toMatchObject({
      EventType: "viewer-request",
      Requests: 2,
      Blocked: 1,
      Inspected: 0,
      BreakerOpen: 1, // open in the interval, not a count of requests
      NodeLatency: { Min: 3, Max: 700, Count: 4, Sum: 746 },
    });
    const { Values, Counts } = viewer.NodeLatency as { Values: number[]; Counts: number[] };
    const pairs = Values.map((v, i) => [v, Counts[i]]).sort(([a], [b]) => a - b);
    expect(pairs).toEqual([
      [3.2, 2],
      [50, 1],
      [790, 1],
    ]);
    // No latency samples: no NodeLatency (EMF rejects an empty distribution).
    expect(originLine).toMatchObject({ EventType: "origin-request", Requests: 1 });
    expect(originLine).not.toHaveProperty("NodeLatency");
    expect(originLine._aws.CloudWatchMetrics[0].Metrics.map((d) => d.Name)).toEqual([...COUNTERS]);

    m.flush(62_000); // within the next interval: nothing
    m.count("viewer-request", "Requests");
    m.flush(121_000);
    expect(lines.slice(2).map(emf)).toEqual([
      expect.objectContaining({ EventType: "viewer-request", Requests: 1, Blocked: 0, BreakerOpen: 0 }),
    ]);
  });
});

describe("the bundles write EMF lines", () => {
  let node: RecordingNode;
  beforeAll(async () => {
    node = await startRecordingNode({ behaviour: (req) => ({ kind: "status", status: req.target.startsWith("/attack") ? 403 : 200 }) });
  });
  afterAll(async () => {
    await node.stop();
    cleanup();
  });

  const emfLines = (logs: ReturnType<typeof captureLogs>) => logs.lines().filter((l) => "_aws" in l);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test("request function: counts per outcome, written at the first invocation after the interval", async () => {
    const handler = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", {
      wallarm_node_url: node.url,
      skip_extensions: ["png"],
      metrics_interval_seconds: 1,
      metrics_namespace: "Test/Connector",
    });
    const logs = captureLogs();
    try {
      const before = node.requests.length;
      for (const uri of ["/a", "/b", "/attack", "/logo.png", "/img/x.png", "/c"]) await handler(requestEvent({ uri }), context);
      expect(node.requests.length - before).toBe(4); // the two images never reached the node
      expect(emfLines(logs)).toEqual([]);
      await sleep(1_050); // past the 1 s interval: a slow run only waits longer
      await handler(requestEvent({ uri: "/after" }), context);
      const lines = emfLines(logs);
      expect(lines).toHaveLength(1);
      expect(emf(JSON.stringify(lines[0]))).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: "Test/Connector" }] },
        EventType: "viewer-request",
        Requests: 6,
        Inspected: 4,
        Skipped: 2,
        Blocked: 1,
        NodeFailures: 0,
        CopiesLost: 0,
        BreakerOpen: 0,
        NodeLatency: { Count: 4 },
      });
    } finally {
      logs.restore();
    }
  });

  test("node failures and an open breaker are counted; metrics_enabled = false writes nothing", async () => {
    const config = {
      wallarm_node_url: "http://127.0.0.1:9",
      circuit_breaker_threshold: 2,
      metrics_interval_seconds: 1,
      node_timeout_ms: 200,
    };
    const enabled = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", config);
    const disabled = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", { ...config, metrics_enabled: false });
    const logs = captureLogs();
    try {
      for (const handler of [enabled, disabled])
        for (let i = 0; i < 4; i++) await handler(requestEvent({ eventType: "origin-request" }), context);
      await sleep(1_050); // past the 1 s interval: a slow run only waits longer
      await enabled(requestEvent({ eventType: "origin-request" }), context);
      await disabled(requestEvent({ eventType: "origin-request" }), context);
      const lines = emfLines(logs);
      expect(lines).toHaveLength(1); // from the enabled instance only
      // Inspected counts verdicts only: a request the node never judged is not inspected.
      expect(lines[0]).toMatchObject({ EventType: "origin-request", Requests: 4, Inspected: 0, NodeFailures: 2, BreakerOpen: 1 });
      expect(lines[0]).not.toHaveProperty("NodeLatency");
    } finally {
      logs.restore();
    }
  });

  test("refused requests, truncated bodies and refused copies are counted apart from inspected ones", async () => {
    const refusing = await startRecordingNode({
      // A live node (it answers the liveness probe) that refuses what it cannot parse.
      behaviour: (req) => ({ kind: "status", status: req.target.startsWith("/refuse") ? 400 : 200 }),
    });
    try {
      const config = { wallarm_node_url: refusing.url, metrics_interval_seconds: 1 };
      const inline = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", config);
      const async = await coldStart<CloudFrontRequestEvent, CloudFrontRequestResult>("request", { ...config, wallarm_mode: "async" });
      const truncated = (uri: string): CloudFrontRequestEvent => {
        const e = requestEvent({ uri, method: "POST", eventType: "origin-request" });
        e.Records[0].cf.request.body = { action: "read-only", data: "YQ==", encoding: "base64", inputTruncated: true };
        return e;
      };
      const logs = captureLogs();
      try {
        for (const uri of ["/ok", "/refuse", "/refuse"]) await inline(requestEvent({ uri }), context);
        await inline(truncated("/ok"), context);
        for (const uri of ["/ok", "/refuse"]) await async(requestEvent({ uri, eventType: "origin-request" }), context);
        await refusing.waitForRequests(7); // 3 in-line, 2 probes, 2 copies: every answer is on its way
        // The refused copy's answer is read (its line written) before the interval ends.
        await until(() => logs.lines().some((l) => l.event === "node_copy_refused"), "the refused copy's line");
        await sleep(1_050); // past the 1 s interval: a slow run only waits longer
        await inline(requestEvent({ uri: "/ok" }), context);
        await async(requestEvent({ uri: "/ok", eventType: "origin-request" }), context);
        const lines = emfLines(logs);
        expect(lines.find((l) => l.EventType === "viewer-request")).toMatchObject({
          Requests: 3,
          Inspected: 1,
          Refused: 2,
          Blocked: 2,
          NodeFailures: 0,
        });
        // One line per instance: the in-line one saw the truncated body, the async one the copies.
        expect(lines.filter((l) => l.EventType === "origin-request")).toEqual([
          expect.objectContaining({ Requests: 1, Truncated: 1, Blocked: 1, Inspected: 0 }),
          expect.objectContaining({ Requests: 2, Inspected: 1, CopiesRefused: 1, CopiesLost: 0 }),
        ]);
        expect(logs.lines().filter((l) => l.event === "node_copy_refused")).toEqual([
          expect.objectContaining({ level: "warn", status: 400, event_type: "origin-request", request_id: expect.any(String) }),
        ]);
      } finally {
        logs.restore();
      }
    } finally {
      await refusing.stop();
    }
  });

  test("response function: reports counted, skipped requests neither reported nor inspected", async () => {
    const handler = await coldStart<CloudFrontResponseEvent, CloudFrontResponseResult>("response", {
      wallarm_node_url: node.url,
      skip_path_prefixes: ["/static/"],
      metrics_interval_seconds: 1,
    });
    const event = (uri: string): CloudFrontResponseEvent => {
      const e = structuredClone(DOC_ORIGIN_RESPONSE);
      e.Records[0].cf.request.uri = uri;
      return e;
    };
    const logs = captureLogs();
    try {
      const before = node.requests.length;
      await handler(event("/static/app.css"), context);
      await handler(event("/cart"), context);
      await node.waitForRequests(before + 1);
      // Absence check: a report for the skipped request would have arrived by now. A slow run
      // can only hide one, never add one.
      await sleep(100);
      expect(node.requests.length - before).toBe(1);
      await sleep(1_050); // past the 1 s interval: a slow run only waits longer
      await handler(event("/cart"), context);
      expect(emfLines(logs)).toEqual([
        expect.objectContaining({ EventType: "origin-response", Requests: 2, Inspected: 1, Skipped: 1, CopiesLost: 0 }),
      ]);
      await node.waitForRequests(before + 2);
    } finally {
      logs.restore();
    }
  });
});
