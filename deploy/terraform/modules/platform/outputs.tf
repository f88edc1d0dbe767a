# What the deployment guide reads after apply, as one object: the environment's root
# turns each into an output of its own for `terraform output -raw`.
output "handles" {
  value = {
    cluster_name               = module.cluster.cluster_name
    image_repository_url       = module.cluster.image_repository_url
    database_endpoint          = module.database.endpoint
    database_master_secret_arn = module.database.master_user_secret_arn
    app_secret_name            = module.secrets.app_secret_name
    load_balancer_dns_name     = module.edge.load_balancer_dns_name
    static_distribution_domain = module.edge.static_distribution_domain
  }
}
