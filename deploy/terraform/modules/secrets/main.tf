# The platform's customer-managed KMS key (logs, database, secrets, Kubernetes secrets)
# and the Secrets Manager secret the application's Kubernetes Secret is made from.
# Values are never written by Terraform (they would sit in its state): the operator puts
# them in with `aws secretsmanager put-secret-value` (docs/guides/deploy-aws.md).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource means this key only; the account's administrators manage it, as AWS's default key policy does.
  #checkov:skip=CKV_AWS_356:A key policy's "*" resource means this key only.
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource means this key only; without the account statement the key could become unmanageable.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "platform" {
  description             = "${var.name}: logs, database, secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "platform" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.platform.key_id
}

# JSON with the keys of the Kubernetes Secret `refarch-app`: database-url,
# token-signing-key, admin-email, admin-password, smtp-url.
resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:The signing key and admin password are rotated by hand (security chapter, key rotation); an automatic rotation Lambda would have to restart every pod in step.
  name                    = "${var.name}/app"
  description             = "Environment of the refarch application pods"
  kms_key_id              = aws_kms_key.platform.arn
  recovery_window_in_days = 30
  tags                    = var.tags
}
