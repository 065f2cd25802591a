################################################################################
# General
################################################################################

variable "create" {
  description = "Create the role, functions, log groups and distribution; false creates nothing and outputs null."
  type        = bool
  default     = true
}

################################################################################
# Node
################################################################################

variable "wallarm_node_url" {
  description = "URL of the Wallarm node, such as https://wallarm-node.example.com; its path prefixes every URI."
  type        = string

  validation {
    condition = (
      can(regex("^https://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", var.wallarm_node_url)) ||
      (
        var.allow_http_node_url &&
        can(regex("^http://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", var.wallarm_node_url))
      )
    )
    error_message = "wallarm_node_url must be an https:// URL without query, fragment or credentials, for example https://wallarm-node.example.com; http:// is accepted only with allow_http_node_url = true, which is meant for testing (traffic to the node is then unencrypted)."
  }
}

variable "node_urls_by_region" {
  description = "Nodes tried in order before wallarm_node_url, by the AWS region a function instance runs in."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([
      for region, urls in var.node_urls_by_region : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region))
    ])
    error_message = "node_urls_by_region must be keyed by AWS region names in lowercase, such as \"us-east-1\" or \"ap-northeast-1\": not so for ${join(", ", [for region, urls in var.node_urls_by_region : jsonencode(region) if !can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region))])}."
  }

  validation {
    condition = alltrue([
      for region, urls in var.node_urls_by_region : try(length(urls) >= 1 && length(urls) <= 3, false)
    ])
    error_message = "node_urls_by_region must list 1 to 3 node URLs for each region, in the order to try them, for example { \"eu-west-1\" = [\"https://wallarm-eu-1.example.com\", \"https://wallarm-eu-2.example.com\"] }: not so for ${join(", ", [for region, urls in var.node_urls_by_region : jsonencode(region) if !try(length(urls) >= 1 && length(urls) <= 3, false)])}."
  }

  validation {
    condition = alltrue([
      for region, urls in var.node_urls_by_region : alltrue([
        for url in coalesce(urls, []) : (
          can(regex("^https://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", url)) ||
          (var.allow_http_node_url && can(regex("^http://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", url)))
        )
      ])
    ])
    error_message = "node_urls_by_region must list https:// URLs without query, fragment or credentials, for example { \"eu-west-1\" = [\"https://wallarm-eu.example.com\"] }: not so for ${join(", ", [for region, urls in var.node_urls_by_region : jsonencode(region) if !alltrue([for url in coalesce(urls, []) : can(regex("^https://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", url)) || (var.allow_http_node_url && can(regex("^http://[^/?#@\\t\\n\\v\\f\\r ]+(/[^?#\\t\\n\\v\\f\\r ]*)?$", url)))])])}. http:// is accepted only with allow_http_node_url = true, which is meant for testing (traffic to the node is then unencrypted)."
  }
}

variable "node_timeout_ms" {
  description = "Milliseconds to wait for the node's verdict; at most the function timeout less 500 ms."
  type        = number
  default     = 1000

  validation {
    condition = (
      floor(var.node_timeout_ms) == var.node_timeout_ms &&
      var.node_timeout_ms >= 50 &&
      var.node_timeout_ms <= var.timeout * 1000 - 500
    )
    error_message = "node_timeout_ms must be a whole number from 50 to the function timeout less 500 ms, so the function can still answer after giving up on the node: with timeout = ${var.timeout} s that is at most ${var.timeout * 1000 - 500}."
  }
}

variable "node_ca_pem" {
  description = "PEM CA certificate(s), the only ones trusted for the node (pinning); null: the public roots."
  type        = string
  default     = null

  validation {
    condition     = var.node_ca_pem == null ? true : can(regex("-----BEGIN CERTIFICATE-----", var.node_ca_pem))
    error_message = "node_ca_pem must hold at least one PEM certificate (-----BEGIN CERTIFICATE----- ...)."
  }
}

variable "allow_http_node_url" {
  description = "Accept http:// in wallarm_node_url and node_urls_by_region. For tests only: traffic to the node is unencrypted."
  type        = bool
  default     = false
}

################################################################################
# Behaviour
################################################################################

variable "wallarm_mode" {
  description = "\"inline\" waits for the node's verdict and blocks what it blocks; \"async\" sends a copy only."
  type        = string
  default     = "inline"

  validation {
    condition     = contains(["inline", "async"], var.wallarm_mode)
    error_message = "wallarm_mode must be \"inline\" or \"async\"."
  }
}

