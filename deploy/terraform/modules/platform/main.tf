# The whole platform of one environment: the five layer modules wired together and sized
# from deploy/capacity.yaml (environments.<environment>). Every environment calls this one
# module, so their structure cannot differ, only their sizes, addresses and secrets.

locals {
  capacity = yamldecode(file("${path.module}/../../../capacity.yaml"))
  plan     = local.capacity.environments[var.environment]
  app      = local.capacity.app
  name     = "refarch-${var.environment}"

  # the spec's server URL and its getReadiness path (specs/openapi/operations/v1.yaml)
  api_path_prefix   = "/api/v1"
  health_check_path = "/api/v1/ready"
}

module "secrets" {
  source = "../secrets"
  name   = local.name
}

module "network" {
  source           = "../network"
  name             = local.name
  vpc_cidr         = local.plan.vpc_cidr
  zones            = local.capacity.zones
  public_subnets   = local.plan.public_subnets
  private_subnets  = local.plan.private_subnets
  database_subnets = local.plan.database_subnets
  kms_key_arn      = module.secrets.kms_key_arn
}

module "cluster" {
  source             = "../cluster"
  name               = local.name
  kubernetes_version = local.capacity.kubernetes_version
  private_subnet_ids = module.network.private_subnet_ids
  node_instance_type = local.plan.node_instance_type
  nodes_min          = local.plan.nodes_min
  nodes_max          = local.plan.nodes_max
  admin_cidrs        = var.operator.admin_cidrs
  kms_key_arn        = module.secrets.kms_key_arn
}

module "database" {
  source                   = "../database"
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
  source                 = "../edge"
  name                   = local.name
  vpc_id                 = module.network.vpc_id
  public_subnet_ids      = module.network.public_subnet_ids
  node_security_group_id = module.cluster.node_security_group_id
  node_autoscaling_group = module.cluster.node_group_autoscaling_group
  node_port              = local.app.node_port
  api_path_prefix        = local.api_path_prefix
  health_check_path      = local.health_check_path
  api_certificate_arn    = var.operator.api_certificate_arn
  static_domain          = var.operator.static_domain
  static_certificate_arn = var.operator.static_certificate_arn
  kms_key_arn            = module.secrets.kms_key_arn
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}
