variable "environment" {
  description = "Which of deploy/capacity.yaml's environments this is (staging, production)"
  type        = string
}

variable "operator" {
  description = "The operator's inputs, described where they are declared (environments/shared/root.tf)"
  type = object({
    admin_cidrs            = list(string)
    api_certificate_arn    = string
    static_domain          = string
    static_certificate_arn = string
  })
}
