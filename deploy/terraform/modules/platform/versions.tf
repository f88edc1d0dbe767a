terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # passed on to the edge module: CloudFront's certificate and web ACL live in us-east-1
      configuration_aliases = [aws.us_east_1]
    }
  }
}
