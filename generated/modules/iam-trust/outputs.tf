output "role_arn" {
  description = "ARN of the role, for the lambda-edge module's role_arn."
  value       = aws_iam_role.this.arn

  depends_on = [aws_iam_role_policy.logs]
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "role_unique_id" {
  description = "Stable unique ID of the role (AROA...), for resource policies."
  value       = aws_iam_role.this.unique_id
}

output "trust_policy_json" {
  description = "The trust policy (lambda.amazonaws.com and edgelambda.amazonaws.com). Paste it into an existing role made by the console or SAR to let Lambda@Edge replicate its functions."
  value       = data.aws_iam_policy_document.trust.json
}

output "log_policy_json" {
  description = "The role's inline log policy."
  value       = data.aws_iam_policy_document.logs.json
}
