variable "name" {
  description = "Prefix of every resource name, e.g. refarch-staging"
  type        = string
}

variable "vpc_cidr" {
  description = "The VPC's address range (deploy/capacity.yaml)"
  type        = string
}

variable "zones" {
  description = "Three Availability Zones"
  type        = list(string)
}

variable "public_subnets" {
  description = "One range per zone: load balancer and NAT gateways"
  type        = list(string)
}

variable "private_subnets" {
  description = "One range per zone: the cluster's nodes and pods"
  type        = list(string)
}

variable "database_subnets" {
  description = "One range per zone: RDS only, no route to the internet"
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Encrypts the flow-log group"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
