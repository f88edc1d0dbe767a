"""The kept-account store: what the budget counts and what a later run can read back."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from refarch.conformance import kept_accounts
from refarch.conformance.actors import Actor
from refarch.conformance.budget import KEPT_ACCOUNTS, REPEAT_RUN_BUDGET, RUN_BUDGET


def test_the_budget_counts_every_kept_role() -> None:
    assert len(kept_accounts.KEPT_ROLES) == KEPT_ACCOUNTS
    assert RUN_BUDGET.registrations == REPEAT_RUN_BUDGET.registrations + KEPT_ACCOUNTS
    # a first run and two repeats fit the reference's default of 30 per address and window
    assert RUN_BUDGET.registrations + 2 * REPEAT_RUN_BUDGET.registrations <= 30


def test_a_stored_account_reads_back_and_only_its_owner_can_read_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kept_accounts._store("alice", Actor("a@example.com", "secret-passphrase", "id-1", "t", "r"))
    assert kept_accounts._load() == {
        "alice": {"email": "a@example.com", "password": "secret-passphrase", "user_id": "id-1"}
    }
    mode = stat.S_IMODE((tmp_path / kept_accounts.KEPT_ACCOUNTS_FILE).stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("content", ["not json", "[1, 2]"], ids=["broken", "not-an-object"])
def test_a_broken_store_means_registering_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / kept_accounts.KEPT_ACCOUNTS_FILE).write_text(content, encoding="utf-8")
    assert kept_accounts._load() == {}


def test_only_a_kept_role_is_kept() -> None:
    with pytest.raises(ValueError, match="not a kept role"):
        kept_accounts.kept_user(None, None, "mallory")  # type: ignore[arg-type]
