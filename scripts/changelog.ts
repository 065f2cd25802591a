// CHANGELOG.md (Keep a Changelog) as the release reads it: a version is released only from its
// own dated section, `## [1.2.3] - 2026-01-31`, whose text becomes the tag's message.

export class ReleaseError extends Error {}

// semver.org's own expression for a valid version (no leading "v", no leading zeros).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function checkSemver(version: string): void {
  if (SEMVER.test(version)) return;
  const hint = /^v\d/.test(version) ? ` (give it without the "v": ${version.slice(1)}; the tag gets the "v")` : "";
  throw new ReleaseError(`"${version}" is not a semantic version such as 1.2.3${hint}.`);
}

export interface ReleaseSection {
  /** The release date, YYYY-MM-DD. */
  readonly date: string;
  /** The section's text below its heading, trimmed. */
  readonly notes: string;
}

/** The dated section of `version`; throws a ReleaseError saying how to write it when there is none. */
export function releaseSection(changelog: string, version: string): ReleaseSection {
  checkSemver(version);
  const escaped = version.replace(/[.+]/g, (c) => `\\${c}`);
  // The heading ends after "]" or " - date": "1.2.3" must not take "## [1.2.3-rc.1]".
  const heading = new RegExp(`^## \\[${escaped}\\](?: - (\\S+))?[ \\t]*$`, "m").exec(changelog);
  if (!heading) {
    throw new ReleaseError(
      `CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the Unreleased entries under it before releasing.`,
    );
  }
  const date = heading[1];
  if (date === undefined || !isCalendarDate(date)) {
    const today = new Date().toISOString().slice(0, 10);
    throw new ReleaseError(`CHANGELOG.md's "## [${version}]" section has no release date: write "## [${version}] - ${today}".`);
  }
  const rest = changelog.slice(heading.index + heading[0].length);
  const next = rest.search(/^## |^\[[^\]]+\]: /m);
  return { date, notes: (next === -1 ? rest : rest.slice(0, next)).trim() };
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
