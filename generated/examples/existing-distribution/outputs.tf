output "lambda_function_associations" {
  description = "The associations now on the default cache behavior."
  value       = module.wallarm_connector.lambda_function_associations
}
