"""The mutation harness's own parts, without a server: which mutants exist, their ids, the
copy they are written into, the triage file and the score (``make mutation`` runs them all)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mutation.mutants import MODULES, enumerate_mutants
from mutation.report import Result, score
from mutation.runner import Outcome
from mutation.triage import TRIAGE_FILE, Triage, TriageError, load_triage
from mutation.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

SOURCE = """from __future__ import annotations


def pick(flags: int | None, mask: int) -> int | None:
    if flags is None:
        return None
    return flags | mask
"""


def _module(tmp_path: Path, source: str = SOURCE) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(source)
    return tmp_path


def test_annotations_are_not_mutated_but_the_same_operator_in_code_is(tmp_path: Path) -> None:
    mutants = enumerate_mutants(_module(tmp_path), ["pkg/mod.py"])
    bit_or = [m for m in mutants if m.operator.endswith("BitOr_BitAnd")]
    assert [m.diff for m in bit_or] == ["-    return flags | mask\n+    return flags & mask"]
    assert all(m.definition == "pick" for m in mutants)


def test_ids_survive_an_edit_elsewhere_in_the_file(tmp_path: Path) -> None:
    before = {m.id for m in enumerate_mutants(_module(tmp_path), ["pkg/mod.py"])}
    edited = tmp_path / "pkg" / "mod.py"
    edited.write_text(SOURCE.replace("from __future__", "# a comment\n\nfrom __future__"))
    after = enumerate_mutants(tmp_path, ["pkg/mod.py"])
    assert {m.id for m in after} == before
    assert len(before) == len(after) == 3  # `is` -> `is not`, `not (...)`, `|` -> `&`


def test_a_mutant_is_written_into_the_copy_only_and_reverted(tmp_path: Path) -> None:
    mutant = enumerate_mutants(REPO, ["reference_impl/orders/domain.py"])[0]
    original = (REPO / mutant.path).read_text()
    workspace = Workspace(REPO, tmp_path / "src")
    copy = workspace.module(mutant.path)
    assert copy.read_text() == original and not copy.is_symlink()
    with workspace.applied(mutant) as mutated:
        assert copy.read_text() == mutated != original
        removed = [line[1:] for line in mutant.diff.splitlines() if line.startswith("-")]
        assert any(line and line not in mutated for line in removed)
        assert (REPO / mutant.path).read_text() == original  # the working tree is untouched
    assert copy.read_text() == original


def test_every_triage_entry_names_a_current_mutant() -> None:
    triage = load_triage()
    modules = sorted({mutant_id.split("::")[0] for mutant_id in triage})
    assert set(modules) <= set(MODULES), "triage names a module outside the mutated ones"
    known = {mutant.id for mutant in enumerate_mutants(REPO, modules)}
    stale = sorted(set(triage) - known)
    assert not stale, f"re-triage these (the code they named changed): {stale}"
    for entry in triage.values():
        if entry.verdict == "internal":
            assert entry.covered_by, (
                "an internal mutant names the project test that sees it, or 'none'"
            )
        if entry.verdict == "gap":
            assert entry.check or entry.reason.startswith("OPEN"), (
                "a gap names the conformance check that closes it, or says it is still OPEN"
            )


def test_every_test_a_triage_entry_names_exists() -> None:
    # a check renamed or never written would leave a verdict pointing at nothing
    missing = []
    for mutant_id, entry in load_triage().items():
        for named in (entry.check, entry.covered_by):
            if not named or named == "none":
                continue
            path, _, rest = named.partition("::")
            name = re.match(r"\w*", rest)
            source = REPO / path
            if not name or not source.is_file() or f"def {name[0]}(" not in source.read_text():
                missing.append(f"{mutant_id}: {named}")
    assert not missing, "triage names tests that do not exist:\n" + "\n".join(missing)


def test_a_malformed_triage_entry_is_refused_with_its_id(tmp_path: Path) -> None:
    bad = tmp_path / "triage.yaml"
    bad.write_text("some/module.py::f::abc:\n  verdict: probably\n  reason: x\n")
    with pytest.raises(TriageError, match=r"some/module.py::f::abc: verdict must be one of"):
        load_triage(bad)
    assert TRIAGE_FILE.name == "triage.yaml"


def test_the_score_leaves_out_equivalent_and_internal_survivors() -> None:
    mutants = enumerate_mutants(REPO, ["reference_impl/orders/domain.py"])[:6]
    statuses = ["killed", "timeout", "survived", "survived", "survived", "survived"]
    results = [
        Result(mutant, Outcome(status, 1.0))
        for mutant, status in zip(mutants, statuses, strict=True)
    ]
    triage = {
        mutants[2].id: Triage("equivalent", "same behaviour"),
        mutants[3].id: Triage("internal", "not visible", covered_by="tests/x.py::test_y"),
        mutants[4].id: Triage("gap", "missing check", check="conformance/suite/x.py::test_z"),
    }
    result = score(results, triage)
    assert (result.killed, result.equivalent, result.internal, result.gaps, result.untriaged) == (
        2, 1, 1, 1, 1,
    )  # fmt: skip
    assert result.observable == 4  # killed 2 + the gap + the untriaged one
    assert result.detection_rate == pytest.approx(0.5)
