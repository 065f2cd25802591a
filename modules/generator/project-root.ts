import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package's own name: its root is the folder of the package.json that carries it. */
const PACKAGE_NAME = "wallarm-cloudfront-connector";

const isPackageRoot = (dir: string): boolean => {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
};

/**
 * The package root, wherever this code runs from: its own folder (ts-jest), bundled into .build/
 * (run-ts.mjs), or compiled into lib/ of an installed package under a user's node_modules (where
 * a cdktf.json above would be the user's project, not this one). The one root finder.
 */
function findRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`the ${PACKAGE_NAME} package.json was not found above ${__dirname}`);
  }
}

export const PROJECT_ROOT = findRoot();
