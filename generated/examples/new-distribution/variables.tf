variable "wallarm_node_url" {
  description = "URL of your Wallarm filtering node (https)."
  type        = string
}

variable "origin_domain_name" {
  description = "Domain name of your API, such as api.example.com."
  type        = string
}
