output "lambda_function_associations" {
  description = "Associations keyed by event type, in the shape terraform-aws-modules/cloudfront and the distribution-association module take: { event_type, lambda_arn, include_body }. The request event has include_body = true. Empty when create is false."
  value       = local.edge_associations
}

output "request_function_qualified_arn" {
  description = "ARN of the published request function version, for a CloudFront association; null when create is false."
  value       = try(aws_lambda_function.this["request"].qualified_arn, null)
}

output "request_function_version" {
  description = "Published version of the request function, or null."
  value       = try(aws_lambda_function.this["request"].version, null)
}

output "request_function_name" {
  description = "Name of the request function, or null."
  value       = try(aws_lambda_function.this["request"].function_name, null)
}

output "request_function_arn" {
  description = "Unqualified ARN of the request function, or null."
  value       = try(aws_lambda_function.this["request"].arn, null)
}

output "response_function_qualified_arn" {
  description = "ARN of the published response function version; null when create or create_response_function is false."
  value       = try(aws_lambda_function.this["response"].qualified_arn, null)
}

output "response_function_version" {
  description = "Published version of the response function, or null."
  value       = try(aws_lambda_function.this["response"].version, null)
}

output "response_function_name" {
  description = "Name of the response function, or null."
  value       = try(aws_lambda_function.this["response"].function_name, null)
}

output "response_function_arn" {
  description = "Unqualified ARN of the response function, or null."
  value       = try(aws_lambda_function.this["response"].arn, null)
}

output "request_log_group_name" {
  description = "The us-east-1 log group of the request function (/aws/lambda/us-east-1.<function>), whether created here or not (create_log_groups); null without the function. Replicas log to groups of this name in the regions where they run."
  value       = try(local.edge_functions_created["request"].log_group, null)
}

output "response_log_group_name" {
  description = "The us-east-1 log group of the response function, whether created here or not; null without the function."
  value       = try(local.edge_functions_created["response"].log_group, null)
}

output "config_json" {
  description = "The config.json packaged with both functions; null when create is false."
  value       = var.create ? local.config_json : null
}
