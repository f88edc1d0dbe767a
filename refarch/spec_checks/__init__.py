"""``refarch specs check``: OpenAPI validity, project rules, requirements, SQL and database.

One module per check family; each check is a function returning ``Finding``s, and the
runner (``runner.run_checks``) runs them as phases for the CLI or for tests.
"""

from refarch.spec_checks.findings import CheckAborted, Finding
from refarch.spec_checks.runner import CheckOptions, PhaseResult, run_checks

__all__ = ["CheckAborted", "CheckOptions", "Finding", "PhaseResult", "run_checks"]
