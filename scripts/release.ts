// `npm run release -- <version> <outDir> [--git-url <url>]`: the content of the registry
// repository (terraform-aws-wallarm-cloudfront) for one version, built from generated/.
//
// generated/ stays version-free (it is regenerated and diffed on every change), so the version
// enters only here: README usage `source` lines become `git::<url>[//<module>]?ref=v<version>`,
// which work for git hosts and are what the Terraform registry resolves for repositories it
// indexes. The tree also gets LICENSE, CHANGELOG.md and a CI workflow for users of the tree.
// The script refuses a version that is not semver or has no CHANGELOG.md section, so a tag
// never goes out without its notes.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { PROJECT_ROOT } from "../modules/generator/project-root";

/**
 * Where the registry repository lives. An assumption until the repository exists: pass
 * --git-url for another home (a fork, a mirror, an internal git server).
 */
export const DEFAULT_GIT_URL = "https://github.com/wallarm/terraform-aws-wallarm-cloudfront.git";

/** tflint's AWS ruleset for the users' workflow (pinned: a new ruleset may add failing rules). */
const TFLINT_AWS_RULESET_VERSION = "0.40.0";

export interface ReleaseOptions {
  readonly version: string;
  readonly outDir: string;
  readonly gitUrl: string;
  /** The project root holding generated/, LICENSE and CHANGELOG.md. */
  readonly root: string;
}

export interface ReleaseResult {
  /** Every file written, relative to outDir, sorted. */
  readonly files: string[];
  /** README files whose usage `source` lines were rewritten, relative to outDir. */
  readonly rewritten: string[];
  /** Folders holding .tf files, relative to outDir ("." for the root module). */
  readonly moduleDirs: string[];
}

export class ReleaseError extends Error {}

// semver.org's own expression for a valid version (no leading "v", no leading zeros).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function checkVersion(version: string, changelog: string): void {
  if (!SEMVER.test(version)) {
    const hint = /^v\d/.test(version) ? ` (give it without the "v": ${version.slice(1)}; the tag gets the "v")` : "";
    throw new ReleaseError(`"${version}" is not a semantic version such as 1.2.3${hint}.`);
  }
  // Keep a Changelog headings: "## [1.2.3]" or "## [1.2.3] - 2026-01-31".
  const escaped = version.replace(/[.+]/g, (c) => `\\${c}`);
  if (!new RegExp(`^## \\[${escaped}\\]`, "m").test(changelog)) {
    throw new ReleaseError(`CHANGELOG.md has no "## [${version}]" section: move the Unreleased entries under it before releasing.`);
  }
}

