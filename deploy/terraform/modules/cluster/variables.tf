variable "name" {
  description = "Prefix of every resource name, e.g. refarch-staging"
  type        = string
}

variable "kubernetes_version" {
  description = "EKS version; the manifests are validated against the same (deploy/capacity.yaml)"
  type        = string
}

variable "private_subnet_ids" {
  description = "Where the nodes run, one subnet per zone"
  type        = list(string)
}

variable "node_instance_type" {
  description = "EC2 instance type of the nodes (deploy/capacity.yaml)"
  type        = string
}

variable "nodes_min" {
  description = "Fewest nodes: at least one per zone"
  type        = number
}

variable "nodes_max" {
  description = "Most nodes; enough for the autoscaler's maximum pods"
  type        = number
}

variable "admin_cidrs" {
  description = "Addresses allowed to reach the Kubernetes API endpoint"
  type        = list(string)
  validation {
    condition     = length(var.admin_cidrs) > 0 && !contains(var.admin_cidrs, "0.0.0.0/0")
    error_message = "List the operators' addresses; the Kubernetes API must not be open to 0.0.0.0/0."
  }
}

variable "kms_key_arn" {
  description = "Encrypts Kubernetes secrets, node volumes and the image registry"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
