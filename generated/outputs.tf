output "lambda_function_associations" {
  description = "Every association keyed by event type (the connector's and yours): for_each of a dynamic \"lambda_function_association\" block in your aws_cloudfront_distribution, or lambda_function_association of terraform-aws-modules/cloudfront."
  value       = module.distribution_association.lambda_function_associations
}

output "request_function_qualified_arn" {
  description = "ARN of the published request function version."
  value       = module.lambda_edge.request_function_qualified_arn
}

output "response_function_qualified_arn" {
  description = "ARN of the published response function version, or null."
  value       = module.lambda_edge.response_function_qualified_arn
}

output "request_function_version" {
  description = "Published version of the request function."
  value       = module.lambda_edge.request_function_version
}

output "response_function_version" {
  description = "Published version of the response function, or null."
  value       = module.lambda_edge.response_function_version
}

output "role_arn" {
  description = "ARN of the execution role (created or given)."
  value       = var.create_role ? one(module.iam_trust[*].role_arn) : var.role_arn
}

output "role_name" {
  description = "Name of the execution role (created, or the last part of role_arn)."
  value       = var.create_role ? one(module.iam_trust[*].role_name) : try(reverse(split("/", var.role_arn))[0], null)
}

output "request_function_name" {
  description = "Name of the request function."
  value       = module.lambda_edge.request_function_name
}

output "response_function_name" {
  description = "Name of the response function, or null."
  value       = module.lambda_edge.response_function_name
}

output "request_log_group_name" {
  description = "The us-east-1 log group of the request function (/aws/lambda/us-east-1.<function>); replicas log to groups of this name where they run. null when create is false."
  value       = module.lambda_edge.request_log_group_name
}

output "response_log_group_name" {
  description = "The us-east-1 log group of the response function, or null."
  value       = module.lambda_edge.response_log_group_name
}

output "trust_policy_json" {
  description = "Trust policy for lambda.amazonaws.com and edgelambda.amazonaws.com, or null when create_role is false."
  value       = one(module.iam_trust[*].trust_policy_json)
}

output "distribution_id" {
  description = "ID of the created distribution, or null."
  value       = module.distribution_association.distribution_id
}

output "distribution_domain_name" {
  description = "Domain name of the created distribution, or null."
  value       = module.distribution_association.distribution_domain_name
}

output "distribution_arn" {
  description = "ARN of the created distribution, or null."
  value       = module.distribution_association.distribution_arn
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone ID of the created distribution (for alias records), or null."
  value       = module.distribution_association.distribution_hosted_zone_id
}
