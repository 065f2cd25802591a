module "iam_trust" {
  source = "./modules/iam-trust"
  count  = var.create && var.create_role ? 1 : 0

  name_prefix          = var.name_prefix
  name                 = var.role_name
  path                 = var.role_path
  description          = var.role_description
  max_session_duration = var.role_max_session_duration
  permissions_boundary = var.role_permissions_boundary
  policy_arns          = var.role_policy_arns

  tags = var.tags
}

module "lambda_edge" {
  source = "./modules/lambda-edge"

  role_arn                    = var.create_role ? one(module.iam_trust[*].role_arn) : var.role_arn
  create                      = var.create
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
  allow_http_node_url         = var.allow_http_node_url
  trigger                     = var.trigger
  name_prefix                 = var.name_prefix
  runtime                     = var.runtime
  memory_size                 = var.memory_size
  timeout                     = var.timeout
  create_response_function    = var.create_response_function
  log_retention_in_days       = var.log_retention_in_days
  create_log_groups           = var.create_log_groups
  log_group_kms_key_id        = var.log_group_kms_key_id
  log_group_skip_destroy      = var.log_group_skip_destroy
  skip_destroy                = var.skip_destroy
  package_output_dir          = var.package_output_dir

  tags = var.tags
}

module "distribution_association" {
  source = "./modules/distribution-association"

  request_function_qualified_arn  = module.lambda_edge.request_function_qualified_arn
  response_function_qualified_arn = module.lambda_edge.response_function_qualified_arn
  associate_response_function     = var.create_response_function
  create                          = var.create
  request_event_type              = "${var.trigger}-request"
  response_event_type             = "${var.trigger}-response"
  trigger                         = var.trigger
  associations                    = var.associations
  create_distribution             = var.create_distribution
  origin_domain_name              = var.origin_domain_name
  origin_protocol_policy          = var.origin_protocol_policy
  aliases                         = var.aliases
  acm_certificate_arn             = var.acm_certificate_arn
  price_class                     = var.price_class
  cache_policy_id                 = var.cache_policy_id
  origin_request_policy_id        = var.origin_request_policy_id
  response_headers_policy_id      = var.response_headers_policy_id
  web_acl_id                      = var.web_acl_id
  comment                         = var.comment
  logging_bucket                  = var.logging_bucket
  logging_prefix                  = var.logging_prefix
  logging_include_cookies         = var.logging_include_cookies

  tags = var.tags
}
