variable "wallarm_node_url" {
  description = "URL of your Wallarm filtering node (https)."
  type        = string
}

variable "origin_domain_name" {
  description = "Domain name of your site or API."
  type        = string
}

variable "region" {
  description = "Region of your other resources. The connector's functions are always created in us-east-1."
  type        = string
  default     = "eu-west-1"
}
