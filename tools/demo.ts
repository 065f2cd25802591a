// `npm run demo [-- --recording-node] [--verbose] [--bundle-dir DIR]`: the whole connector on one machine. An origin, a Wallarm node stand-in and the
// local CloudFront edge running the handler bundles; the documented connector test is sent in
// inline and async mode, and the demo says in plain words what happened. Exit 0 only when that
// is what the mode promises.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { WallarmMode } from "../handlers/config";
import { bundleHandlers } from "../modules/generator/bundle-handlers";
import { send } from "./edge/client";
import { startEchoOrigin } from "./edge/echo-origin";
import { DEFAULT_BUNDLE_DIR, logLine, startEdge } from "./edge/server";
import { startRecordingNode } from "./recording-node";
import { startWaf, wafAvailable } from "./waf";

const WAF_PACKAGES = "nginx-light libnginx-mod-http-modsecurity libnginx-mod-http-echo modsecurity-crs";
const REPORT_PATH = "/wallarm-connector/";

/** The documented connector test (path traversal, curl --path-as-is style) and a normal request. */
const PROBES = [
  { target: "/static/../etc/passwd", attack: true },
  { target: "/?file=../../etc/passwd", attack: true },
  { target: "/products?page=2", attack: false },
];

interface DemoNode {
  url: string;
  label: string;
  /** Does this node answer 403 to attacks? */
  blocks: boolean;
  /** The node's answer to the copy of request `id`, once it has logged it. */
  copyStatus(id: string): number | undefined;
  stop(): Promise<void>;
}

async function startNode(recordingOnly: boolean): Promise<DemoNode> {
  const available = wafAvailable();
  if (available.ok && !recordingOnly) {
    const waf = await startWaf();
    return {
      url: waf.url,
      label: "nginx + ModSecurity + OWASP CRS (real WAF)",
      blocks: true,
      copyStatus: (id) => waf.accessLog().find((e) => e.requestId === id && !e.uri.startsWith(REPORT_PATH))?.status,
      stop: () => waf.stop(),
    };
  }
  if (!available.ok) {
    say(`The real WAF is not installed (missing ${available.missing.join(", ")}).`);
    say(`  To see attacks blocked: apt-get install ${WAF_PACKAGES}`);
    say("  Using a recording node that blocks nothing instead.\n");
  }
  const node = await startRecordingNode();
  const header = (headers: Array<[string, string]>, name: string) => headers.find(([key]) => key.toLowerCase() === name)?.[1];
  return {
    url: node.url,
    label: "recording node (answers 200 to everything)",
    blocks: false,
    copyStatus: (id) =>
      node.requests.some((r) => header(r.headers, "x-wallarm-request-id") === id && !r.target.startsWith(REPORT_PATH)) ? 200 : undefined,
    stop: () => node.stop(),
  };
}

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Waits (bounded) for the node to log the copy: in async mode it may arrive after the answer. */
async function nodeAnswer(node: DemoNode, id: string): Promise<number | undefined> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const status = node.copyStatus(id);
    if (status !== undefined || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function bundles(dir: string | undefined): Promise<{ dir: string; built: boolean }> {
  if (dir) return { dir, built: false };
  if (existsSync(join(DEFAULT_BUNDLE_DIR, "request.js"))) return { dir: DEFAULT_BUNDLE_DIR, built: false };
  const temp = mkdtempSync(join(tmpdir(), "demo-bundles-"));
  await bundleHandlers(temp);
  return { dir: temp, built: true };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      verbose: { type: "boolean", default: false },
      "recording-node": { type: "boolean", default: false },
      "bundle-dir": { type: "string" },
    },
  });
  // The handlers write JSON log lines (CloudWatch's job); show them only with --verbose.
  if (!values.verbose) console.log = console.error = () => undefined;

  const origin = await startEchoOrigin();
  const node = await startNode(values["recording-node"]);
  const bundle = await bundles(values["bundle-dir"]);
  const size = (name: string) => `${name} ${(statSync(join(bundle.dir, name)).size / 1024).toFixed(1)} KB`;
  say("Wallarm connector on a local CloudFront edge (viewer trigger)");
  say(`  origin   ${origin.url}`);
  say(`  node     ${node.url}  ${node.label}`);
  say(
    `  bundles  ${bundle.built ? "built from handlers/ (no generated/ yet)" : bundle.dir}: ${size("request.js")}, ${size("response.js")}`,
  );

  const problems: string[] = [];
  try {
    for (const mode of ["inline", "async"] as WallarmMode[]) {
      const edge = await startEdge({
        bundleDir: bundle.dir,
        origin: origin.url,
        config: { wallarm_node_url: node.url, wallarm_mode: mode },
        onRequest: (viewer, outcome) => values.verbose && process.stdout.write(`    edge: ${logLine(viewer, outcome)}\n`),
      });
      say(`\n${mode} mode: ${mode === "inline" ? "the node's verdict decides" : "the node gets a copy, traffic is never held up"}`);
      try {
        for (const probe of PROBES) {
          const before = origin.hits.length;
          const reply = await send(edge.url, probe.target);
          const id = String(reply.headers["x-amz-cf-id"]);
          const reachedOrigin = origin.hits.slice(before).some((hit) => hit.target === probe.target);
          const copy = await nodeAnswer(node, id);
          const shouldBlock = mode === "inline" && probe.attack && node.blocks;

          const what = reply.status === 403 ? "blocked with 403" : reply.status === 200 ? "passed (200)" : `answered ${reply.status}`;
          const atOrigin = reachedOrigin ? "origin received it" : "origin never saw it";
          const atNode = copy === undefined ? "node got NO copy" : `node received the copy and said ${copy}`;
          say(`  GET ${probe.target}`.padEnd(30) + `-> ${what}; ${atOrigin}; ${atNode}`);

          const expected = shouldBlock ? { status: 403, reachedOrigin: false } : { status: 200, reachedOrigin: true };
          const expectedCopy = node.blocks && probe.attack ? 403 : 200;
          if (reply.status !== expected.status)
            problems.push(`${mode} ${probe.target}: status ${reply.status}, expected ${expected.status}`);
          if (reachedOrigin !== expected.reachedOrigin)
            problems.push(`${mode} ${probe.target}: origin ${reachedOrigin ? "reached" : "not reached"}`);
          if (copy !== expectedCopy) problems.push(`${mode} ${probe.target}: node answer ${copy ?? "missing"}, expected ${expectedCopy}`);
        }
      } finally {
        await edge.close();
      }
    }
  } finally {
    await node.stop();
    await origin.close();
    if (bundle.built) rmSync(bundle.dir, { recursive: true, force: true });
  }

  say();
  if (problems.length > 0) {
    say("That is NOT what the connector promises:");
    problems.forEach((problem) => say(`  - ${problem}`));
    return 1;
  }
  say(
    node.blocks
      ? "As promised: inline mode blocks attacks before the origin; async mode delivers everything while the node still inspects every copy."
      : "As promised for a node that blocks nothing: every request delivered, and the node received a copy of each.",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
