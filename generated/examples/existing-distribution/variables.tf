variable "wallarm_node_url" {
  description = "URL of your Wallarm filtering node (https)."
  type        = string
}

variable "distribution_id" {
  description = "ID of the existing distribution (E2ABCDEF123456) to import into aws_cloudfront_distribution.this."
  type        = string
}

variable "origin_domain_name" {
  description = "Domain name of the distribution's origin."
  type        = string
}

variable "region" {
  description = "Region of your other resources. The connector's functions are always created in us-east-1."
  type        = string
  default     = "eu-west-1"
}
