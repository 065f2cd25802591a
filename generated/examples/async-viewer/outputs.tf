output "distribution_domain_name" {
  description = "Domain name of the distribution."
  value       = module.wallarm_connector.distribution_domain_name
}
