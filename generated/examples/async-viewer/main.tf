provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "wallarm_connector" {
  source = "../../"
  providers = {
    aws = aws.us_east_1
  }

  wallarm_node_url    = var.wallarm_node_url
  wallarm_mode        = "async"
  trigger             = "viewer"
  memory_size         = 128
  timeout             = 5
  node_timeout_ms     = 1000
  create_distribution = true
  origin_domain_name  = var.origin_domain_name
  cache_policy_id     = "658327ea-f89d-4fab-a63d-7e88639e58f6"
}
