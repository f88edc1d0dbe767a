"""Operational endpoints: liveness and readiness (platform-owned, bound by operationId)."""
