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


def _run_optic(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    assert OPTIC.is_file(), f"{OPTIC} is missing: run `npm ci` in {REPO} (CI does)"
    env = {**os.environ, "OPTIC_TELEMETRY_LEVEL": "off", "NO_UPDATE_NOTIFIER": "1"}
    return subprocess.run(
        [str(OPTIC), "diff", str(old), str(new), "--check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
    )


def optic_says_breaking(old: Path, new: Path) -> bool:
    result = _run_optic(old, new)
    # Optic's report opens with its verdict mark and the API title; anything else is a crash
    assert result.stdout.startswith(("✔ ", "x ")), result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode == 1


def refarch_says_breaking(old: Path, new: Path) -> bool:
    # in-process: the command line itself is tested in test_cli.py
    changes = diff_documents(load_document(old), load_document(new))
    return any(change.severity is Severity.BREAKING for change in changes)


#: services whose published bundles Optic 1.0.9 refuses to read, and why
OPTIC_CANNOT_READ: dict[str, str] = {
    "users": (
        "Optic's 3.1 validator rejects a link's requestBody written as an object of runtime "
        "expressions, which OpenAPI 3.1 allows (Link Object: requestBody is any value)"
    ),
}


def _version_pairs() -> list[str]:
    """Services published at v1 and v2 (single-file bundles: Optic's locations stay exact)."""
    bundles = REPO / "specs" / "bundles"
    return sorted(
        service.name
        for service in bundles.iterdir()
        if (service / "v1.yaml").is_file() and (service / "v2.yaml").is_file()
    )


@pytest.mark.slow
@pytest.mark.parametrize("service", _version_pairs())
def test_optic_agrees_on_the_v1_to_v2_verdict_per_service(service: str, tmp_path: Path) -> None:
    """Across a major version Optic lets every break pass, so both tools see v2 with v1's
    info.version: the question is "would this break a v1 client?"."""
    import yaml

    v1 = REPO / "specs" / "bundles" / service / "v1.yaml"
    v2_document = yaml.safe_load((v1.parent / "v2.yaml").read_text(encoding="utf-8"))
    v2_document["info"]["version"] = yaml.safe_load(v1.read_text(encoding="utf-8"))["info"][
        "version"
    ]
    v2 = tmp_path / f"{service}-v2-as-v1.yaml"
    v2.write_text(yaml.safe_dump(v2_document, sort_keys=False), encoding="utf-8")

    if service in OPTIC_CANNOT_READ:
        result = _run_optic(v1, v2)
        assert result.returncode == 1
        assert "invalid openapi" in result.stderr, OPTIC_CANNOT_READ[service]
        assert "links > " in result.stderr, OPTIC_CANNOT_READ[service]
        return
    assert optic_says_breaking(v1, v2) == refarch_says_breaking(v1, v2)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAIRS))
def test_optic_agrees_on_the_verdict_except_where_listed(name: str) -> None:
    old, new = PAIRS[name]

    optic, refarch = optic_says_breaking(old, new), refarch_says_breaking(old, new)

    if name in KNOWN_DISAGREEMENTS:
        assert (optic, refarch) == (False, True), KNOWN_DISAGREEMENTS[name]
    else:
        assert optic == refarch, f"Optic says breaking={optic}, refarch says {refarch}"
