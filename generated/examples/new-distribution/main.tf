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
  wallarm_mode        = "inline"
  trigger             = "origin"
  create_distribution = true
  origin_domain_name  = var.origin_domain_name

  tags = {
    Project = "wallarm-connector-example"
  }
}
