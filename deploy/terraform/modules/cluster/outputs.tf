output "cluster_name" {
  value = aws_eks_cluster.this.name
}

# EKS puts the managed nodes in this group; the database and the load balancer rules
# refer to it.
output "node_security_group_id" {
  value = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "node_group_autoscaling_group" {
  value = aws_eks_node_group.app.resources[0].autoscaling_groups[0].name
}

output "image_repository_url" {
  value = aws_ecr_repository.app.repository_url
}
