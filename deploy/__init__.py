"""Deployment artefacts (image, Kubernetes, Terraform, Compose) and the Python that renders the
Kustomize overlays for the offline checks in tests/deploy."""
