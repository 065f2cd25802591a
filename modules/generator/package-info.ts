// What the generated READMEs say about where the modules come from, read from package.json (the
// one place the version and the repositories are declared): the registry address users put in
// `source`, the version they pin, and the project the files are generated from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./project-root";

interface PackageManifest {
  readonly version: string;
  readonly repository: { readonly url: string };
  readonly terraformRegistry: { readonly repository: string };
}

const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as PackageManifest;

/** The version being released; the release command sets it, the READMEs pin it. */
export const PACKAGE_VERSION = manifest.version;

/** This project's home page: `git+https://host/owner/name.git` read as `https://host/owner/name`. */
export const SOURCE_REPOSITORY = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");

/** The repository the Terraform Registry indexes, holding the content of generated/. */
export const REGISTRY_REPOSITORY = manifest.terraformRegistry.repository;

/**
 * The registry address of the root module. The registry names a module after its repository,
 * `terraform-<provider>-<name>` owned by `<namespace>`, as `<namespace>/<name>/<provider>`.
 */
export const REGISTRY_MODULE = registryAddress(REGISTRY_REPOSITORY);

export function registryAddress(repositoryUrl: string): string {
  const match = /\/([^/]+)\/terraform-([a-z0-9]+)-([A-Za-z0-9_-]+?)(?:\.git)?$/.exec(repositoryUrl);
  if (!match) throw new Error(`${repositoryUrl} is not a Terraform Registry module repository (owner/terraform-<provider>-<name>)`);
  const [, namespace, provider, name] = match;
  return `${namespace}/${name}/${provider}`;
}

/** A module's `source` as its users write it: the root module or `//modules/<name>` of it. */
export const registrySource = (modulePath: string): string => (modulePath === "" ? REGISTRY_MODULE : `${REGISTRY_MODULE}//${modulePath}`);
