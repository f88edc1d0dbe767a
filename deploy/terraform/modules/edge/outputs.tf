output "load_balancer_dns_name" {
  value = aws_lb.api.dns_name
}

output "static_bucket" {
  value = aws_s3_bucket.static.id
}

output "static_distribution_domain" {
  value = aws_cloudfront_distribution.static.domain_name
}
