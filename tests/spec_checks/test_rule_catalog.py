"""Rule ids are a public interface: every id the code can emit is listed, and vice versa."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from refarch.spec_checks.rules import ALL_RULES

PACKAGE = Path(__file__).resolve().parents[2] / "refarch" / "spec_checks"
RULE_LITERAL = re.compile(r'"((?:OAS|REQ|SQL|DB|ASY)\d{3})"')


def _ids_used_in_code() -> set[str]:
    used: set[str] = set()
    for module in PACKAGE.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        # ids inside a RULES table are declarations, not uses
        code = re.sub(r"RULES: dict\[str, str\] = \{.*?\n\}", "", text, flags=re.DOTALL)
        used |= set(RULE_LITERAL.findall(code))
    return used


def test_every_emitted_rule_id_is_listed_and_every_listed_id_is_emitted() -> None:
    listed = {rule for rule in ALL_RULES if rule != "SQL-<code>"}

    assert _ids_used_in_code() == listed


def test_rules_command_prints_every_rule() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from refarch.cli import main; main()", "specs", "rules"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    printed = [line.split()[0] for line in result.stdout.splitlines()]
    assert printed == list(ALL_RULES)
