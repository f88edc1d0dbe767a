"""One mutant end to end, as ``make mutation`` runs it: a fresh database, a server on the
mutated copy, the quick suite stopping at its first failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutation.mutants import enumerate_mutants
from mutation.runner import run_mutant
from mutation.workspace import Workspace
from tests.support.postgres import TestPostgres

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

#: ``if account is None or not verify(...)`` -> ``and``: a wrong password logs in. The suite
#: must notice within its first tests (AUTH-014 refuses a wrong password with 401).
WRONG_PASSWORD_LOGS_IN = "reference_impl/users/service.py::login::f960cfeddf"


class _Databases:
    def __init__(self, postgres: TestPostgres) -> None:
        self.postgres = postgres

    def fresh(self) -> str:
        return self.postgres.fresh_database()

    def drop(self, url: str) -> None:
        self.postgres.drop(url)


def test_a_mutant_that_lets_a_wrong_password_in_is_killed(
    postgres: TestPostgres, tmp_path: Path
) -> None:
    mutants = {m.id: m for m in enumerate_mutants(REPO, ["reference_impl/users/service.py"])}
    mutant = mutants[WRONG_PASSWORD_LOGS_IN]
    assert "+" in mutant.diff and " and " in mutant.diff
    workspace = Workspace(REPO, tmp_path / "src")
    outcome = run_mutant(mutant, workspace, _Databases(postgres), tmp_path / "run", timeout=240)
    assert outcome.status == "killed", outcome.detail
    assert "AUTH-014" in outcome.failed_requirements, outcome.detail
    # the copy is back to the original once the mutant has run
    assert workspace.module(mutant.path).read_text() == (REPO / mutant.path).read_text()
