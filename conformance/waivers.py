"""Waivers: the one reviewed place where a Schemathesis check is disabled for an operation.

Every waiver weakens the suite, so each names the operation (or ``*``), the check, and the
reason a reviewer accepted; the report lists them all. A waiver without a reason, or for
a check Schemathesis does not have, is refused when the suite starts.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Waiver", "load_waivers", "waived_checks"]

WAIVER_FILE = Path(__file__).with_name("waivers.toml")


@dataclass(frozen=True)
class Waiver:
    operation: str  # operationId, or "*" for every operation
    check: str  # a Schemathesis check name, e.g. "positive_data_acceptance"
    reason: str
    #: empty: the check is off for the operation; else only responses with these statuses
    #: are exempt from it (the operation's expected statuses are widened by exactly these)
    statuses: tuple[int, ...] = ()

    def applies(self, operation_id: str, status: int) -> bool:
        return self.operation in ("*", operation_id) and (
            not self.statuses or status in self.statuses
        )

    def as_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["statuses"] = ", ".join(str(s) for s in self.statuses) or "all"
        return data


def load_waivers(text: str | None = None) -> list[Waiver]:
    if text is None:
        text = WAIVER_FILE.read_text(encoding="utf-8")
    waivers = []
    for entry in tomllib.loads(text).get("waiver", []):
        waiver = Waiver(
            str(entry.get("operation", "")),
            str(entry.get("check", "")),
            str(entry.get("reason", "")),
            tuple(int(status) for status in entry.get("statuses", ())),
        )
        if not (waiver.operation and waiver.check and waiver.reason.strip()):
            raise ValueError(
                f"{WAIVER_FILE.name}: every waiver needs operation, check and reason: {entry}"
            )
        waivers.append(waiver)
    return waivers


def waived_checks(waivers: list[Waiver], operation_id: str, status: int) -> list[str]:
    """Names of the checks not to run on a response of ``operation_id`` with ``status``."""
    return [w.check for w in waivers if w.applies(operation_id, status)]
