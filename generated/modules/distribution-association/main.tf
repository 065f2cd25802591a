locals {
  connector_associations = {
    (var.request_event_type) = {
      event_type   = var.request_event_type
      lambda_arn   = var.request_function_qualified_arn
      include_body = true
    }
    (var.response_event_type) = {
      event_type   = var.response_event_type
      lambda_arn   = var.response_function_qualified_arn
      include_body = false
    }
  }
  user_associations            = { for event_type, association in var.associations : event_type => { event_type = event_type, lambda_arn = association.lambda_arn, include_body = association.include_body } }
  response_associated          = (var.associate_response_function != null ? var.associate_response_function : var.response_function_qualified_arn != null)
  lambda_function_associations = merge(local.user_associations, { for event_type, association in local.connector_associations : event_type => association if event_type == var.request_event_type || local.response_associated })
}

resource "aws_cloudfront_distribution" "this" {
  count = var.create_distribution ? 1 : 0

  comment         = var.comment
  enabled         = true
  price_class     = var.price_class
  aliases         = var.aliases
  http_version    = "http2and3"
  is_ipv6_enabled = true

  default_cache_behavior {
    allowed_methods          = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cache_policy_id          = var.cache_policy_id
    cached_methods           = ["GET", "HEAD"]
    compress                 = true
    origin_request_policy_id = var.origin_request_policy_id
    target_origin_id         = "origin"
    viewer_protocol_policy   = "redirect-to-https"

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

  tags = var.tags
}
