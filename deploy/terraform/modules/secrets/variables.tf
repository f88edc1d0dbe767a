variable "name" {
  description = "Prefix of every resource name, e.g. refarch-staging"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
