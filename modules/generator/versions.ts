// Version constraints of every generated module, each with the reason it is the minimum.
import type { ProviderRequirement } from "./module-stack";

/** Variable validations that refer to other variables arrived in Terraform 1.9. */
export const REQUIRED_TERRAFORM = ">= 1.9.0";

export const AWS_PROVIDER: ProviderRequirement = {
  source: "hashicorp/aws",
  version: ">= 4.57.0",
  why: "`skip_destroy` on aws_lambda_function (and its retried deletion of replicated Lambda@Edge functions) arrived in 4.57.0; everything else used is older. 5.x and 6.x are admitted.",
};

/**
 * The same floor for the modules without functions, so the connector's modules install together;
 * their own resources need nothing as recent.
 */
export const AWS_PROVIDER_SHARED_FLOOR: ProviderRequirement = {
  ...AWS_PROVIDER,
  why: "The connector's one floor, so its modules install together: lambda-edge needs 4.57.0 for `skip_destroy` on its functions; this module's own resources are older. 5.x and 6.x are admitted.",
};

export const ARCHIVE_PROVIDER: ProviderRequirement = {
  source: "hashicorp/archive",
  version: ">= 2.0.0",
  why: "`archive_file` with `source` blocks and `output_base64sha256` predates 2.0.0, the first release for Terraform 0.13+ registry sources.",
};
