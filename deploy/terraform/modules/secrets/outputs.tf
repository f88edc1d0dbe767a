output "kms_key_arn" {
  value = aws_kms_key.platform.arn
}

output "app_secret_name" {
  value = aws_secretsmanager_secret.app.name
}
