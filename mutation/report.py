"""The score, the survivors and the machine-readable result file."""

from __future__ import annotations

import html
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mutation.mutants import Mutant
from mutation.runner import KILLED_OUTCOMES, Outcome
from mutation.triage import Triage, load_triage

__all__ = [
    "Result",
    "Score",
    "load_results",
    "print_report",
    "score",
    "survivors_table",
    "write_results",
]


@dataclass
class Result:
    mutant: Mutant
    outcome: Outcome


@dataclass(frozen=True)
class Score:
    run: int
    killed: int
    equivalent: int
    internal: int
    gaps: int  # survivors triaged as gaps
    untriaged: int  # survivors nobody has looked at yet: counted as gaps
    errors: int  # the harness could not decide (neither killed nor survived)

    @property
    def observable(self) -> int:
        """Non-equivalent mutants a client could tell apart through the API."""
        return self.killed + self.gaps + self.untriaged

    @property
    def detection_rate(self) -> float:
        return self.killed / self.observable if self.observable else 1.0

    @property
    def raw_rate(self) -> float:
        decided = self.run - self.errors
        return self.killed / decided if decided else 1.0


def score(results: list[Result], triage: dict[str, Triage]) -> Score:
    verdicts: Counter[str] = Counter()
    for result in results:
        if result.outcome.status == "survived":
            entry = triage.get(result.mutant.id)
            verdicts[entry.verdict if entry else "untriaged"] += 1
    return Score(
        run=len(results),
        killed=sum(result.outcome.killed for result in results),
        equivalent=verdicts["equivalent"],
        internal=verdicts["internal"],
        gaps=verdicts["gap"],
        untriaged=verdicts["untriaged"],
        errors=sum(result.outcome.status == "error" for result in results),
    )


def print_report(results: list[Result], triage: dict[str, Triage], total: int) -> Score:
    result_score = score(results, triage)
    survivors = [result for result in results if result.outcome.status == "survived"]
    errors = [result for result in results if result.outcome.status == "error"]
    for result in survivors:
        mutant = result.mutant
        entry = triage.get(mutant.id)
        label = entry.verdict.upper() if entry else "UNTRIAGED"
        print(f"\nSURVIVED [{label}] {mutant.path}:{mutant.line}  {mutant.operator}")
        print(f"  id: {mutant.id}")
        for line in mutant.diff.splitlines():
            print(f"    {line}")
        if entry:
            extra = entry.covered_by or entry.check
            print(f"  why: {entry.reason}" + (f" ({extra})" if extra else ""))
    for result in errors:
        print(f"\nERROR {result.mutant.title}\n  {result.outcome.detail[-600:]}")
    kinds = Counter(result.outcome.status for result in results)
    how = ", ".join(f"{kinds[kind]} {kind}" for kind in KILLED_OUTCOMES if kinds[kind])
    print(
        f"\nmutants: {total} in scope, {result_score.run} run; killed {result_score.killed} ({how});"
        f" survived {len(survivors)}: {result_score.equivalent} equivalent,"
        f" {result_score.internal} not observable from outside, {result_score.gaps} gaps,"
        f" {result_score.untriaged} untriaged; errors {result_score.errors}"
    )
    print(
        f"mutation score: {result_score.detection_rate:.1%} of the {result_score.observable}"
        f" observable, non-equivalent mutants killed (raw: {result_score.raw_rate:.1%} of all run)"
    )
    return result_score


def write_results(
    path: Path, results: list[Result], triage: dict[str, Triage], meta: dict[str, Any]
) -> None:
    result_score = score(results, triage)
    document = {
        **meta,
        "score": {
            **asdict(result_score),
            "observable": result_score.observable,
            "detection_rate": round(result_score.detection_rate, 4),
            "raw_rate": round(result_score.raw_rate, 4),
        },
        "mutants": [
            {
                **asdict(result.mutant),
                "outcome": asdict(result.outcome),
                "triage": asdict(triage[result.mutant.id]) if result.mutant.id in triage else None,
            }
            for result in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_results(path: Path) -> list[Result]:
    document = json.loads(path.read_text(encoding="utf-8"))
    results = []
    for entry in document["mutants"]:
        outcome = Outcome(**entry.pop("outcome"))
        entry.pop("triage", None)
        results.append(Result(Mutant(**entry), outcome))
    return results


_VERDICT_ORDER = {"gap": 0, "internal": 1, "equivalent": 2}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _wrappable(escaped: str) -> str:
    """HTML text that may wrap after ``::``, ``/`` and ``_`` (long test names and paths)."""
    for mark in ("::", "/", "_"):
        escaped = escaped.replace(mark, f"{mark}<wbr>")
    return escaped


def _prose(text: str) -> str:
    """Free text for a table cell: HTML-escaped (a reason may say ``<n>``), and any long
    identifier in it made wrappable, so one test name cannot widen the whole table."""
    words = html.escape(" ".join(text.split()), quote=False).split(" ")
    return " ".join(_wrappable(w) if len(w) > 30 else w for w in words).replace("|", "\\|")


def _breakable(name: str) -> str:
    """A test's path as code a narrow table column may wrap (after ``/``, ``::`` and ``_``)."""
    return f"<code>{_wrappable(html.escape(name))}</code>"


def survivors_table(results: list[Result], triage: dict[str, Triage]) -> str:
    """Every survivor with its verdict, as the Markdown table of the mutation-testing guide
    (gaps first, then not observable, then equivalent; untriaged ones as such)."""
    rows = []
    for result in results:
        if result.outcome.status != "survived":
            continue
        mutant = result.mutant
        entry = triage.get(mutant.id)
        verdict = entry.verdict if entry else "untriaged"
        added = [line[1:].strip() for line in mutant.diff.splitlines() if line.startswith("+")]
        where = f"`{mutant.path.removeprefix('reference_impl/')}:{mutant.line}`"
        change = f"`{_cell(added[0])}`" if added else "(a line removed)"
        why = _prose(entry.reason) if entry else ""
        seen_by = (entry.check or entry.covered_by) if entry else ""
        shown = _breakable(seen_by) if "::" in seen_by else seen_by
        rows.append(
            (
                _VERDICT_ORDER.get(verdict, -1),
                mutant.path,
                mutant.line,
                f"| **{verdict}**<br>{where}<br>{change} | {why} | {shown} |",
            )
        )
    head = (
        "| verdict, where, and the changed line | why | check, or the project test that sees it |"
        "\n| --- | --- | --- |"
    )
    return "\n".join([head, *(row for *_, row in sorted(rows))]) + "\n"


def main() -> None:
    """``python -m mutation.report RESULTS``: the survivors table of a results file."""
    if len(sys.argv) != 2:
        sys.exit("usage: python -m mutation.report RESULTS_JSON")
    print(survivors_table(load_results(Path(sys.argv[1])), load_triage()), end="")


if __name__ == "__main__":
    main()
