"""Human and machine renderings of a check run."""

from __future__ import annotations

import json
from collections import Counter
from typing import IO, Any

from refarch.spec_checks.runner import CheckOptions, Phase, PhaseResult

__all__ = ["JsonReport", "TextReport", "summary_line"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(results: list[PhaseResult]) -> str:
    findings = [f for r in results for f in r.findings]
    skipped = [r.title for r in results if r.skipped_because]
    note = f" ({_plural(len(skipped), 'phase')} skipped)" if skipped else ""
    if not findings:
        return f"specs check passed: {_plural(len(results) - len(skipped), 'phase')} clean{note}"
    rules = Counter(f.rule for f in findings)
    files = {f.path for f in findings}
    by_rule = ", ".join(f"{rule} x{count}" for rule, count in sorted(rules.items()))
    return (
        f"specs check failed: {_plural(len(findings), 'problem')} in "
        f"{_plural(len(files), 'file')} ({by_rule}){note}"
    )


class TextReport:
    """A progress line per phase, then its problems; a summary at the end."""

    def __init__(self, out: IO[str], *, show_findings: bool = True) -> None:
        self.out = out
        self.show_findings = show_findings

    def start(self, number: int, total: int, phase: Phase) -> None:
        self.out.write(f"[{number}/{total}] {phase.title} ... ")
        self.out.flush()

    def done(self, number: int, total: int, result: PhaseResult) -> None:
        if result.skipped_because:
            self.out.write(f"skipped ({result.skipped_because})\n")
        elif not result.findings:
            self.out.write(f"ok ({result.seconds:.2f} s)\n")
        else:
            self.out.write(f"{_plural(len(result.findings), 'problem')} ({result.seconds:.2f} s)\n")
            for finding in result.findings if self.show_findings else ():
                self.out.write(finding.as_text() + "\n")
        self.out.flush()

    def finish(self, results: list[PhaseResult]) -> None:
        self.out.write(summary_line(results) + "\n")


class JsonReport:
    """One JSON document on ``out``; progress goes to ``progress`` so ``out`` stays parseable."""

    def __init__(self, out: IO[str], progress: IO[str], options: CheckOptions) -> None:
        self.out, self.options = out, options
        self.progress = TextReport(progress, show_findings=False)

    def start(self, number: int, total: int, phase: Phase) -> None:
        self.progress.start(number, total, phase)

    def done(self, number: int, total: int, result: PhaseResult) -> None:
        self.progress.done(number, total, result)

    def finish(self, results: list[PhaseResult]) -> None:
        document: dict[str, Any] = {
            "version": self.options.version,
            "specs_dir": str(self.options.specs_dir),
            "ok": not any(r.findings for r in results),
            "summary": summary_line(results),
            "phases": [
                {
                    "title": r.title,
                    "problems": len(r.findings),
                    "seconds": round(r.seconds, 3),
                    "skipped_because": r.skipped_because or None,
                }
                for r in results
            ],
            "findings": [f.as_json() for r in results for f in r.findings],
        }
        json.dump(document, self.out, indent=2)
        self.out.write("\n")
