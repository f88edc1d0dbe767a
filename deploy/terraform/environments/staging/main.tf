# The staging stack: only what differs from the other environments, its name and its state
# (backend.hcl at `terraform init`, docs/guides/deploy-aws.md). Everything else is
# root.tf, a link to ../shared/root.tf; sizes and addresses come from
# deploy/capacity.yaml (environments.staging).

terraform {
  backend "s3" {}
}

locals {
  environment = "staging"
}
