################################################################################
# General
################################################################################

variable "create" {
  description = "false creates nothing and returns an empty association map (for a connector switched off with count-free code)."
  type        = bool
  default     = true
  nullable    = false
}

################################################################################
# Functions
################################################################################

variable "request_function_qualified_arn" {
  description = "Qualified ARN (published version) of the connector's request function (may be null when create is false)."
  type        = string

  validation {
    condition = (
      var.create
      ? can(regex(
        "^arn:aws[a-z-]*:lambda:us-east-1:[0-9]{12}:function:[A-Za-z0-9_-]+:[0-9]+$",
        var.request_function_qualified_arn,
      ))
      : true
    )
    error_message = "request_function_qualified_arn must be the ARN of a published version in us-east-1 (arn:aws:lambda:us-east-1:<account>:function:<name>:<number>); CloudFront rejects $LATEST and aliases."
  }
}

variable "response_function_qualified_arn" {
  description = "Qualified ARN of the connector's response function, or null when it is not deployed."
  type        = string
  default     = null

  validation {
    condition = (
      var.response_function_qualified_arn == null
      ? true
      : can(regex(
        "^arn:aws[a-z-]*:lambda:us-east-1:[0-9]{12}:function:[A-Za-z0-9_-]+:[0-9]+$",
        var.response_function_qualified_arn,
      ))
    )
    error_message = "response_function_qualified_arn must be null or the ARN of a published version in us-east-1 (arn:aws:lambda:us-east-1:<account>:function:<name>:<number>)."
  }

  validation {
    condition     = var.create && var.associate_response_function ? var.response_function_qualified_arn != null : true
    error_message = "response_function_qualified_arn is null while associate_response_function is true (the default), which associates the response function on ${coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response")}: pass the response function's ARN, or set associate_response_function = false when there is none (as the lambda-edge module's create_response_function = false)."
  }
}

variable "associate_response_function" {
  description = "Associate the response function (the lambda-edge module's create_response_function); false leaves its event free."
  type        = bool
  default     = true
  nullable    = false
}

variable "request_event_type" {
  description = "Event of the request function: \"origin-request\" or \"viewer-request\" (the lambda-edge module's trigger)."
  type        = string
  default     = "origin-request"

  validation {
    condition     = contains(["viewer-request", "origin-request"], var.request_event_type)
    error_message = "request_event_type must be \"viewer-request\" or \"origin-request\"."
  }
}

variable "response_event_type" {
  description = "Event of the response function: \"origin-response\" or \"viewer-response\", paired with request_event_type; null means the pair of request_event_type."
  type        = string
  default     = null

  validation {
    condition = (
      var.response_event_type == null
      ? true
      : contains(["viewer-response", "origin-response"], var.response_event_type)
    )
    error_message = "response_event_type must be null, \"viewer-response\" or \"origin-response\"."
  }

  validation {
    condition = (
      var.response_event_type == null
      ? true
      : trimsuffix(var.response_event_type, "-response") == trimsuffix(var.request_event_type, "-request")
    )
    error_message = "response_event_type ${coalesce(var.response_event_type, "null")} does not pair with request_event_type ${var.request_event_type}: use viewer-request with viewer-response, or origin-request with origin-response, so both functions see the same requests (or leave response_event_type = null to get the pair)."
  }
}

variable "trigger" {
  description = "The functions' trigger, \"viewer\" or \"origin\": the event types must be its events; null skips the check."
  type        = string
  default     = null

  validation {
    condition     = var.trigger == null ? true : contains(["viewer", "origin"], var.trigger)
    error_message = "trigger must be null, \"viewer\" or \"origin\"."
  }

  validation {
    condition = (
      var.trigger == null
      ? true
      : (
        trimsuffix(var.request_event_type, "-request") == var.trigger &&
        trimsuffix(
          coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response"),
          "-response",
        ) == var.trigger
      )
    )
    error_message = "The functions were built for trigger = \"${coalesce(var.trigger, "null")}\", so they must be associated on ${coalesce(var.trigger, "null")}-request and ${coalesce(var.trigger, "null")}-response, not ${var.request_event_type} and ${coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response")}: set request_event_type = \"${coalesce(var.trigger, "null")}-request\" and response_event_type = \"${coalesce(var.trigger, "null")}-response\" (or null), or build the functions with the other trigger."
  }
}