/** Accepts what Terraform's git getter clones: https, ssh, scp-like and file URLs. */
function checkGitUrl(url: string): void {
  if (!/^(https:\/\/|ssh:\/\/|file:\/\/|[\w.-]+@[\w.-]+:)\S+$/.test(url) || /[?#]/.test(url)) {
    throw new ReleaseError(`--git-url "${url}" is not a git URL without query (https://, ssh://, file:// or user@host:path).`);
  }
}

/**
 * Usage `source` lines in the generated READMEs hold placeholders in angle brackets: the root
 * module's `<registry or git source of this repository>` and the submodules'
 * `<this repository>//modules/<name>`. Any `<...>` source is replaced, keeping the `//<subdir>`.
 */
const PLACEHOLDER_SOURCE = /^(\s*source\s*=\s*)"<[^>"]*>((?:\/\/[^"?]*)?)"/gm;

export function rewriteSources(readme: string, gitUrl: string, version: string): string {
  return readme.replace(PLACEHOLDER_SOURCE, (_match, prefix: string, subdir: string) => {
    return `${prefix}"git::${gitUrl}${subdir}?ref=v${version}"`;
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The users' CI for the registry repository: fmt, init with the real providers, validate, tflint. */
export function usersWorkflow(moduleDirs: readonly string[]): string {
  const matrix = moduleDirs.map((dir) => `          - ${JSON.stringify(dir)}`).join("\n");
  return `# Checks every module and example of this repository as users run them: terraform fmt,
# terraform init with the real providers from the registry (hashicorp/aws and hashicorp/archive,
# no backend), terraform validate, and tflint with its AWS ruleset. Written by the connector's
# release script (scripts/release.ts); the module list follows the released tree.
name: terraform

on:
  push:
    branches: [main]
    tags: ["v*"]
  pull_request:

permissions:
  contents: read

jobs:
  fmt:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: latest
          terraform_wrapper: false
      - run: terraform fmt -check -recursive -diff

  validate:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        # The oldest Terraform the modules allow (required_version) and the newest.
        terraform: ["1.9.x", "latest"]
        dir:
${matrix}
    defaults:
      run:
        working-directory: \${{ matrix.dir }}
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: \${{ matrix.terraform }}
          terraform_wrapper: false
      - run: terraform init -backend=false -input=false
      - run: terraform validate -no-color

  tflint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: ~/.tflint.d/plugins
          key: tflint-\${{ hashFiles('.tflint.hcl') }}
      - uses: terraform-linters/setup-tflint@v4
        with:
          tflint_version: latest
      - run: tflint --init
        env:
          # Plugin downloads from GitHub are rate limited without a token.
          GITHUB_TOKEN: \${{ github.token }}
      - run: tflint --recursive --config "$GITHUB_WORKSPACE/.tflint.hcl" --format compact
`;
}

/** tflint configuration for the registry repository: Terraform's recommended rules plus AWS. */
export function tflintConfig(): string {
  return `# tflint for this repository (written by the connector's release script). Local module calls
# are followed so the examples are linted with the modules they use.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "${TFLINT_AWS_RULESET_VERSION}"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
`;
}

export function release(options: ReleaseOptions): ReleaseResult {
  const { version, gitUrl, root } = options;
  const outDir = resolve(options.outDir);
  const changelog = readFileSync(join(root, "CHANGELOG.md"), "utf8");
  checkVersion(version, changelog);
  checkGitUrl(gitUrl);
  const generated = join(root, "generated");
  if (!existsSync(join(generated, "main.tf"))) {
    throw new ReleaseError(`${generated} has no root module: run \`npm run generate\` first.`);
  }
  if (outDir === root || outDir.startsWith(`${generated}${sep}`) || outDir === generated) {
    throw new ReleaseError(`outDir ${outDir} would overwrite the sources: choose a folder outside the project.`);
  }
  // Never merge into an old tree: a file removed from generated/ must not survive in a release.
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new ReleaseError(`outDir ${outDir} is not empty: give a new or empty folder.`);
  }
  mkdirSync(outDir, { recursive: true });
  cpSync(generated, outDir, { recursive: true });
  cpSync(join(root, "LICENSE"), join(outDir, "LICENSE"));
  cpSync(join(root, "CHANGELOG.md"), join(outDir, "CHANGELOG.md"));

  const rewritten: string[] = [];
  for (const file of filesUnder(outDir).filter((f) => basename(f) === "README.md")) {
    const before = readFileSync(file, "utf8");
    const after = rewriteSources(before, gitUrl, version);
    if (after !== before) {
      writeFileSync(file, after);
      rewritten.push(relative(outDir, file));
    }
    // A placeholder the pattern missed would ship a README whose usage cannot work.
    const left = after.match(/^\s*source\s*=\s*"<[^"]*"/m);
    if (left) throw new ReleaseError(`${relative(outDir, file)} still has a placeholder source: ${left[0].trim()}`);
  }
  if (!rewritten.includes("README.md")) {
    throw new ReleaseError("generated/README.md has no placeholder usage source to rewrite: has its usage block changed?");
  }

  const moduleDirs = [
    ...new Set(
      filesUnder(outDir)
        .filter((f) => f.endsWith(".tf"))
        .map((f) => relative(outDir, join(f, "..")) || "."),
    ),
  ].sort();
  mkdirSync(join(outDir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(outDir, ".github", "workflows", "terraform.yml"), usersWorkflow(moduleDirs));
  writeFileSync(join(outDir, ".tflint.hcl"), tflintConfig());

  const files = filesUnder(outDir)
    .map((f) => relative(outDir, f))
    .sort();
  return { files, rewritten: rewritten.sort(), moduleDirs };
}

function usage(): never {
  console.error("usage: npm run release -- <version> <outDir> [--git-url <url>]");
  process.exit(2);
}

function main(argv: readonly string[]): void {
  const positional: string[] = [];
  let gitUrl = DEFAULT_GIT_URL;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    if (arg === "--git-url") {
      const value = argv[i + 1];
      if (value === undefined) usage();
      gitUrl = value;
      i += 1;
    } else if (arg.startsWith("--git-url=")) {
      gitUrl = arg.slice("--git-url=".length);
    } else if (arg.startsWith("-")) {
      usage();
    } else {
      positional.push(arg);
    }
  }
  const [version, outDir] = positional;
  if (version === undefined || outDir === undefined || positional.length !== 2) usage();
  try {
    const result = release({ version, outDir, gitUrl, root: PROJECT_ROOT });
    console.log(`release v${version}: ${result.files.length} files in ${resolve(outDir)}`);
    console.log(`  sources: git::${gitUrl}[//modules/<name>]?ref=v${version} in ${result.rewritten.join(", ")}`);
    console.log(`  next: commit the tree to the registry repository and tag it v${version}`);
  } catch (err: unknown) {
    if (err instanceof ReleaseError) {
      console.error(`release: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

// run-ts.mjs sets argv[1] to the entry it runs; under jest this file is only imported.
if (basename(process.argv[1] ?? "") === "release.ts") main(process.argv.slice(2));
