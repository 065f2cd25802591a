// One temporary folder per test run: every os.tmpdir() user (the tests' own folders, cdktf's
// Testing outdirs, terraform, child processes) writes under it through TMPDIR, and it is removed
// when the run ends, so repeated runs do not fill /tmp. KEEP_TEST_TMP=1 keeps it for a look.
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const ENV = "WALLARM_CONNECTOR_TEST_TMP";

function setup() {
  const root = mkdtempSync(join(tmpdir(), "wallarm-connector-tests-"));
  process.env[ENV] = root;
  process.env.TMPDIR = root;
}

function teardown() {
  const root = process.env[ENV];
  if (!root) return;
  if (process.env.KEEP_TEST_TMP) console.log(`test files kept in ${root}`);
  else rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}

module.exports = { setup, teardown };
