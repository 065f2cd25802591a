locals {
  handler_config = {
    wallarm_node_url            = var.wallarm_node_url
    wallarm_mode                = var.wallarm_mode
    node_timeout_ms             = var.node_timeout_ms
    fail_open                   = var.fail_open
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
  edge_associations = {
    "${var.trigger}-request" = {
      event_type   = "${var.trigger}-request"
      lambda_arn   = one(aws_lambda_function.request[*].qualified_arn)
      include_body = true
    }
    "${var.trigger}-response" = {
      event_type   = "${var.trigger}-response"
      lambda_arn   = one(aws_lambda_function.response[*].qualified_arn)
      include_body = false
    }
  }
  edge_functions_created = {
    "${var.trigger}-request"  = var.create
    "${var.trigger}-response" = var.create && var.create_response_function
  }
}

data "aws_region" "current" {}

data "aws_lambda_functions" "existing" {
  count = var.create ? 1 : 0
}

data "archive_file" "request" {
  count = var.create ? 1 : 0

  type        = "zip"
  output_path = terraform_data.request_package[0].output.zip

  source {
    content  = file("${path.module}/dist/request.js")
    filename = "index.js"
  }

  source {
    content  = local.config_json
    filename = "config.json"
  }
}

data "archive_file" "response" {
  count = var.create && var.create_response_function ? 1 : 0

  type        = "zip"
  output_path = terraform_data.response_package[0].output.zip

  source {
    content  = file("${path.module}/dist/response.js")
    filename = "index.js"
  }

  source {
    content  = local.config_json
    filename = "config.json"
  }
}

resource "terraform_data" "request_package" {
  count = var.create ? 1 : 0

  input = {
    zip             = "${coalesce(var.package_output_dir, "${path.root}/.terraform/wallarm-connector")}/${var.name_prefix}-request-${substr(sha256(join("", [filesha256("${path.module}/dist/request.js"), local.config_json])), 0, 16)}.zip"
    function_exists = contains(data.aws_lambda_functions.existing[0].function_names, "${var.name_prefix}-request") ? true : timestamp() != ""
  }
}

resource "terraform_data" "response_package" {
  count = var.create && var.create_response_function ? 1 : 0

  input = {
    zip             = "${coalesce(var.package_output_dir, "${path.root}/.terraform/wallarm-connector")}/${var.name_prefix}-response-${substr(sha256(join("", [filesha256("${path.module}/dist/response.js"), local.config_json])), 0, 16)}.zip"
    function_exists = contains(data.aws_lambda_functions.existing[0].function_names, "${var.name_prefix}-response") ? true : timestamp() != ""
  }
}

resource "aws_cloudwatch_log_group" "request" {
  count = var.create && var.create_log_groups ? 1 : 0

  name              = "/aws/lambda/us-east-1.${var.name_prefix}-request"
  kms_key_id        = var.log_group_kms_key_id
  retention_in_days = var.log_retention_in_days
  skip_destroy      = var.log_group_skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "response" {
  count = var.create && var.create_response_function && var.create_log_groups ? 1 : 0

  name              = "/aws/lambda/us-east-1.${var.name_prefix}-response"
  kms_key_id        = var.log_group_kms_key_id
  retention_in_days = var.log_retention_in_days
  skip_destroy      = var.log_group_skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lambda_function" "request" {
  count = var.create ? 1 : 0

  function_name    = "${var.name_prefix}-request"
  description      = "Wallarm connector: sends each request to the Wallarm node"
  role             = var.role_arn
  handler          = "index.handler"
  runtime          = var.runtime
  architectures    = ["x86_64"]
  memory_size      = var.memory_size
  timeout          = var.timeout
  publish          = true
  filename         = data.archive_file.request[0].output_path
  source_code_hash = data.archive_file.request[0].output_base64sha256
  skip_destroy     = var.skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = data.aws_region.current.id == "us-east-1"
      error_message = "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for ${data.aws_region.current.id}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }."
    }
  }

  depends_on = [aws_cloudwatch_log_group.request]
}

resource "aws_lambda_function" "response" {
  count = var.create && var.create_response_function ? 1 : 0

  function_name    = "${var.name_prefix}-response"
  description      = "Wallarm connector: reports each response to the Wallarm node"
  role             = var.role_arn
  handler          = "index.handler"
  runtime          = var.runtime
  architectures    = ["x86_64"]
  memory_size      = var.memory_size
  timeout          = var.timeout
  publish          = true
  filename         = data.archive_file.response[0].output_path
  source_code_hash = data.archive_file.response[0].output_base64sha256
  skip_destroy     = var.skip_destroy

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = data.aws_region.current.id == "us-east-1"
      error_message = "Lambda@Edge functions must be created in us-east-1, but this module's aws provider is for ${data.aws_region.current.id}. Pass a us-east-1 provider to the module: providers = { aws = aws.us_east_1 }."
    }
  }

  depends_on = [aws_cloudwatch_log_group.response]
}
