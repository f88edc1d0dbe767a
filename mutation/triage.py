"""The committed verdicts on surviving mutants, keyed by stable mutant id.

``mutation/triage.yaml`` holds one entry per survivor that was looked at::

    reference_impl/orders/service.py::cancel_order::1a2b3c4d5e:
      verdict: equivalent        # or: internal, gap
      reason: why, in a sentence
      covered_by: tests/...::test_name   # internal: the project's own test that sees it
      check: conformance/suite/test_mutation_gaps.py::test_name  # gap: the check added

``equivalent``: no program can tell the mutant from the original. ``internal``: it changes
behaviour, but nothing a client sees through the API (timing, logs, a code path the API
cannot reach). ``gap``: a client could see it and the suite did not: a missing check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["TRIAGE_FILE", "VERDICTS", "Triage", "TriageError", "load_triage"]

TRIAGE_FILE = Path(__file__).resolve().parent / "triage.yaml"
VERDICTS = ("equivalent", "internal", "gap")


class TriageError(ValueError):
    """The triage file is malformed; the message says which entry and how to fix it."""


@dataclass(frozen=True)
class Triage:
    verdict: str
    reason: str
    covered_by: str = ""
    check: str = ""


def load_triage(path: Path = TRIAGE_FILE) -> dict[str, Triage]:
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise TriageError(f"{path}: expected a mapping of mutant id to verdict")
    entries: dict[str, Triage] = {}
    for mutant_id, entry in raw.items():
        where = f"{path}: {mutant_id}"
        if not isinstance(entry, dict):
            raise TriageError(f"{where}: expected verdict/reason keys")
        unknown = set(entry) - {"verdict", "reason", "covered_by", "check"}
        if unknown:
            raise TriageError(f"{where}: unknown keys {sorted(unknown)}")
        verdict = entry.get("verdict")
        if verdict not in VERDICTS:
            raise TriageError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
        if not str(entry.get("reason") or "").strip():
            raise TriageError(f"{where}: say why in `reason`")
        entries[str(mutant_id)] = Triage(
            verdict=verdict,
            reason=str(entry["reason"]).strip(),
            covered_by=str(entry.get("covered_by") or ""),
            check=str(entry.get("check") or ""),
        )
    return entries
