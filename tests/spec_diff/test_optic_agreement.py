"""A second opinion: Optic (``@useoptic/optic``, its breaking-changes ruleset) must reach the
same breaking / not-breaking verdict as ``refarch specs diff`` on every fixture pair, except
the disagreements listed below, each with its reason (a disagreement that goes away fails
too, so the list stays true).

Optic runs from the pinned version in node_modules (``npm ci``), offline, telemetry off.
Missing node_modules is a failure, never a skip: a skipped check looks like a passing one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from refarch.spec_diff import Severity, diff_documents, load_document
from tests.spec_diff.cli_run import FIXTURES, PLANTED, REPO, planted

OPTIC = REPO / "node_modules" / ".bin" / "optic"
DIALECTS = FIXTURES / "dialects"

PAIRS: dict[str, tuple[Path, Path]] = {
    **{f"{p.parent.name}/{p.stem}": (PLANTED / "base.yaml", p) for p in planted("breaking")},
    **{f"{p.parent.name}/{p.stem}": (PLANTED / "base.yaml", p) for p in planted("additive")},
    "dialects/3.0-to-3.1": (DIALECTS / "shop-3.0.yaml", DIALECTS / "shop-3.1.yaml"),
    "dialects/exclusive-minimum-dropped": (
        DIALECTS / "shop-3.1.yaml",
        DIALECTS / "shop-3.1-narrowed.yaml",
    ),
}

#: pair -> why the tools disagree (refarch says breaking in both cases)
KNOWN_DISAGREEMENTS: dict[str, str] = {
    "breaking/request-max-length-narrowed": (
        "Optic's ruleset has no rule for a lowered maxLength; requests that were valid are refused"
    ),
    "dialects/exclusive-minimum-dropped": (
        "Optic does not check response bounds; refarch treats a widened response bound as "
        "breaking for strict clients (ADR 0042)"
    ),
}


def optic_says_breaking(old: Path, new: Path) -> bool:
    assert OPTIC.is_file(), f"{OPTIC} is missing: run `npm ci` in {REPO} (CI does)"
    env = {**os.environ, "OPTIC_TELEMETRY_LEVEL": "off", "NO_UPDATE_NOTIFIER": "1"}
    result = subprocess.run(
        [str(OPTIC), "diff", str(old), str(new), "--check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
    )
    # Optic's report opens with its verdict mark and the API title; anything else is a crash
    assert result.stdout.startswith(("✔ ", "x ")), result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode == 1


def refarch_says_breaking(old: Path, new: Path) -> bool:
    # in-process: the command line itself is tested in test_cli.py
    changes = diff_documents(load_document(old), load_document(new))
    return any(change.severity is Severity.BREAKING for change in changes)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAIRS))
def test_optic_agrees_on_the_verdict_except_where_listed(name: str) -> None:
    old, new = PAIRS[name]

    optic, refarch = optic_says_breaking(old, new), refarch_says_breaking(old, new)

    if name in KNOWN_DISAGREEMENTS:
        assert (optic, refarch) == (False, True), KNOWN_DISAGREEMENTS[name]
    else:
        assert optic == refarch, f"Optic says breaking={optic}, refarch says {refarch}"