variable "fail_open" {
  description = "When the node is unavailable: true passes the request, false answers 503."
  type        = bool
  default     = true
}

variable "refused_request_action" {
  description = "A request the live node refused or stalled on (400, 413, 414, 431, timeout): \"block\" or \"pass\"."
  type        = string
  default     = "block"

  validation {
    condition     = contains(["block", "pass"], var.refused_request_action)
    error_message = "refused_request_action must be \"block\" or \"pass\"."
  }
}

variable "truncated_body_action" {
  description = "A body CloudFront cut short (40 KB viewer, 1 MB origin): \"block\", or \"inspect\" the part received."
  type        = string
  default     = "block"

  validation {
    condition     = contains(["block", "inspect"], var.truncated_body_action)
    error_message = "truncated_body_action must be \"block\" or \"inspect\"."
  }
}

variable "circuit_breaker_threshold" {
  description = "Consecutive node failures that open the circuit breaker; refused requests never count. A whole number from 1 to 1000."
  type        = number
  default     = 5

  validation {
    condition = (
      floor(var.circuit_breaker_threshold) == var.circuit_breaker_threshold &&
      var.circuit_breaker_threshold >= 1 &&
      var.circuit_breaker_threshold <= 1000
    )
    error_message = "circuit_breaker_threshold must be a whole number from 1 to 1000."
  }
}

variable "circuit_breaker_cooldown_ms" {
  description = "Milliseconds an open breaker applies the fail policy before it tries the node again. A whole number from 100 to 300000."
  type        = number
  default     = 10000

  validation {
    condition = (
      floor(var.circuit_breaker_cooldown_ms) == var.circuit_breaker_cooldown_ms &&
      var.circuit_breaker_cooldown_ms >= 100 &&
      var.circuit_breaker_cooldown_ms <= 300000
    )
    error_message = "circuit_breaker_cooldown_ms must be a whole number from 100 to 300000."
  }
}

################################################################################
# Blocking page
################################################################################

variable "block_status_code" {
  description = "HTTP status of the blocking response. A whole number from 400 to 599."
  type        = number
  default     = 403

  validation {
    condition = (
      floor(var.block_status_code) == var.block_status_code &&
      var.block_status_code >= 400 &&
      var.block_status_code <= 599
    )
    error_message = "block_status_code must be a whole number from 400 to 599."
  }
}

variable "block_page_body" {
  description = "Body of the blocking response, within the trigger's response size limit; null: a built-in page."
  type        = string
  default     = null

  validation {
    condition = (
      var.block_page_body == null
      ? true
      : length(base64encode(var.block_page_body)) <= (var.trigger == "viewer" ? 52000 : 1396000)
    )
    error_message = "block_page_body is too large: the ${var.trigger} trigger allows at most ${var.trigger == "viewer" ? 39000 : 1047000} bytes (Lambda@Edge generated responses are limited to 40 KB for viewer and 1 MB for origin triggers)."
  }
}

variable "block_page_content_type" {
  description = "Content type of the blocking page."
  type        = string
  default     = "text/html; charset=utf-8"

  validation {
    condition     = can(regex("^[!-~][ -~]*$", var.block_page_content_type))
    error_message = "block_page_content_type must be a single-line media type such as \"text/html; charset=utf-8\"."
  }
}

################################################################################
# Request filters
################################################################################

variable "skip_extensions" {
  description = "File extensions (\"png\": no dot, any case) whose plain static requests skip the node."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for item in var.skip_extensions : can(regex("^[A-Za-z0-9]{1,16}$", item))])
    error_message = "skip_extensions must be a list of file extensions without the dot, 1 to 16 letters or digits each, for example [\"png\", \"css\"]."
  }
}

variable "skip_path_prefixes" {
  description = "Path prefixes (\"/static/\", case-sensitive) whose plain static requests skip the node."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for item in var.skip_path_prefixes : can(regex(
        "^/([A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*([A-Za-z0-9_~-][A-Za-z0-9._~-]*)?$",
        item,
      ))
    ])
    error_message = "skip_path_prefixes must be a list of path prefixes that start with \"/\" and whose segments are letters, digits and . _ ~ - without a leading dot (no empty segments), for example [\"/static/\", \"/health\"]."
  }
}

