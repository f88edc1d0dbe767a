output "cluster_name" {
  value = module.cluster.cluster_name
}

output "image_repository_url" {
  value = module.cluster.image_repository_url
}

output "database_endpoint" {
  value = module.database.endpoint
}

output "database_master_secret_arn" {
  value = module.database.master_user_secret_arn
}

output "app_secret_name" {
  value = module.secrets.app_secret_name
}

output "load_balancer_dns_name" {
  value = module.edge.load_balancer_dns_name
}

output "static_distribution_domain" {
  value = module.edge.static_distribution_domain
}
