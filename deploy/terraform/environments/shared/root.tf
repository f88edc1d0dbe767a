# What every environment's root has in common, kept once: each environments/<env>/root.tf
# is a link to this file, and environments/<env>/main.tf adds only what must differ (the
# environment's name; its state comes from its backend.hcl). The providers live here, in
# the root, because a module called by others must not configure its own.

terraform {
  required_version = ">= 1.10" # S3 state locking without DynamoDB (use_lockfile)
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

variable "admin_cidrs" {
  description = "Addresses (CIDR) allowed to reach the Kubernetes API endpoint"
  type        = list(string)
}

variable "api_certificate_arn" {
  description = "ACM certificate for the API host name, in the stack's region"
  type        = string
}

variable "static_domain" {
  description = "Host name of the static content"
  type        = string
}

variable "static_certificate_arn" {
  description = "ACM certificate for static_domain, in us-east-1"
  type        = string
}

locals {
  region = yamldecode(file("${path.module}/../../../capacity.yaml")).region
  tags   = { project = "refarch", environment = local.environment }
}

provider "aws" {
  region = local.region
  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = local.tags
  }
}

module "platform" {
  source      = "../../modules/platform"
  environment = local.environment
  operator = {
    admin_cidrs            = var.admin_cidrs
    api_certificate_arn    = var.api_certificate_arn
    static_domain          = var.static_domain
    static_certificate_arn = var.static_certificate_arn
  }
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}

# the values the deployment guide reads with `terraform output -raw`
output "cluster_name" {
  value = module.platform.handles.cluster_name
}

output "image_repository_url" {
  value = module.platform.handles.image_repository_url
}

output "database_endpoint" {
  value = module.platform.handles.database_endpoint
}

output "database_master_secret_arn" {
  value = module.platform.handles.database_master_secret_arn
}

output "app_secret_name" {
  value = module.platform.handles.app_secret_name
}

output "load_balancer_dns_name" {
  value = module.platform.handles.load_balancer_dns_name
}

output "static_distribution_domain" {
  value = module.platform.handles.static_distribution_domain
}