variable "skip_methods" {
  description = "HTTP methods (\"OPTIONS\") whose plain static requests skip the node."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for item in var.skip_methods : contains(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"], item)
    ])
    error_message = "skip_methods must be a list of HTTP methods in capitals, each one of GET, HEAD, OPTIONS, PUT, PATCH, POST or DELETE, for example [\"OPTIONS\"]."
  }
}

################################################################################
# Metrics
################################################################################

variable "metrics_enabled" {
  description = "Log CloudWatch metrics (embedded metric format): counts and node latency per event type."
  type        = bool
  default     = true
}

variable "metrics_interval_seconds" {
  description = "Seconds between two metric lines of one function instance. A whole number from 1 to 3600."
  type        = number
  default     = 60

  validation {
    condition = (
      floor(var.metrics_interval_seconds) == var.metrics_interval_seconds &&
      var.metrics_interval_seconds >= 1 &&
      var.metrics_interval_seconds <= 3600
    )
    error_message = "metrics_interval_seconds must be a whole number from 1 to 3600."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the metrics, not starting with \"AWS/\"."
  type        = string
  default     = "WallarmConnector"

  validation {
    condition     = can(regex("^[0-9A-Za-z._/#:-][0-9A-Za-z._/#: -]{0,254}$", var.metrics_namespace))
    error_message = "metrics_namespace must be 1 to 255 letters, digits, spaces and . _ / # : - characters, not starting with a space, for example \"WallarmConnector\"."
  }

  validation {
    condition     = !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must not start with \"AWS/\" (reserved by AWS)."
  }
}

################################################################################
# Functions
################################################################################

variable "trigger" {
  description = "Events the functions run on: \"origin\" (cache misses, 1 MB bodies) or \"viewer\" (every request, 40 KB bodies)."
  type        = string
  default     = "origin"

  validation {
    condition     = contains(["viewer", "origin"], var.trigger)
    error_message = "trigger must be \"viewer\" or \"origin\"."
  }
}

variable "name_prefix" {
  description = "Functions are named <name_prefix>-request and <name_prefix>-response."
  type        = string
  default     = "wallarm-connector"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,55}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 55 letters, digits, hyphens or underscores, for example \"wallarm-connector\" (Lambda function names are at most 64 characters)."
  }
}

variable "runtime" {
  description = "Node.js runtime of the functions."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs22.x", "nodejs20.x"], var.runtime)
    error_message = "runtime must be \"nodejs22.x\" or \"nodejs20.x\"."
  }
}

variable "memory_size" {
  description = "Memory of each function in MB: 128 for the viewer trigger, 128 to 10240 for origin."
  type        = number
  default     = 128

  validation {
    condition = (
      floor(var.memory_size) == var.memory_size &&
      var.memory_size >= 128 &&
      var.memory_size <= (var.trigger == "viewer" ? 128 : 10240)
    )
    error_message = "memory_size must be 128 for the viewer trigger and a whole number from 128 to 10240 for origin (Lambda@Edge limits)."
  }
}

variable "timeout" {
  description = "Function timeout in seconds: 1 to 5 for the viewer trigger, 1 to 30 for origin."
  type        = number
  default     = 5

  validation {
    condition = (
      floor(var.timeout) == var.timeout &&
      var.timeout >= 1 &&
      var.timeout <= (var.trigger == "viewer" ? 5 : 30)
    )
    error_message = "timeout must be a whole number of seconds from 1 to 5 for the viewer trigger and 1 to 30 for origin (Lambda@Edge limits)."
  }
}

variable "create_response_function" {
  description = "Create the response function, which reports each response's status and headers to the node."
  type        = bool
  default     = true
}

variable "skip_destroy" {
  description = "Leave the functions in AWS on destroy, only removing them from state: replicas take hours to go."
  type        = bool
  default     = false
}

################################################################################
# Logs
################################################################################

