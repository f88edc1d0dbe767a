variable "environment" {
  description = "Which of deploy/capacity.yaml's environments this is (staging, production)"
  type        = string
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
