"""Waivers: the one reviewed place where a Schemathesis check is relaxed for an operation.

They live in ``schemathesis.toml`` beside this module, in Schemathesis' own format, so the
stock ``st`` CLI and this suite apply the same exemptions (the suite loads its schemas with
that configuration: see ``conformance.schemas``). This module reads the file once more to
hold it to the suite's review rules and to list the waivers in every report: each entry
needs a ``# reason:`` comment (Schemathesis has no field for one; ADR 0016), names its
operations with ``include-operation-id`` and relaxes only checks Schemathesis has.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import ChecksConfig, ConfigError, SchemathesisConfig

__all__ = ["WAIVER_FILE", "Waiver", "load_waivers", "schemathesis_config"]

WAIVER_FILE = Path(__file__).with_name("schemathesis.toml")
_ENTRY_HEADER = re.compile(r"^\s*\[\[operations\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[")
_REASON = re.compile(r"^\s*#\s*reason:\s*(?P<reason>.+?)\s*$")


@dataclass(frozen=True)
class Waiver:
    operation: str  # an operationId
    check: str  # a Schemathesis check name, e.g. "positive_data_acceptance"
    reason: str
    #: empty: the check is off for the operation; else the statuses accepted beyond the
    #: check's defaults (the operation's expected statuses are widened by exactly these)
    statuses: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {
            "operation": self.operation,
            "check": self.check,
            "reason": self.reason,
            "statuses": ", ".join(self.statuses) or "all",
        }


def schemathesis_config(text: str | None = None) -> SchemathesisConfig:
    """The waivers as Schemathesis' configuration, for loading the suite's schemas."""
    if text is None:
        return SchemathesisConfig.from_path(WAIVER_FILE)
    return SchemathesisConfig.from_str(text)


def _reasons(text: str) -> list[str]:
    """The ``# reason:`` comment of each ``[[operations]]`` entry, in file order ("" if none)."""
    reasons: list[str] = []
    inside = False
    for line in text.splitlines():
        if _ENTRY_HEADER.match(line):
            reasons.append("")
            inside = True
        elif _TABLE_HEADER.match(line):
            inside = False
        elif inside and not reasons[-1] and (match := _REASON.match(line)):
            reasons[-1] = match["reason"]
    return reasons


def _refuse(position: int, problem: str) -> ValueError:
    return ValueError(f"{WAIVER_FILE.name}: [[operations]] entry {position}: {problem}")


def _waivers_of(position: int, entry: dict[str, Any], reason: str) -> list[Waiver]:
    unexpected = sorted(set(entry) - {"include-operation-id", "checks"})
    if unexpected:
        raise _refuse(
            position,
            f"only include-operation-id and checks belong in a waiver, not {', '.join(unexpected)}",
        )
    operations = entry.get("include-operation-id")
    if isinstance(operations, str):
        operations = [operations]
    if not operations:
        raise _refuse(position, "name the operations with include-operation-id = [...]")
    if not reason:
        raise _refuse(position, "add a `# reason: ...` comment a reviewer accepted")
    known = set(CHECKS.get_all_names())
    defaults = ChecksConfig()
    waivers = []
    for check, settings in (entry.get("checks") or {}).items():
        if check not in known:
            raise _refuse(position, f"Schemathesis has no check {check!r}")
        if settings.get("enabled", True) is False:
            statuses: tuple[str, ...] = ()
        else:
            default = getattr(defaults.get_by_name(name=check), "expected_statuses", [])
            expected = [str(status) for status in settings.get("expected-statuses", [])]
            statuses = tuple(status for status in expected if status not in default)
            if not statuses:
                raise _refuse(position, f"{check}: widens nothing beyond Schemathesis' defaults")
        waivers += [Waiver(str(op), check, reason, statuses) for op in operations]
    if not waivers:
        raise _refuse(position, "relaxes no check: add checks.<name>.expected-statuses or enabled")
    return waivers


def load_waivers(text: str | None = None) -> list[Waiver]:
    """Every waiver in force, one per operation and check; refuses an unreviewed file."""
    if text is None:
        text = WAIVER_FILE.read_text(encoding="utf-8")
    try:
        schemathesis_config(text)  # the file must be valid for Schemathesis itself, too
    except ConfigError as error:
        raise ValueError(f"{WAIVER_FILE.name}: {error}") from None
    data = tomllib.loads(text)
    unexpected = sorted(set(data) - {"operations"})
    if unexpected:
        raise ValueError(
            f"{WAIVER_FILE.name}: only [[operations]] waivers belong here, not {', '.join(unexpected)}"
        )
    load_all_checks()
    entries = data.get("operations", [])
    reasons = _reasons(text)
    if len(reasons) != len(entries):
        raise ValueError(f"{WAIVER_FILE.name}: write each waiver as an [[operations]] table")
    return [
        waiver
        for position, (entry, reason) in enumerate(zip(entries, reasons, strict=True), start=1)
        for waiver in _waivers_of(position, entry, reason)
    ]
