locals {
  response_event_type = coalesce(var.response_event_type, "${trimsuffix(var.request_event_type, "-request")}-response")
  connector_associations = {
    (var.request_event_type) = {
      event_type   = var.request_event_type
      lambda_arn   = var.request_function_qualified_arn
      include_body = true
    }
    (local.response_event_type) = {
      event_type   = local.response_event_type
      lambda_arn   = var.response_function_qualified_arn
      include_body = false
    }
  }
  user_associations = {
    for event_type, association in var.associations : event_type => {
      event_type   = event_type
      lambda_arn   = association.lambda_arn
      include_body = association.include_body
    }
    if var.create
  }

  # Decided by a variable, never by whether the ARN is null: on a first deploy the ARN is unknown at
  # plan, and the map's keys must not be.
  response_associated = var.associate_response_function
  connector_event_types = (
    var.create
    ? compact([var.request_event_type, local.response_associated ? local.response_event_type : ""])
    : []
  )
  lambda_function_associations = merge(local.user_associations, {
    for event_type, association in local.connector_associations : event_type => association
    if contains(local.connector_event_types, event_type)
  })
}

resource "aws_cloudfront_distribution" "this" {
  count = var.create && var.create_distribution ? 1 : 0

  comment         = var.comment
  enabled         = true
  price_class     = var.price_class
  web_acl_id      = var.web_acl_id
  aliases         = var.aliases
  http_version    = "http2and3"
  is_ipv6_enabled = true

  default_cache_behavior {
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cache_policy_id            = var.cache_policy_id
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    origin_request_policy_id   = var.origin_request_policy_id
    response_headers_policy_id = var.response_headers_policy_id
    target_origin_id           = "origin"
    viewer_protocol_policy     = "redirect-to-https"

    dynamic "lambda_function_association" {
      for_each = local.lambda_function_associations

      content {
        event_type   = lambda_function_association.value.event_type
        lambda_arn   = lambda_function_association.value.lambda_arn
        include_body = lambda_function_association.value.include_body
      }
    }
  }

  origin {
    domain_name = var.origin_domain_name
    origin_id   = "origin"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = var.origin_protocol_policy
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn            = var.acm_certificate_arn
    cloudfront_default_certificate = var.acm_certificate_arn == null
    minimum_protocol_version       = var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
    ssl_support_method             = var.acm_certificate_arn == null ? null : "sni-only"
  }

  dynamic "logging_config" {
    for_each = var.logging_bucket == null ? [] : [1]

    content {
      bucket          = var.logging_bucket
      prefix          = var.logging_prefix
      include_cookies = var.logging_include_cookies
    }
  }

  tags = var.tags
}