################################################################################
# Associations
################################################################################

variable "associations" {
  description = "Your own Lambda@Edge associations on the same cache behavior, keyed by event type (the terraform-aws-modules/cloudfront shape). They are merged with the connector's."
  type = map(object({
    event_type   = optional(string)
    lambda_arn   = string
    include_body = optional(bool, false)
  }))
  default = {}

  validation {
    condition = alltrue([
      for event_type, association in var.associations : (
        contains(["viewer-request", "viewer-response", "origin-request", "origin-response"], event_type) &&
        (association.event_type == null || association.event_type == event_type)
      )
    ])
    error_message = "associations must be keyed by event type (viewer-request, viewer-response, origin-request, origin-response), and an association's event_type, when set, must equal its key; not so for ${join(", ", [for event_type, association in var.associations : association.event_type == null || association.event_type == event_type ? event_type : "${event_type} (event_type = ${association.event_type})" if !contains(["viewer-request", "viewer-response", "origin-request", "origin-response"], event_type) || (association.event_type != null && association.event_type != event_type)])}."
  }

  validation {
    condition = alltrue([
      for association in values(var.associations) : can(regex(
        "^arn:aws[a-z-]*:lambda:us-east-1:[0-9]{12}:function:[A-Za-z0-9_-]+:[0-9]+$",
        association.lambda_arn,
      ))
    ])
    error_message = "Every lambda_arn in associations must be the ARN of a published version in us-east-1; CloudFront rejects $LATEST and aliases."
  }

  validation {
    condition     = !contains(keys(var.associations), var.request_event_type)
    error_message = "associations already has a function on ${var.request_event_type}, which the Wallarm connector uses (its request function): CloudFront allows one function per event type in a cache behavior. Move your function to a free event type or combine the two."
  }

  validation {
    condition = (
      contains(
        keys(var.associations),
        coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response"),
      )
      ? !var.associate_response_function
      : true
    )
    error_message = "associations already has a function on ${coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response")}, which the Wallarm connector uses (its response function): CloudFront allows one function per event type in a cache behavior. Move your function to a free event type or combine the two."
  }
}

################################################################################
# Distribution
################################################################################

variable "create_distribution" {
  description = "Create a CloudFront distribution with one custom origin whose default cache behavior carries the associations."
  type        = bool
  default     = false
}

variable "origin_domain_name" {
  description = "Domain name of the origin (your API), required when create_distribution is true."
  type        = string
  default     = null

  validation {
    condition     = !var.create_distribution || var.origin_domain_name != null
    error_message = "origin_domain_name is required when create_distribution = true, for example api.example.com."
  }

  validation {
    condition = (
      var.origin_domain_name == null
      ? true
      : (
        length(var.origin_domain_name) <= 253 &&
        can(regex(
          "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
          var.origin_domain_name,
        ))
      )
    )
    error_message = "origin_domain_name must be a host name such as api.example.com, without scheme, port or path; got \"${coalesce(var.origin_domain_name, "null")}\". Set the protocol with origin_protocol_policy."
  }
}

variable "origin_protocol_policy" {
  description = "How CloudFront connects to the origin: https-only, http-only or match-viewer."
  type        = string
  default     = "https-only"

  validation {
    condition     = contains(["https-only", "http-only", "match-viewer"], var.origin_protocol_policy)
    error_message = "origin_protocol_policy must be \"https-only\", \"http-only\" or \"match-viewer\"."
  }
}

variable "aliases" {
  description = "Alternate domain names of the distribution; they need acm_certificate_arn."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.aliases) == 0 || var.acm_certificate_arn != null
    error_message = "aliases (${join(", ", var.aliases)}) need acm_certificate_arn: set acm_certificate_arn to an ACM certificate in us-east-1 that covers them, or leave aliases = [] to serve only the *.cloudfront.net name."
  }
}

