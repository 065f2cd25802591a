// `npm run release -- <version> [--out <dir>]`: one release in one step, from its dated
// CHANGELOG.md section. On a clean main: sets the version (package.json, package-lock.json),
// regenerates generated/ (whose READMEs pin it), commits "Release v<version>", writes the
// registry tree and the npm tarball into <dir> (default release/v<version>), and tags
// v<version> with the section as message. Pushing the tag (`git push --follow-tags`) lets CI
// run the suite, publish the npm package with provenance and push the registry tree.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { PROJECT_ROOT } from "../modules/generator/project-root";
import { ReleaseError, releaseSection } from "./changelog";
import { writeRegistryTree } from "./registry-tree";

/** The registry repository's folder name inside the release folder. */
export const REGISTRY_TREE_DIR = "terraform-aws-wallarm-cloudfront";

export interface ReleaseOptions {
  readonly version: string;
  /** Where the registry tree and the tarball go; default release/v<version> in the project. */
  readonly outDir?: string;
  readonly root: string;
}

export interface Release {
  readonly tag: string;
  readonly registryTree: string;
  readonly tarball: string;
}

/** A command in the project root whose output matters only when it fails. */
function run(root: string, command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
    throw new ReleaseError(`\`${command} ${args.join(" ")}\` failed${result.error ? `: ${result.error.message}` : ""}\n${output}`);
  }
  return result.stdout;
}

export function release(options: ReleaseOptions): Release {
  const { version, root } = options;
  const tag = `v${version}`;
  const section = releaseSection(readFileSync(join(root, "CHANGELOG.md"), "utf8"), version);
  // A release is what a commit holds: nothing uncommitted may slip into the tarball or the tree.
  const dirty = run(root, "git", ["status", "--porcelain"]).trim();
  if (dirty) throw new ReleaseError(`the work tree has uncommitted changes; commit or stash them first:\n${dirty}`);
  if (run(root, "git", ["tag", "--list", tag]).trim()) throw new ReleaseError(`tag ${tag} exists already.`);

  run(root, "npm", ["version", version, "--no-git-tag-version", "--allow-same-version"]);
  run(root, "npm", ["run", "generate"]);
  run(root, "git", ["add", "package.json", "package-lock.json", "generated"]);
  if (run(root, "git", ["status", "--porcelain"]).trim()) run(root, "git", ["commit", "-q", "-m", `Release ${tag}`]);

  const outDir = resolve(options.outDir ?? join(root, "release", tag));
  const registryTree = join(outDir, REGISTRY_TREE_DIR);
  writeRegistryTree({ version, outDir: registryTree, root });
  // `npm pack` runs prepack (the build) and prints the tarball's name last.
  const packed = run(root, "npm", ["pack", "--pack-destination", outDir]).trim().split("\n").pop() ?? "";
  // --cleanup=whitespace: the default would drop the section's "### Added" lines as comments.
  run(root, "git", ["tag", "-a", "--cleanup=whitespace", tag, "-m", `${tag} - ${section.date}\n\n${section.notes}`]);
  return { tag, registryTree, tarball: join(outDir, packed) };
}

function main(argv: readonly string[]): void {
  const [version, flag, outDir, ...rest] = argv;
  if (
    version === undefined ||
    version.startsWith("-") ||
    (flag !== undefined && (flag !== "--out" || outDir === undefined)) ||
    rest.length
  ) {
    console.error("usage: npm run release -- <version> [--out <dir>]");
    process.exit(2);
  }
  try {
    const made = release({ version, root: PROJECT_ROOT, ...(outDir === undefined ? {} : { outDir }) });
    console.log(`${made.tag}: committed and tagged`);
    console.log(`  registry tree: ${made.registryTree}`);
    console.log(`  npm package:   ${made.tarball}`);
    console.log(`  next: git push --follow-tags origin HEAD   (CI publishes both on the tag)`);
  } catch (err: unknown) {
    if (!(err instanceof ReleaseError)) throw err;
    console.error(`release: ${err.message}`);
    process.exit(1);
  }
}

// run-ts.mjs sets argv[1] to the entry it runs; under jest this file is only imported.
if (basename(process.argv[1] ?? "") === "release.ts") main(process.argv.slice(2));
