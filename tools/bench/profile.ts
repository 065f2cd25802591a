// Reading a V8 CPU profile (.cpuprofile, what `node --cpu-prof` and the inspector's
// Profiler.stop give): where the time went, by function (self and with callees) and by script.
// Pure, so it is unit-tested (__tests__/bench-tools.test.ts).

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs from the previous sample (the first: from startTime). */
  timeDeltas?: number[];
}

export interface ProfileRow {
  /** "name file:line", or a V8 pseudo-frame such as "(garbage collector)". */
  name: string;
  samples: number;
  /** Share of the busy samples (all but "(idle)"), in %. */
  pct: number;
}

export interface ProfileSummary {
  samples: number;
  idleSamples: number;
  /** Functions by self samples, highest first. */
  self: ProfileRow[];
  /** Functions by total samples (self plus callees, recursion counted once), highest first. */
  total: ProfileRow[];
  /** Self samples by script (the bundle, node:_http_client, ...), highest first. */
  scripts: ProfileRow[];
}

/** The last path segment of a file URL or path; node:* ids stay whole. */
export function scriptName(url: string): string {
  if (url === "") return "(native)";
  if (url.startsWith("node:")) return url;
  const parts = url.split(/[/\\]/);
  return parts[parts.length - 1] || url;
}

function frameName(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === "" && functionName.startsWith("(")) return functionName; // (program), (garbage collector), (idle), (root)
  return `${functionName || "(anonymous)"} ${scriptName(url)}:${lineNumber + 1}`;
}

const PSEUDO = new Set(["(idle)", "(root)"]);

/**
 * Where the samples fell, `top` rows per table. Samples are counted, not weighted by the time to
 * the next one (as DevTools does): on a busy machine the sampler thread is starved, and the gap
 * after a preemption would be charged to whatever the thread resumed in.
 */
export function summarizeProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const scripts = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  for (const id of samples) {
    const node = byId.get(id);
    if (!node) continue;
    const name = frameName(node);
    if (name === "(idle)") {
      idle++;
      continue;
    }
    busy++;
    add(self, name);
    add(scripts, node.callFrame.url === "" && name.startsWith("(") ? name : scriptName(node.callFrame.url));
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const key = frameName(frame);
      if (PSEUDO.has(key) || seen.has(key)) continue;
      seen.add(key);
      add(total, key);
    }
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, n]) => ({ name, samples: n, pct: busy > 0 ? Math.round((1000 * n) / busy) / 10 : 0 }));
  return { samples: samples.length, idleSamples: idle, self: rows(self), total: rows(total), scripts: rows(scripts) };
}
