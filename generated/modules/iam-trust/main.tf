data "aws_partition" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    effect  = "Allow"
    sid     = "LambdaAndLambdaAtEdge"

    principals {
      identifiers = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
      type        = "Service"
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    effect    = "Allow"
    resources = flatten([for name in var.function_names : ["arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${name}", "arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${name}:*"]])
    sid       = "WriteOwnEdgeLogs"
  }
}

resource "aws_iam_role" "this" {
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  description          = "Execution role of the Wallarm connector Lambda@Edge functions"
  name                 = var.name
  path                 = var.path
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "logs" {
  name   = "lambda-edge-logs"
  policy = data.aws_iam_policy_document.logs.json
  role   = aws_iam_role.this.id
}
