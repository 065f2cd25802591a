locals {
  handler_config = {
    wallarm_node_url            = var.wallarm_node_url
    node_urls_by_region         = var.node_urls_by_region
    wallarm_mode                = var.wallarm_mode
    node_timeout_ms             = var.node_timeout_ms
    fail_open                   = var.fail_open
    refused_request_action      = var.refused_request_action
    truncated_body_action       = var.truncated_body_action
    block_status_code           = var.block_status_code
    block_page_body             = var.block_page_body
    block_page_content_type     = var.block_page_content_type
    node_ca_pem                 = var.node_ca_pem
    circuit_breaker_threshold   = var.circuit_breaker_threshold
    circuit_breaker_cooldown_ms = var.circuit_breaker_cooldown_ms
    skip_extensions             = var.skip_extensions
    skip_path_prefixes          = var.skip_path_prefixes
    skip_methods                = var.skip_methods
    metrics_enabled             = var.metrics_enabled
    metrics_interval_seconds    = var.metrics_interval_seconds
    metrics_namespace           = var.metrics_namespace
  }
  config_json = jsonencode(local.handler_config)
  edge_functions = {
    request = {
      create       = var.create
      name         = "${var.name_prefix}-request"
      description  = "Wallarm connector: sends each request to the Wallarm node"
      bundle       = "${path.module}/dist/request.js"
      log_group    = "/aws/lambda/us-east-1.${var.name_prefix}-request"
      event_type   = "${var.trigger}-request"
      include_body = true
    }
    response = {
      create       = var.create && var.create_response_function
      name         = "${var.name_prefix}-response"
      description  = "Wallarm connector: reports each response to the Wallarm node"
      bundle       = "${path.module}/dist/response.js"
      log_group    = "/aws/lambda/us-east-1.${var.name_prefix}-response"
      event_type   = "${var.trigger}-response"
      include_body = false
    }
  }

  # The functions created, filtered on flags known at plan (variables, never ARNs): the for_each of
  # everything below, so the association keys are known on a first deploy too.
  edge_functions_created = { for role, fn in local.edge_functions : role => fn if fn.create }

  # Read through a local, not from terraform_data directly: Terraform defers a data source while a
  # resource it references has any change pending, which would rebuild both zips when one function
  # changes.
  package_zips = { for role, package in terraform_data.package : role => package.output.zip }
  edge_associations = {
    for role, fn in local.edge_functions_created : fn.event_type => {
      event_type   = fn.event_type
      lambda_arn   = aws_lambda_function.this[role].qualified_arn
      include_body = fn.include_body
    }
  }
}

data "aws_region" "current" {}

# Functions already in AWS: one missing (first deploy, half-applied apply, deleted outside
# Terraform) gets its zip built at apply, so a saved plan applies in a fresh job.
data "aws_lambda_functions" "existing" {
  count = var.create ? 1 : 0
}

data "archive_file" "package" {
  for_each = local.edge_functions_created

  type        = "zip"
  output_path = local.package_zips[each.key]

  source {
    content  = file(each.value.bundle)
    filename = "index.js"
  }

  source {
    content  = local.config_json
    filename = "config.json"
  }
}

# Names the zip (function name and a hash of bundle and config). While the function is missing in
# AWS, function_exists is unknown until apply (timestamp() is), which defers the archive read to
# apply; once it exists the value is true and an unchanged function plans no change.
resource "terraform_data" "package" {
  for_each = local.edge_functions_created

  input = {
    zip = format(
      "%s/%s-%s.zip",
      coalesce(var.package_output_dir, "${path.root}/.terraform/wallarm-connector"),
      each.value.name,
      substr(sha256(join("", [filesha256(each.value.bundle), local.config_json])), 0, 16),
    )
    function_exists = (
      contains(data.aws_lambda_functions.existing[0].function_names, each.value.name)
      ? true
      : timestamp() != ""
    )
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.create_log_groups ? local.edge_functions_created : {}

  name              = each.value.log_group
  kms_key_id        = var.log_group_kms_key_id
  retention_in_days = var.log_retention_in_days
  skip_destroy      = var.log_group_skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# Published versions (CloudFront runs only those). create_before_destroy: a renamed function exists
# before the old one goes, while CloudFront still runs the old one.
resource "aws_lambda_function" "this" {
  for_each = local.edge_functions_created

  function_name    = each.value.name
  description      = each.value.description
  role             = var.role_arn
  handler          = "index.handler"
  runtime          = var.runtime
  architectures    = ["x86_64"]
  memory_size      = var.memory_size
  timeout          = var.timeout
  publish          = true
  filename         = data.archive_file.package[each.key].output_path
  source_code_hash = data.archive_file.package[each.key].output_base64sha256
  skip_destroy     = var.skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = data.aws_region.current.id == "us-east-1"
      error_message = "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for ${data.aws_region.current.id}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }."
    }
  }

  depends_on = [aws_cloudwatch_log_group.this]
}
