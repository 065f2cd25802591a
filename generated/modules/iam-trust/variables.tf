################################################################################
# Role
################################################################################

variable "name_prefix" {
  description = "The lambda-edge module's name_prefix: the role is <name_prefix>-edge unless name says otherwise."
  type        = string
  default     = "wallarm-connector"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,55}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 55 letters, digits, hyphens or underscores, for example \"wallarm-connector\" (Lambda function names are at most 64 characters)."
  }
}

variable "name" {
  description = "Name of the role; null means <name_prefix>-edge."
  type        = string
  default     = null

  validation {
    condition     = var.name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be null or 1 to 64 characters from letters, digits and +=,.@_- (IAM role names)."
  }
}

variable "path" {
  description = "Path of the role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([!-.0-~]+/)*$", var.path))
    error_message = "path must start and end with \"/\", such as \"/\" or \"/edge/\"."
  }
}

variable "description" {
  description = "Description of the role."
  type        = string
  default     = "Execution role of the Wallarm connector Lambda@Edge functions"

  validation {
    condition     = length(var.description) <= 1000 && can(regex("^[\t\n\r -~\\x{A1}-\\x{FF}]*$", var.description))
    error_message = "description must be at most 1000 characters of printable ASCII, Latin-1 letters and symbols, tabs and line breaks (IAM role descriptions)."
  }
}

variable "max_session_duration" {
  description = "Maximum session duration of the role, in seconds."
  type        = number
  default     = 3600

  validation {
    condition = (
      var.max_session_duration >= 3600 &&
      var.max_session_duration <= 43200 &&
      floor(var.max_session_duration) == var.max_session_duration
    )
    error_message = "max_session_duration must be a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)."
  }
}

variable "permissions_boundary" {
  description = "ARN of the policy used as the role's permissions boundary, or null for none."
  type        = string
  default     = null

  validation {
    condition = (
      var.permissions_boundary == null
      ? true
      : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", var.permissions_boundary))
    )
    error_message = "permissions_boundary must be an IAM policy ARN, such as arn:aws:iam::123456789012:policy/boundary."
  }
}

variable "policy_arns" {
  description = "Managed policy ARNs attached besides the log policy (X-Ray, KMS, ...); ARNs unknown at plan are fine."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for arn in var.policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", arn))
    ])
    error_message = "policy_arns must list IAM policy ARNs, such as arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess or arn:aws:iam::123456789012:policy/mine."
  }
}

################################################################################
# Functions
################################################################################

variable "function_names" {
  description = "Functions whose logs the role may write; null: <name_prefix>-request and <name_prefix>-response."
  type        = list(string)
  default     = null

  validation {
    condition = (
      var.function_names == null
      ? true
      : (
        length(var.function_names) > 0 &&
        alltrue([for name in var.function_names : can(regex("^[A-Za-z0-9_-]{1,64}$", name))])
      )
    )
    error_message = "function_names must be null or list at least one Lambda function name of 1 to 64 letters, digits, hyphens or underscores."
  }
}

################################################################################
# Tags
################################################################################

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([
      for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256
    ])
    error_message = "tags must have keys of 1 to 128 characters and values of at most 256 characters (IAM tag limits)."
  }
}