variable "acm_certificate_arn" {
  description = "ARN of an ACM certificate in us-east-1 for the aliases; null uses the *.cloudfront.net certificate."
  type        = string
  default     = null

  validation {
    condition = (
      var.acm_certificate_arn == null
      ? true
      : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.acm_certificate_arn))
    )
    error_message = "acm_certificate_arn must be null or the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>); CloudFront takes certificates only from us-east-1."
  }
}

variable "price_class" {
  description = "Price class of the distribution."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be \"PriceClass_All\", \"PriceClass_200\" or \"PriceClass_100\"."
  }
}

variable "cache_policy_id" {
  description = "Cache policy of the default cache behavior; the default is the managed CachingDisabled policy, right for APIs."
  type        = string
  default     = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.cache_policy_id))
    error_message = "cache_policy_id must be the ID of a CloudFront cache policy, a UUID such as 4135ea2d-6df8-44a3-9df3-4b5a84be39ad."
  }
}

variable "origin_request_policy_id" {
  description = "Origin request policy; the default is the managed AllViewerExceptHostHeader policy."
  type        = string
  default     = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  validation {
    condition = can(regex(
      "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
      var.origin_request_policy_id,
    ))
    error_message = "origin_request_policy_id must be the ID of a CloudFront origin request policy, a UUID such as 4135ea2d-6df8-44a3-9df3-4b5a84be39ad."
  }
}

variable "response_headers_policy_id" {
  description = "Response headers policy of the default cache behavior (for example the managed SecurityHeadersPolicy), or null for none."
  type        = string
  default     = null

  validation {
    condition = (
      var.response_headers_policy_id == null
      ? true
      : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.response_headers_policy_id))
    )
    error_message = "response_headers_policy_id must be null or the ID of a CloudFront response headers policy, a UUID such as 4135ea2d-6df8-44a3-9df3-4b5a84be39ad."
  }
}

variable "web_acl_id" {
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT) to protect the distribution with, or null for none."
  type        = string
  default     = null

  validation {
    condition = (
      var.web_acl_id == null
      ? true
      : can(regex(
        "^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[A-Za-z0-9_-]{1,128}/[a-f0-9-]{36}$",
        var.web_acl_id,
      ))
    )
    error_message = "web_acl_id must be null or the ARN of a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>); regional web ACLs and WAF Classic IDs do not apply to CloudFront."
  }
}

variable "comment" {
  description = "Comment of the distribution."
  type        = string
  default     = "Wallarm connector"

  validation {
    condition     = length(var.comment) <= 128
    error_message = "comment must be at most 128 characters (CloudFront's limit)."
  }
}

################################################################################
# Logging
################################################################################

variable "logging_bucket" {
  description = "bucket_domain_name of the S3 bucket (ACLs enabled) for CloudFront access logs; null: no access logs."
  type        = string
  default     = null

  validation {
    condition = (
      var.logging_bucket == null
      ? true
      : can(regex(
        "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9][.]s3([.][a-z0-9-]+)?[.]amazonaws[.]com([.]cn)?$",
        var.logging_bucket,
      ))
    )
    error_message = "logging_bucket must be null or an S3 bucket's domain name such as my-logs.s3.amazonaws.com, not a bucket name or ARN; got \"${coalesce(var.logging_bucket, "null")}\"."
  }
}

variable "logging_prefix" {
  description = "Prefix of the access log object names, such as cloudfront/; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.logging_prefix == null ? true : var.logging_bucket != null
    error_message = "logging_prefix needs logging_bucket: set logging_bucket to the log bucket's domain name, or leave logging_prefix = null."
  }
}

variable "logging_include_cookies" {
  description = "Include cookies in the access logs."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = var.logging_include_cookies ? var.logging_bucket != null : true
    error_message = "logging_include_cookies = true needs logging_bucket: set logging_bucket to the log bucket's domain name, or leave logging_include_cookies = false."
  }
}

################################################################################
# Tags
################################################################################

variable "tags" {
  description = "Tags for the distribution."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([
      for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256
    ])
    error_message = "tags must have keys of 1 to 128 characters and values of at most 256 characters (AWS tag limits)."
  }
}
