output "distribution_domain_name" {
  description = "Send requests here: https://<this>/."
  value       = module.wallarm_connector.distribution_domain_name
}

output "request_function_qualified_arn" {
  description = "The published request function version in use."
  value       = module.wallarm_connector.request_function_qualified_arn
}
