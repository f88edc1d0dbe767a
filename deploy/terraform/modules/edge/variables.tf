variable "name" {
  description = "Prefix of every resource name, e.g. refarch-staging"
  type        = string
}

variable "vpc_id" {
  description = "The platform's VPC"
  type        = string
}

variable "public_subnet_ids" {
  description = "Where the load balancer lives, one subnet per zone"
  type        = list(string)
}

variable "node_security_group_id" {
  description = "The application nodes' security group"
  type        = string
}

variable "node_autoscaling_group" {
  description = "The node group's Auto Scaling group: the load balancer's targets"
  type        = string
}

variable "node_port" {
  description = "The application Service's NodePort (deploy/capacity.yaml, deploy/k8s/base/service.yaml)"
  type        = number
}

variable "api_path_prefix" {
  description = "The only path prefix forwarded to the application, e.g. /api/v1"
  type        = string
}

variable "health_check_path" {
  description = "The readiness operation's path (getReadiness in specs/openapi/operations)"
  type        = string
}

variable "api_certificate_arn" {
  description = "ACM certificate of the API's host name, in the stack's region"
  type        = string
}

variable "static_domain" {
  description = "Host name of the static content, e.g. static.staging.example.com"
  type        = string
}

variable "static_certificate_arn" {
  description = "ACM certificate of static_domain, in us-east-1 (CloudFront's rule)"
  type        = string
}

variable "waf_requests_per_5_minutes" {
  description = "Requests one client address may make in 5 minutes before WAF blocks it"
  type        = number
  default     = 2000
}

variable "kms_key_arn" {
  description = "Encrypts the WAF log group in the stack's region"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
