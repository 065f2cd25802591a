// Nested block types of the resources this project writes. Terraform JSON cannot tell a block
// from an object-valued attribute, so the renderer needs to be told; `terraform validate` in
// the tests catches an entry missing here ("Unsupported argument").
import type { BlockSchema } from "./render";

const lifecycle: BlockSchema = { lifecycle: { precondition: {}, postcondition: {} } };

const cacheBehavior: BlockSchema = {
  lambda_function_association: {},
  function_association: {},
  forwarded_values: { cookies: {} },
};

/** Block schema per resource or data source type. */
export const RESOURCE_BLOCKS: Readonly<Record<string, BlockSchema>> = {
  aws_iam_policy_document: { statement: { principals: {}, not_principals: {}, condition: {} } },
  archive_file: { source: {} },
  aws_cloudfront_distribution: {
    origin: { custom_origin_config: {}, origin_shield: {}, custom_header: {}, s3_origin_config: {} },
    default_cache_behavior: cacheBehavior,
    ordered_cache_behavior: cacheBehavior,
    restrictions: { geo_restriction: {} },
    viewer_certificate: {},
    logging_config: {},
    custom_error_response: {},
  },
};

export function resourceSchema(type: string): BlockSchema {
  return { ...lifecycle, ...(RESOURCE_BLOCKS[type] ?? {}) };
}

export const VARIABLE_SCHEMA: BlockSchema = { validation: {} };
export const OUTPUT_SCHEMA: BlockSchema = { precondition: {} };
export const PROVIDER_SCHEMA: BlockSchema = { default_tags: {}, assume_role: {} };
export const NO_BLOCKS: BlockSchema = {};
