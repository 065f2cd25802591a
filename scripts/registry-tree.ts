// `npm run registry-tree -- <version> <outDir> [--git-url <url>]`: the content of the registry
// repository (terraform-aws-wallarm-cloudfront) for one version: generated/ (whose READMEs already
// name the registry address and this version), LICENSE, CHANGELOG.md, the users' workflow and
// tflint configuration. `npm run release` calls it; CI calls it on a tag to push the tree.
//
// With --git-url (a fork, a mirror, an internal git server) the README usage lines become
// `git::<url>[//<module>]?ref=v<version>`, which Terraform's git getter fetches.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { REGISTRY_MODULE } from "../modules/generator/package-info";
import { PROJECT_ROOT } from "../modules/generator/project-root";
import { ReleaseError, releaseSection } from "./changelog";
import { tflintConfig, usersWorkflow } from "./registry-workflow";

export interface RegistryTreeOptions {
  readonly version: string;
  readonly outDir: string;
  /** Another home for the modules than the registry; README sources become git URLs. */
  readonly gitUrl?: string;
  /** The project root holding generated/, LICENSE and CHANGELOG.md. */
  readonly root: string;
}

export interface RegistryTree {
  /** Every file written, relative to outDir, sorted. */
  readonly files: string[];
  /** README files whose usage `source` lines name the modules, relative to outDir. */
  readonly readmes: string[];
  /** Folders holding .tf files, relative to outDir ("." for the root module). */
  readonly moduleDirs: string[];
}

/** Accepts what Terraform's git getter clones: https, ssh, scp-like and file URLs. */
function checkGitUrl(url: string): void {
  if (!/^(https:\/\/|ssh:\/\/|file:\/\/|[\w.-]+@[\w.-]+:)\S+$/.test(url) || /[?#]/.test(url)) {
    throw new ReleaseError(`--git-url "${url}" is not a git URL without query (https://, ssh://, file:// or user@host:path).`);
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A README usage block's registry `source` and the `version` line under it. */
const REGISTRY_USAGE = new RegExp(
  `^([ \\t]*)source([ \\t]*)= "${escapeRegExp(REGISTRY_MODULE)}((?://[^"]*)?)"\\n[ \\t]*version[ \\t]*= "([^"]*)"\\n`,
  "gm",
);

/** The registry usage lines of a README: the module path (`""` for the root) and the version each pins. */
export function registryUsages(readme: string): Array<{ readonly subdir: string; readonly version: string }> {
  return [...readme.matchAll(REGISTRY_USAGE)].map((m) => ({ subdir: m[3] ?? "", version: m[4] ?? "" }));
}

/** Registry `source` + `version` lines as one git `source` at the version's tag. */
export function gitSources(readme: string, gitUrl: string, version: string): string {
  return readme.replace(REGISTRY_USAGE, (_match, indent: string, padding: string, subdir: string) => {
    return `${indent}source${padding}= "git::${gitUrl}${subdir}?ref=v${version}"\n`;
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export function writeRegistryTree(options: RegistryTreeOptions): RegistryTree {
  const { version, gitUrl, root } = options;
  const outDir = resolve(options.outDir);
  releaseSection(readFileSync(join(root, "CHANGELOG.md"), "utf8"), version);
  if (gitUrl !== undefined) checkGitUrl(gitUrl);
  const generated = join(root, "generated");
  if (!existsSync(join(generated, "main.tf"))) {
    throw new ReleaseError(`${generated} has no root module: run \`npm run generate\` first.`);
  }
  if (outDir === root || outDir === generated || outDir.startsWith(`${generated}${sep}`)) {
    throw new ReleaseError(`outDir ${outDir} would overwrite the sources: choose another folder.`);
  }
  // Never merge into an old tree: a file removed from generated/ must not survive in a release.
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new ReleaseError(`outDir ${outDir} is not empty: give a new or empty folder.`);
  }

  const readmes = filesUnder(generated).filter((f) => basename(f) === "README.md");
  for (const file of readmes) {
    const stale = registryUsages(readFileSync(file, "utf8")).find((usage) => usage.version !== version);
    if (stale) {
      throw new ReleaseError(
        `${relative(root, file)} pins version ${stale.version}, not ${version}: \`npm run release -- ${version}\` sets the version and regenerates.`,
      );
    }
  }
  const usageReadmes = readmes.filter((f) => registryUsages(readFileSync(f, "utf8")).length > 0).map((f) => relative(generated, f));
  if (!usageReadmes.includes("README.md")) {
    throw new ReleaseError(`generated/README.md has no usage with source "${REGISTRY_MODULE}" and a version: has its usage block changed?`);
  }

  mkdirSync(outDir, { recursive: true });
  cpSync(generated, outDir, { recursive: true });
  cpSync(join(root, "LICENSE"), join(outDir, "LICENSE"));
  cpSync(join(root, "CHANGELOG.md"), join(outDir, "CHANGELOG.md"));
  if (gitUrl !== undefined) {
    for (const readme of usageReadmes) {
      const file = join(outDir, readme);
      writeFileSync(file, gitSources(readFileSync(file, "utf8"), gitUrl, version));
    }
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
  return { files, readmes: usageReadmes.sort(), moduleDirs };
}

function usage(): never {
  console.error("usage: npm run registry-tree -- <version> <outDir> [--git-url <url>]");
  process.exit(2);
}

/** `<version> <outDir> [--git-url <url>]` parsed; usage on anything else. */
export function parseTreeArguments(argv: readonly string[]): { version: string; outDir: string; gitUrl?: string } {
  const positional: string[] = [];
  let gitUrl: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    if (arg === "--git-url" && argv[i + 1] !== undefined) gitUrl = argv[++i];
    else if (arg.startsWith("--git-url=")) gitUrl = arg.slice("--git-url=".length);
    else if (arg.startsWith("-")) usage();
    else positional.push(arg);
  }
  const [version, outDir] = positional;
  if (version === undefined || outDir === undefined || positional.length !== 2) usage();
  return gitUrl === undefined ? { version, outDir } : { version, outDir, gitUrl };
}

function main(argv: readonly string[]): void {
  const { version, outDir, gitUrl } = parseTreeArguments(argv);
  try {
    const tree = writeRegistryTree({ version, outDir, root: PROJECT_ROOT, ...(gitUrl === undefined ? {} : { gitUrl }) });
    const source = gitUrl === undefined ? `${REGISTRY_MODULE} ${version}` : `git::${gitUrl}[//modules/<name>]?ref=v${version}`;
    console.log(
      `registry tree v${version}: ${tree.files.length} files in ${resolve(outDir)}; sources ${source} in ${tree.readmes.join(", ")}`,
    );
  } catch (err: unknown) {
    if (!(err instanceof ReleaseError)) throw err;
    console.error(`registry-tree: ${err.message}`);
    process.exit(1);
  }
}

// run-ts.mjs sets argv[1] to the entry it runs; under jest this file is only imported.
if (basename(process.argv[1] ?? "") === "registry-tree.ts") main(process.argv.slice(2));
