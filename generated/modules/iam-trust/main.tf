locals {
  function_names = (
    var.function_names != null
    ? var.function_names
    : ["${var.name_prefix}-request", "${var.name_prefix}-response"]
  )
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "LambdaAndLambdaAtEdge"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid     = "WriteOwnEdgeLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = flatten([
      for name in local.function_names : [
        "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${name}",
        "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${name}:*",
      ]
    ])
  }
}

resource "aws_iam_role" "this" {
  name                 = coalesce(var.name, "${var.name_prefix}-edge")
  description          = var.description
  path                 = var.path
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = var.permissions_boundary
  max_session_duration = var.max_session_duration

  tags = var.tags
}

# Follows the role's create_before_destroy: on a rename the old role keeps its log rights until the
# old functions are gone (role_arn depends on this policy).
resource "aws_iam_role_policy" "logs" {
  name   = "lambda-edge-logs"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.logs.json

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role_policy_attachment" "additional" {
  count = length(var.policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = var.policy_arns[count.index]
}
