variable "wallarm_node_url" {
  description = "URL of your Wallarm filtering node (https)."
  type        = string
}

variable "origin_domain_name" {
  description = "Domain name of your site or API."
  type        = string
}
