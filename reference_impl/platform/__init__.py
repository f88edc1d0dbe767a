"""Gateway and framework concerns: spec-driven routing, validation, auth, problem+json, middleware."""
