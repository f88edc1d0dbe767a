"""SQL1xx: a migration applied while v1 is served only expands the schema v1 reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from refarch.spec_checks.expand_only import RULES, check_expand_only
from refarch.spec_checks.layout import SpecLayout

SQL = Path(__file__).resolve().parent / "fixtures" / "sql"


def _findings(tmp_path: Path, second: Path) -> list[tuple[str, int]]:
    service = tmp_path / "sql" / "shop"
    service.mkdir(parents=True)
    shutil.copyfile(SQL / "V001__init.sql", service / "V001__init.sql")
    shutil.copyfile(second, service / "V002__change.sql")
    return [(f.rule, f.line) for f in check_expand_only(SpecLayout(tmp_path, "v1"))]


@pytest.mark.parametrize(
    "migration", sorted((SQL / "breaking").glob("*.sql")), ids=lambda p: p.stem
)
def test_a_contracting_migration_is_reported_with_its_rule_on_its_line(
    tmp_path: Path, migration: Path
) -> None:
    expected_rule = migration.stem.split("__")[0]

    assert _findings(tmp_path, migration) == [(expected_rule, 2)]


@pytest.mark.parametrize(
    "migration", sorted((SQL / "expanding").glob("*.sql")), ids=lambda p: p.stem
)
def test_an_expanding_migration_passes(tmp_path: Path, migration: Path) -> None:
    assert _findings(tmp_path, migration) == []


def test_the_first_migration_of_a_service_may_build_anything(tmp_path: Path) -> None:
    service = tmp_path / "sql" / "shop"
    service.mkdir(parents=True)
    text = (SQL / "V001__init.sql").read_text(encoding="utf-8")
    (service / "V001__init.sql").write_text(
        text + "\nALTER TABLE shop.orders DROP COLUMN note;\n", encoding="utf-8"
    )

    assert check_expand_only(SpecLayout(tmp_path, "v1")) == []


def test_every_rule_has_a_breaking_fixture() -> None:
    covered = {path.stem.split("__")[0] for path in (SQL / "breaking").glob("*.sql")}

    assert covered == set(RULES)


def test_the_published_migrations_are_expand_only() -> None:
    repo_specs = Path(__file__).resolve().parents[2] / "specs"

    assert check_expand_only(SpecLayout(repo_specs, "v1")) == []