variable "log_retention_in_days" {
  description = "Days the us-east-1 log groups keep logs (0: forever); replicas' groups in other regions keep them forever."
  type        = number
  default     = 30

  validation {
    condition = contains(
      [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
      var.log_retention_in_days,
    )
    error_message = "log_retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 keeps logs forever)."
  }
}

variable "create_log_groups" {
  description = "Create the us-east-1 log groups; false uses existing ones, or lets Lambda create them without retention."
  type        = bool
  default     = true
}

variable "log_group_kms_key_id" {
  description = "ARN of a KMS key for the created log groups, allowing logs.us-east-1.amazonaws.com; null: AWS-owned key."
  type        = string
  default     = null

  validation {
    condition = (
      var.log_group_kms_key_id == null
      ? true
      : can(regex("^arn:aws[a-z-]*:kms:us-east-1:[0-9]{12}:key/[A-Za-z0-9-]+$", var.log_group_kms_key_id))
    )
    error_message = "log_group_kms_key_id must be null or the ARN of a KMS key in us-east-1 (where the log groups are), such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab; aliases are not accepted."
  }
}

variable "log_group_skip_destroy" {
  description = "Keep the created log groups on destroy; a later create needs create_log_groups = false or an import."
  type        = bool
  default     = false
}

################################################################################
# Packaging
################################################################################

variable "package_output_dir" {
  description = "Directory for the function zips, relative to the root module; null: .terraform/wallarm-connector."
  type        = string
  default     = null
}

################################################################################
# Role
################################################################################

variable "create_role" {
  description = "Create the execution role (iam-trust module). false uses role_arn."
  type        = bool
  default     = true
}

variable "role_arn" {
  description = "ARN of an existing execution role, used when create_role is false."
  type        = string
  default     = null

  validation {
    condition = (
      var.create && !var.create_role
      ? can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn))
      : true
    )
    error_message = "role_arn must be an IAM role ARN when create_role = false, such as arn:aws:iam::123456789012:role/wallarm-connector-edge."
  }

  validation {
    condition     = !var.create_role || var.role_arn == null
    error_message = "role_arn is set while create_role = true, which creates a new role and would ignore it: set create_role = false to use role_arn, or remove role_arn to let the module create the role."
  }
}

variable "role_name" {
  description = "Name of the created role; null: <name_prefix>-edge, one role per connector."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be null or 1 to 64 characters from letters, digits and +=,.@_- (IAM role names)."
  }
}

variable "role_path" {
  description = "Path of the role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([!-.0-~]+/)*$", var.role_path))
    error_message = "role_path must start and end with \"/\", such as \"/\" or \"/edge/\"."
  }
}

variable "role_description" {
  description = "Description of the role."
  type        = string
  default     = "Execution role of the Wallarm connector Lambda@Edge functions"

  validation {
    condition = (
      length(var.role_description) <= 1000 &&
      can(regex("^[\t\n\r -~\\x{A1}-\\x{FF}]*$", var.role_description))
    )
    error_message = "role_description must be at most 1000 characters of printable ASCII, Latin-1 letters and symbols, tabs and line breaks (IAM role descriptions)."
  }
}

variable "role_max_session_duration" {
  description = "Maximum session duration of the role, in seconds."
  type        = number
  default     = 3600

  validation {
    condition = (
      var.role_max_session_duration >= 3600 &&
      var.role_max_session_duration <= 43200 &&
      floor(var.role_max_session_duration) == var.role_max_session_duration
    )
    error_message = "role_max_session_duration must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of the policy used as the role's permissions boundary, or null for none."
  type        = string
  default     = null

  validation {
    condition = (
      var.role_permissions_boundary == null
      ? true
      : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", var.role_permissions_boundary))
    )
    error_message = "role_permissions_boundary must be an IAM policy ARN, such as arn:aws:iam::123456789012:policy/boundary."
  }
}

variable "role_policy_arns" {
  description = "Managed policy ARNs attached besides the log policy (X-Ray, KMS, ...); ARNs unknown at plan are fine."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for arn in var.role_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", arn))
    ])
    error_message = "role_policy_arns must list IAM policy ARNs, such as arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess or arn:aws:iam::123456789012:policy/mine."
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
    condition     = !contains(keys(var.associations), "${var.trigger}-request")
    error_message = "associations already has a function on ${var.trigger}-request, which the Wallarm connector uses (its request function): CloudFront allows one function per event type in a cache behavior. Move your function to a free event type or combine the two."
  }

  validation {
    condition     = contains(keys(var.associations), "${var.trigger}-response") ? !var.create_response_function : true
    error_message = "associations already has a function on ${var.trigger}-response, which the Wallarm connector uses (its response function): CloudFront allows one function per event type in a cache behavior. Move your function to a free event type or combine the two."
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
  description = "Tags for every resource that takes them."
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
