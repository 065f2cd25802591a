// `key = value` lines as `terraform fmt` aligns them: `=` lined up over each run of consecutive
// single-line values; a multi-line value, a blank line or a comment ends a run. A value that fits
// its own column but not the run's is broken over lines instead, which takes it out of the run.

/** A value as text starting at `column`; `broken` asks for it over lines even where it fits. */
export type RenderAt = (column: number, broken: boolean) => string;

interface Assignment {
  readonly key: string;
  readonly render: RenderAt;
  readonly comment?: string;
  value: string;
  broken: boolean;
}

const pad = (indent: number) => " ".repeat(indent);
const isMultiLine = (a: Assignment) => a.value.includes("\n");

/** Runs of assignments `=` is aligned over: split by comments and multi-line values. */
function runs(assignments: Assignment[]): Assignment[][] {
  const result: Assignment[][] = [];
  let run: Assignment[] = [];
  for (const a of assignments) {
    if ((a.comment !== undefined || isMultiLine(a)) && run.length) {
      result.push(run);
      run = [];
    }
    if (isMultiLine(a)) result.push([a]);
    else run.push(a);
  }
  if (run.length) result.push(run);
  return result;
}

export interface AssignmentOptions {
  /** Longest line: a value aligning would push past it is broken over lines instead. */
  readonly limit: number;
  /** A comment above a key, after a blank line, as `commentLines` writes it. */
  readonly comments?: ReadonlyMap<string, string>;
  readonly commentLines?: (text: string, indent: number) => string[];
}

/** The lines of `key = value` assignments at `indent`, `=` aligned per run. */
export function assignmentLines(
  entries: ReadonlyArray<readonly [string, RenderAt]>,
  indent: number,
  { limit, comments, commentLines = () => [] }: AssignmentOptions,
): string[] {
  const assignments: Assignment[] = entries.map(([key, render]) => ({
    key,
    render,
    comment: comments?.get(key),
    value: render(indent + key.length + 3, false),
    broken: false,
  }));
  // Aligning can push a value past the limit: break it, which ends its run, and align again.
  for (let changed = true; changed;) {
    changed = false;
    for (const run of runs(assignments)) {
      const width = Math.max(...run.map((a) => a.key.length));
      const over = run.find((a) => !a.broken && !isMultiLine(a) && indent + width + 3 + a.value.length > limit);
      if (over) {
        over.broken = true;
        over.value = over.render(indent + over.key.length + 3, true);
        changed = true;
        break;
      }
    }
  }
  const lines: string[] = [];
  for (const run of runs(assignments)) {
    const width = Math.max(...run.map((a) => a.key.length));
    for (const a of run) {
      if (a.comment !== undefined) {
        if (lines.length) lines.push("");
        lines.push(...commentLines(a.comment, indent));
      }
      lines.push(`${pad(indent)}${isMultiLine(a) ? a.key : a.key.padEnd(width)} = ${a.value}`);
    }
  }
  return lines;
}
