// docs/api/ is the library's API reference, written by TypeDoc from the declarations and their
// JSDoc (`npm run api-docs`). Like generated/, it is output: this test fails when it is stale,
// and TypeDoc itself fails (treatWarningsAsErrors) when an export or a member has no
// documentation or refers to a type the package does not export.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const COMMITTED = join(ROOT, "docs", "api");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("API reference (docs/api)", () => {
  const out = mkdtempSync(join(tmpdir(), "wallarm-api-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  let run: { status: number | null; output: string };

  beforeAll(() => {
    const typedoc = spawnSync(join(ROOT, "node_modules", ".bin", "typedoc"), ["--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    run = { status: typedoc.status, output: `${typedoc.stdout}${typedoc.stderr}` };
  }, 130_000);

  it("documents every export and member, and names only exported types", () => {
    expect(run.output).not.toMatch(/\[warning\]|\[error\]/);
    expect(run.status).toBe(0);
  });

  it("is what `npm run api-docs` writes now", () => {
    const written = filesUnder(out)
      .map((f) => relative(out, f))
      .sort();
    expect(
      filesUnder(COMMITTED)
        .map((f) => relative(COMMITTED, f))
        .sort(),
    ).toEqual(written);
    for (const file of written) {
      expect([file, readFileSync(join(COMMITTED, file), "utf8")]).toEqual([file, readFileSync(join(out, file), "utf8")]);
    }
  });

  it("shows the props of WallarmConnector with their documentation", () => {
    const props = readFileSync(join(out, "interfaces", "WallarmConnectorProps.md"), "utf8");
    for (const prop of ["namePrefix", "wallarmNodeUrl", "wallarmMode", "nodeTimeoutMs", "failOpen", "skipExtensions"]) {
      const section = props.split(/^### /m).find((s) => s.startsWith(`${prop}\n`) || s.startsWith(`${prop}?\n`)) ?? "";
      // A heading, the signature, then prose: a sentence that is not the signature itself.
      expect([prop, section.split("\n").some((line) => /^[A-Z][^|>`]*[a-z]/.test(line))]).toEqual([prop, true]);
    }
  });
});
