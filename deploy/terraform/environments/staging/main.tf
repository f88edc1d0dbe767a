# The staging stack: the same modules as every environment, sized from deploy/capacity.yaml
# (environments.staging). Structure never differs between environments, only sizes,
# addresses and secrets. Commands in order: docs/guides/deploy-aws.md.

terraform {
  required_version = ">= 1.10" # S3 state locking without DynamoDB (use_lockfile)
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
  # bucket, key, region and use_lockfile come from backend.hcl at `terraform init`
  backend "s3" {}
}

locals {
  environment = "staging"
  capacity    = yamldecode(file("${path.module}/../../../capacity.yaml"))
  plan        = local.capacity.environments[local.environment]
  app         = local.capacity.app
  name        = "refarch-${local.environment}"
  tags        = { project = "refarch", environment = local.environment }

  # the spec's server URL and its getReadiness path (specs/openapi/operations/v1.yaml)
  api_path_prefix   = "/api/v1"
  health_check_path = "/api/v1/ready"
}

provider "aws" {
  region = local.capacity.region
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

module "secrets" {
  source = "../../modules/secrets"
  name   = local.name
}

module "network" {
  source           = "../../modules/network"
  name             = local.name
  vpc_cidr         = local.plan.vpc_cidr
  zones            = local.capacity.zones
  public_subnets   = local.plan.public_subnets
  private_subnets  = local.plan.private_subnets
  database_subnets = local.plan.database_subnets
  kms_key_arn      = module.secrets.kms_key_arn
}

module "cluster" {
  source             = "../../modules/cluster"
  name               = local.name
  kubernetes_version = local.capacity.kubernetes_version
  private_subnet_ids = module.network.private_subnet_ids
  node_instance_type = local.plan.node_instance_type
  nodes_min          = local.plan.nodes_min
  nodes_max          = local.plan.nodes_max
  admin_cidrs        = var.admin_cidrs
  kms_key_arn        = module.secrets.kms_key_arn
}

module "database" {
  source                   = "../../modules/database"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  database_subnet_ids      = module.network.database_subnet_ids
  app_security_group_id    = module.cluster.node_security_group_id
  postgresql_major         = local.capacity.postgresql_major
  instance_class           = local.plan.db_instance_class
  allocated_storage_gb     = local.plan.db_allocated_storage_gb
  max_allocated_storage_gb = local.plan.db_max_allocated_storage_gb
  backup_retention_days    = local.plan.db_backup_retention_days
  kms_key_arn              = module.secrets.kms_key_arn
}

module "edge" {
  source                 = "../../modules/edge"
  name                   = local.name
  vpc_id                 = module.network.vpc_id
  public_subnet_ids      = module.network.public_subnet_ids
  node_security_group_id = module.cluster.node_security_group_id
  node_autoscaling_group = module.cluster.node_group_autoscaling_group
  node_port              = local.app.node_port
  api_path_prefix        = local.api_path_prefix
  health_check_path      = local.health_check_path
  api_certificate_arn    = var.api_certificate_arn
  static_domain          = var.static_domain
  static_certificate_arn = var.static_certificate_arn
  kms_key_arn            = module.secrets.kms_key_arn
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}
