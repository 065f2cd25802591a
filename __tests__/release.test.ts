// The release as a maintainer and CI run it: `npm run release -- <version>` (one step: version,
// generated/, commit, registry tree, npm tarball, tag) in a copy of this project, the tarball
// published to a private registry on 127.0.0.1, the registry tree CI pushes on a tag, the
// refusals that stop a bad release, and the workflow files checked against GitHub's schema.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parse } from "yaml";
import { PACKAGE_VERSION, REGISTRY_MODULE, registryAddress } from "../modules/generator/package-info";
import { ReleaseError, releaseSection } from "../scripts/changelog";
import { gitSources, registryUsages, writeRegistryTree } from "../scripts/registry-tree";
import { startNpmRegistry } from "./support/npm-registry";
import { terraformBinary } from "./support/terraform";

const ROOT = join(__dirname, "..");
const GENERATED = join(ROOT, "generated");
const RUN_TS = join(ROOT, "scripts", "run-ts.mjs");
const ACTION_VALIDATOR = join(ROOT, "node_modules", ".bin", "action-validator");
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};
const TERRAFORM_ENV = { TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

const asRun = (run: SpawnSyncReturns<string>): Run => ({ status: run.status ?? -1, stdout: run.stdout ?? "", stderr: run.stderr ?? "" });

function command(cmd: string, args: readonly string[], cwd: string, timeout = 120_000): Run {
  return asRun(spawnSync(cmd, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, ...GIT_IDENTITY, ...TERRAFORM_ENV } }));
}

/** A project script as `npm run <script> -- args` runs it, in `root`. */
const script = (root: string, name: string, args: readonly string[], timeout?: number): Run =>
  command(process.execPath, [RUN_TS.replace(ROOT, root), join(root, "scripts", `${name}.ts`), ...args], root, timeout);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The `source = "..."` values of the HCL usage blocks in a README. */
const usageSources = (readme: string): string[] => [...readme.matchAll(/^\s*source\s*=\s*"([^"]*)"/gm)].map((m) => m[1] ?? "");

const MODULE_READMES = [
  "README.md",
  "modules/lambda-edge/README.md",
  "modules/iam-trust/README.md",
  "modules/distribution-association/README.md",
];

