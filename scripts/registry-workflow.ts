// The files the registry repository gets beside the modules: its users' CI workflow and tflint
// configuration, so a change there is checked where users see it.

/** tflint's AWS ruleset for the users' workflow (pinned: a new ruleset may add failing rules). */
const TFLINT_AWS_RULESET_VERSION = "0.40.0";

/** The users' CI for the registry repository: fmt, init with the real providers, validate, tflint. */
export function usersWorkflow(moduleDirs: readonly string[]): string {
  const matrix = moduleDirs.map((dir) => `          - ${JSON.stringify(dir)}`).join("\n");
  return `# Checks every module and example of this repository as users run them: terraform fmt,
# terraform init with the real providers from the registry (hashicorp/aws and hashicorp/archive,
# no backend), terraform validate, and tflint with its AWS ruleset. Written by the connector's
# release (scripts/registry-tree.ts); the module list follows the released tree.
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
  return `# tflint for this repository (written by the connector's release: scripts/registry-tree.ts).
# Local module calls are followed so the examples are linted with the modules they use.
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
