output "lambda_function_associations" {
  description = "Every association keyed by event type, { event_type, lambda_arn, include_body }: for_each of a dynamic \"lambda_function_association\" block, or lambda_function_association of terraform-aws-modules/cloudfront."
  value       = local.lambda_function_associations
}

output "distribution_id" {
  description = "ID of the created distribution, or null."
  value       = one(aws_cloudfront_distribution.this[*].id)
}

output "distribution_arn" {
  description = "ARN of the created distribution, or null."
  value       = one(aws_cloudfront_distribution.this[*].arn)
}

output "distribution_domain_name" {
  description = "Domain name (*.cloudfront.net) of the created distribution, or null."
  value       = one(aws_cloudfront_distribution.this[*].domain_name)
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone ID of the created distribution (for alias records), or null."
  value       = one(aws_cloudfront_distribution.this[*].hosted_zone_id)
}
