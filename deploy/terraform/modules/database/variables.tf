variable "name" {
  description = "Prefix of every resource name, e.g. refarch-staging"
  type        = string
}

variable "vpc_id" {
  description = "The platform's VPC"
  type        = string
}

variable "database_subnet_ids" {
  description = "The database subnets, one per zone"
  type        = list(string)
}

variable "app_security_group_id" {
  description = "The security group of the application nodes, the only clients"
  type        = string
}

variable "postgresql_major" {
  description = "PostgreSQL major version (deploy/capacity.yaml)"
  type        = string
}

variable "instance_class" {
  description = "RDS instance class (deploy/capacity.yaml)"
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial storage"
  type        = number
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling"
  type        = number
}

variable "backup_retention_days" {
  description = "Point-in-time recovery window"
  type        = number
}

variable "kms_key_arn" {
  description = "Encrypts storage, Performance Insights and the master password secret"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