const work = mkdtempSync(join(tmpdir(), "wallarm-release-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("registry tree (what CI pushes to the registry repository on a tag)", () => {
  const out = join(work, "registry");
  let run: Run;

  beforeAll(() => {
    run = script(ROOT, "registry-tree", [PACKAGE_VERSION, out]);
  }, 60_000);

  it("is generated/ byte for byte plus LICENSE, CHANGELOG.md, the users' workflow and tflint config", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const files = filesUnder(out).map((f) => relative(out, f));
    const generatedFiles = filesUnder(GENERATED).map((f) => relative(GENERATED, f));
    expect(files.sort()).toEqual([...generatedFiles, "LICENSE", "CHANGELOG.md", ".github/workflows/terraform.yml", ".tflint.hcl"].sort());
    expect(files).toEqual(expect.arrayContaining(["modules/lambda-edge/dist/request.js", "modules/lambda-edge/dist/response.js"]));
    for (const file of [...generatedFiles.map((f) => join("generated", f)), "LICENSE", "CHANGELOG.md"]) {
      expect(readFileSync(join(out, file.replace(/^generated\//, "")), "utf8")).toBe(readFileSync(join(ROOT, file), "utf8"));
    }
  });

  it("READMEs name the registry address and pin the package's version, with no placeholder left", () => {
    expect(REGISTRY_MODULE).toBe("wallarm/wallarm-cloudfront/aws");
    for (const readme of MODULE_READMES) {
      const subdir = readme === "README.md" ? "" : `//${dirname(readme)}`;
      expect(registryUsages(readFileSync(join(out, readme), "utf8"))).toEqual([{ subdir, version: PACKAGE_VERSION }]);
    }
    for (const readme of filesUnder(out).filter((f) => f.endsWith("README.md"))) {
      expect(usageSources(readFileSync(readme, "utf8")).filter((s) => s.includes("<"))).toEqual([]);
    }
  });

  it("has a users' workflow GitHub accepts, running fmt, init without backend, validate and tflint on every module", () => {
    const workflowFile = join(out, ".github", "workflows", "terraform.yml");
    const validated = command(ACTION_VALIDATOR, [workflowFile], out);
    expect(validated.stdout + validated.stderr).toBe("");
    expect(validated.status).toBe(0);
    const workflow = readFileSync(workflowFile, "utf8");
    for (const step of [
      "terraform fmt -check -recursive",
      "terraform init -backend=false",
      "terraform validate",
      "tflint --init",
      "tflint --recursive",
    ]) {
      expect(workflow).toContain(step);
    }
    // The matrix follows the tree: every folder with .tf files, examples included.
    const dirs = [
      ...new Set(
        filesUnder(out)
          .filter((f) => f.endsWith(".tf"))
          .map((f) => relative(out, join(f, "..")) || "."),
      ),
    ];
    expect(dirs).toEqual(expect.arrayContaining([".", "modules/lambda-edge", "examples/new-distribution"]));
    const matrix = (parse(workflow) as { jobs: { validate: { strategy: { matrix: { dir: string[] } } } } }).jobs.validate.strategy.matrix
      .dir;
    expect([...matrix].sort()).toEqual([...dirs].sort());
    const tflint = readFileSync(join(out, ".tflint.hcl"), "utf8");
    expect(tflint).toMatch(/plugin "aws" \{[^}]*source\s*=\s*"github.com\/terraform-linters\/tflint-ruleset-aws"/);
  });

  const tf = terraformBinary();
  (tf ? it : it.skip)("is terraform fmt -check clean", () => {
    const fmt = command("terraform", ["fmt", "-check", "-recursive", "-diff"], out);
    expect(fmt.stdout).toBe("");
    expect(fmt.status).toBe(0);
  });
  if (!tf) console.warn("release.test: terraform is not on PATH; fmt and source-line fetch checks skipped");
});

describe("a tree for a git home (--git-url: a fork, a mirror, an internal server)", () => {
  const tf = terraformBinary();
  const git = spawnSync("git", ["--version"]).status === 0;
  if (!tf || !git) console.warn("release.test: terraform or git missing; the source-line fetch check is skipped");

  (tf && git ? it : it.skip)(
    "terraform get fetches every module the READMEs name, at the tag",
    () => {
      const repo = join(work, "repo");
      const gitUrl = `file://${repo}`;
      const made = script(ROOT, "registry-tree", [PACKAGE_VERSION, repo, "--git-url", gitUrl]);
      expect(made.stderr).toBe("");
      expect(made.status).toBe(0);
      for (const args of [
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-qm", `v${PACKAGE_VERSION}`],
        ["tag", `v${PACKAGE_VERSION}`],
      ]) {
        expect(command("git", args, repo).status).toBe(0);
      }
      // A consumer with exactly the source lines the READMEs print.
      const sources = MODULE_READMES.flatMap((f) => usageSources(readFileSync(join(repo, f), "utf8")));
      expect(sources).toEqual(
        MODULE_READMES.map((f) => `git::${gitUrl}${f === "README.md" ? "" : `//${dirname(f)}`}?ref=v${PACKAGE_VERSION}`),
      );
      expect(readFileSync(join(repo, "README.md"), "utf8")).not.toMatch(/^\s*version\s*=/m);
      const consumer = mkdtempSync(join(work, "consumer-"));
      writeFileSync(join(consumer, "main.tf"), sources.map((s, i) => `module "m${i}" {\n  source = "${s}"\n}\n`).join("\n"));
      // `terraform get` installs modules only: no provider (the archive provider is not here).
      const get = command("terraform", ["get", "-no-color"], consumer, 60_000);
      expect(get.stderr).toBe("");
      expect(get.status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(consumer, ".terraform", "modules", "modules.json"), "utf8")) as {
        Modules: Array<{ Key: string; Source: string; Dir: string }>;
      };
      for (const [i, source] of sources.entries()) {
        const entry = manifest.Modules.find((m) => m.Key === `m${i}`);
        expect(entry?.Source).toBe(source);
        expect(existsSync(join(consumer, entry?.Dir ?? "missing", "main.tf"))).toBe(true);
      }
      // The function bundles come with the lambda-edge module, at the tag.
      const edge = manifest.Modules.find((m) => m.Source.endsWith(`//modules/lambda-edge?ref=v${PACKAGE_VERSION}`));
      expect(existsSync(join(consumer, edge?.Dir ?? "missing", "dist", "request.js"))).toBe(true);
    },
    120_000,
  );
});

describe("registry tree refusals", () => {
  it.each([
    ["v0.1.0", /not a semantic version.*without the "v": 0\.1\.0/],
    ["0.1", /not a semantic version/],
    ["01.2.3", /not a semantic version/],
    ["9.9.9", /CHANGELOG\.md has no "## \[9\.9\.9\] - YYYY-MM-DD" section/],
    ["Unreleased", /not a semantic version/],
  ])("refuses %s and writes nothing", (version, message) => {
    const out = join(work, `refused-${version}`);
    const run = script(ROOT, "registry-tree", [version, out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a non-empty outDir (an old tree would keep files generated/ dropped)", () => {
    const out = mkdtempSync(join(work, "old-"));
    writeFileSync(join(out, "stale.tf"), "");
    const run = script(ROOT, "registry-tree", [PACKAGE_VERSION, out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not empty/);
    expect(readdirSync(out)).toEqual(["stale.tf"]);
  });

  it("refuses a git URL with a query, which would break ?ref=", () => {
    const run = script(ROOT, "registry-tree", [PACKAGE_VERSION, join(work, "bad-url"), "--git-url", "https://example.com/x.git?ref=main"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not a git URL/);
  });

  it("refuses a version generated/ was not made for, naming the command that sets it", () => {
    const root = mkdtempSync(join(work, "root-"));
    cpSync(GENERATED, join(root, "generated"), { recursive: true });
    cpSync(join(ROOT, "LICENSE"), join(root, "LICENSE"));
    writeFileSync(join(root, "CHANGELOG.md"), "# Changelog\n\n## [9.0.0] - 2026-12-06\n\n- Next.\n");
    const out = join(work, "mismatch");
    expect(() => writeRegistryTree({ version: "9.0.0", outDir: out, root })).toThrow(
      `generated/README.md pins version ${PACKAGE_VERSION}, not 9.0.0: \`npm run release -- 9.0.0\` sets the version and regenerates.`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("prints usage without a version or outDir", () => {
    const run = script(ROOT, "registry-tree", [PACKAGE_VERSION]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: npm run registry-tree -- <version> <outDir>/);
  });
});

describe("releaseSection, gitSources, registryAddress", () => {
  const changelog =
    "# Changelog\n\n## [Unreleased]\n\n## [1.2.3-rc.1] - 2026-02-01\n\n- Faster.\n\n## [1.2.2]\n\n- Old.\n\n[1.2.2]: https://x\n";

  it("takes a dated section's date and text, up to the next section", () => {
    expect(releaseSection(changelog, "1.2.3-rc.1")).toEqual({ date: "2026-02-01", notes: "- Faster." });
  });

  it("refuses an undated section, saying how to date it", () => {
    expect(() => releaseSection(changelog, "1.2.2")).toThrow(
      /"## \[1\.2\.2\]" section has no release date: write "## \[1\.2\.2\] - \d{4}-\d{2}-\d{2}"/,
    );
    expect(() => releaseSection("## [1.0.0] - 2026-02-30\n", "1.0.0")).toThrow(/no release date/);
  });

  it("does not take a prefix of another section for the version's own", () => {
    // "1.2.3" must not match "## [1.2.3-rc.1]"; dots are literal ("1a2a2" is not "1.2.2").
    expect(() => releaseSection(changelog, "1.2.3")).toThrow(ReleaseError);
    expect(() => releaseSection("## [1a2a2] - 2026-01-01\n", "1.2.2")).toThrow(/no "## \[1\.2\.2\] - YYYY-MM-DD"/);
  });

  it("turns registry source and version lines into git sources, keeping subdirs and alignment", () => {
    const readme = [
      'module "a" {',
      `  source    = "${REGISTRY_MODULE}"`,
      '  version   = "2.0.0"',
      "  providers = { aws = aws.us_east_1 }",
      "}",
      'module "b" {',
      `  source  = "${REGISTRY_MODULE}//modules/iam-trust"`,
      '  version = "2.0.0"',
      "}",
      'module "c" {',
      '  source = "../../"',
      "}",
      "",
    ].join("\n");
    const out = gitSources(readme, "https://git.example.com/r.git", "2.0.0");
    expect(usageSources(out)).toEqual([
      "git::https://git.example.com/r.git?ref=v2.0.0",
      "git::https://git.example.com/r.git//modules/iam-trust?ref=v2.0.0",
      "../../",
    ]);
    expect(out).toContain('  source    = "git::https://git.example.com/r.git?ref=v2.0.0"\n  providers = ');
    expect(out).not.toContain("version");
  });

  it("names a module after its registry repository", () => {
    expect(registryAddress("https://github.com/acme/terraform-aws-edge-waf")).toBe("acme/edge-waf/aws");
    expect(() => registryAddress("https://github.com/acme/edge-waf")).toThrow(/not a Terraform Registry module repository/);
  });
});

describe("npm run release: one step from a dated CHANGELOG section", () => {
  const NEXT = "0.99.0";
  const project = join(work, "project");
  let made: Run;

  /** The working tree as committed plus what is staged or new: what the next commit holds. */
  function copyProject(): void {
    const files = command("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], ROOT).stdout.split("\0").filter(Boolean);
    for (const file of files.filter((f) => existsSync(join(ROOT, f)))) {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      cpSync(join(ROOT, file), join(project, file));
    }
    symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
    const changelog = readFileSync(join(project, "CHANGELOG.md"), "utf8");
    // The dated section below Unreleased (whose entries stay for a later release).
    const released = `## [${NEXT}] - 2026-12-06\n\n### Added\n- The release test's entry.\n\n## [0.1.0]`;
    writeFileSync(join(project, "CHANGELOG.md"), changelog.replace("## [0.1.0]", released));
    for (const args of [
      ["init", "-q", "-b", "main"],
      ["add", "-A"],
      ["commit", "-qm", "Project as tested"],
    ]) {
      expect(command("git", args, project).status).toBe(0);
    }
  }

  beforeAll(() => {
    copyProject();
    made = script(project, "release", [NEXT], 300_000);
  }, 360_000);

  it("commits the version and the regenerated modules, and tags the commit with the section", () => {
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);
    expect(made.stdout).toContain(`v${NEXT}: committed and tagged`);
    expect(command("git", ["log", "-1", "--format=%s"], project).stdout.trim()).toBe(`Release v${NEXT}`);
    // The version enters the READMEs' usage lines and the bundles (the connector's user agent).
    const bundles = ["request.js", "response.js"].map((f) => `generated/modules/lambda-edge/dist/${f}`);
    const changed = command("git", ["show", "--name-only", "--format=", "HEAD"], project).stdout.trim().split("\n").sort();
    expect(changed).toEqual([...MODULE_READMES.map((f) => `generated/${f}`), ...bundles, "package-lock.json", "package.json"].sort());
    for (const bundle of bundles) expect(readFileSync(join(project, bundle), "utf8")).toContain(`"${NEXT}"`);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).version).toBe(NEXT);
    expect(JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")).version).toBe(NEXT);
    for (const readme of MODULE_READMES) {
      expect(registryUsages(readFileSync(join(project, "generated", readme), "utf8")).map((u) => u.version)).toEqual([NEXT]);
    }
    expect(command("git", ["status", "--porcelain"], project).stdout).toBe("");
    expect(command("git", ["describe", "--exact-match", "HEAD"], project).stdout.trim()).toBe(`v${NEXT}`);
    const message = command("git", ["tag", "-l", "--format=%(contents)", `v${NEXT}`], project).stdout;
    // The format adds a line end of its own.
    expect(message.trimEnd()).toBe(`v${NEXT} - 2026-12-06\n\n### Added\n- The release test's entry.`);
  });

  it("writes the registry tree at the new version and the npm tarball", () => {
    const out = join(project, "release", `v${NEXT}`);
    const tree = join(out, "terraform-aws-wallarm-cloudfront");
    expect(registryUsages(readFileSync(join(tree, "README.md"), "utf8"))).toEqual([{ subdir: "", version: NEXT }]);
    expect(readFileSync(join(tree, "modules", "lambda-edge", "dist", "request.js"))).toEqual(
      readFileSync(join(project, "generated", "modules", "lambda-edge", "dist", "request.js")),
    );
    expect(readdirSync(out).sort()).toEqual(["terraform-aws-wallarm-cloudfront", `wallarm-cloudfront-connector-${NEXT}.tgz`]);
  });

  it("publishes to an npm registry as the release job does, and the registry serves the same tarball", async () => {
    const tarball = join(project, "release", `v${NEXT}`, `wallarm-cloudfront-connector-${NEXT}.tgz`);
    const registry = await startNpmRegistry(mkdtempSync(join(work, "npm-registry-")));
    try {
      const npm = (args: string[]) =>
        command("npm", [...args, "--userconfig", registry.userconfig, "--registry", registry.url], project, 120_000);
      // Provenance needs GitHub's OIDC token: the release job has it, this test does not.
      const published = npm(["publish", tarball, "--provenance=false"]);
      expect(published.stderr).not.toMatch(/EPRIVATE|ERR!/);
      expect(published.status).toBe(0);
      const view = JSON.parse(npm(["view", `wallarm-cloudfront-connector@${NEXT}`, "--json"]).stdout) as {
        version: string;
        keywords: string[];
        repository: { url: string };
        peerDependencies: Record<string, string>;
        dist: { integrity: string };
      };
      expect(view.version).toBe(NEXT);
      expect(view.keywords).toContain("cdktf");
      expect(view.repository.url).toMatch(/^git\+https:\/\/github\.com\//);
      expect(Object.keys(view.peerDependencies).sort()).toEqual(["@cdktf/provider-archive", "@cdktf/provider-aws", "cdktf", "constructs"]);
      const local = JSON.parse(command("npm", ["pack", tarball, "--dry-run", "--json"], project).stdout) as Array<{ integrity: string }>;
      expect(view.dist.integrity).toBe(local[0]?.integrity);
    } finally {
      await registry.stop();
    }
  }, 180_000);

  it("refuses to run again: the tag exists", () => {
    const again = script(project, "release", [NEXT]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`release: tag v${NEXT} exists already.`);
  });

  it("refuses uncommitted changes, an undated section and a missing section, changing nothing", () => {
    const head = command("git", ["rev-parse", "HEAD"], project).stdout;
    writeFileSync(
      join(project, "CHANGELOG.md"),
      readFileSync(join(project, "CHANGELOG.md"), "utf8").replace("## [Unreleased]\n", "## [Unreleased]\n\n## [0.100.0]\n"),
    );
    expect(script(project, "release", ["0.100.0"]).stderr).toMatch(/"## \[0\.100\.0\]" section has no release date/);
    expect(script(project, "release", ["0.101.0"]).stderr).toMatch(/no "## \[0\.101\.0\] - YYYY-MM-DD" section/);
    writeFileSync(
      join(project, "CHANGELOG.md"),
      readFileSync(join(project, "CHANGELOG.md"), "utf8").replace("## [0.100.0]\n", "## [0.100.0] - 2026-12-07\n"),
    );
    const dirty = script(project, "release", ["0.100.0"]);
    expect(dirty.status).toBe(1);
    expect(dirty.stderr).toMatch(/uncommitted changes[^]*M CHANGELOG\.md/);
    expect(command("git", ["rev-parse", "HEAD"], project).stdout).toBe(head);
    expect(command("git", ["tag", "--list"], project).stdout.trim()).toBe(`v${NEXT}`);
  });

  it("prints usage without a version", () => {
    const run = script(project, "release", []);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: npm run release -- <version> \[--out <dir>\]/);
  });
});

describe("the project's CI workflow", () => {
  const file = join(ROOT, ".github", "workflows", "ci.yml");

  it("is a workflow GitHub accepts", () => {
    const validated = command(ACTION_VALIDATOR, [file], ROOT);
    expect(validated.stdout + validated.stderr).toBe("");
    expect(validated.status).toBe(0);
  });

  it("on a v* tag, after the suite, publishes the package with provenance and pushes the registry tree with the tag", () => {
    interface Job {
      if?: string;
      needs?: string[];
      permissions?: Record<string, string>;
      steps: Array<{ run?: string; env?: Record<string, string> }>;
    }
    const workflow = parse(readFileSync(file, "utf8")) as { on: { push: { tags: string[] } }; jobs: Record<string, Job> };
    expect(workflow.on.push.tags).toEqual(["v*"]);
    const job = workflow.jobs.release;
    expect(job?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(job?.needs).toEqual(["test", "registry-tree"]);
    expect(job?.permissions?.["id-token"]).toBe("write");
    const runs = (job?.steps ?? []).map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm publish --provenance --access public");
    expect(runs).toContain('npm run registry-tree -- "${GITHUB_REF_NAME#v}"');
    expect(runs).toMatch(/git push -q origin HEAD "\$GITHUB_REF_NAME"/);
    // The suite job runs what .ci/run runs.
    expect((workflow.jobs.test?.steps ?? []).map((s) => s.run)).toContain("npm run test:all");
  });
});
