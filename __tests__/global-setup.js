// Before any test: one temporary folder for the run (temp-root.js), and the handler bundles the
// cdktf library takes by default (modules/library/bundles, written by the build in a package).
const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

module.exports = () => {
  require("./temp-root").setup();
  const root = join(__dirname, "..");
  execFileSync(
    process.execPath,
    [join(root, "scripts", "run-ts.mjs"), join(root, "scripts", "bundle-handlers.ts"), join(root, "modules", "library", "bundles")],
    {
      cwd: root,
      stdio: "ignore",
    },
  );
};
