"""Verdict output: a terminal table, Markdown for a pull-request comment, and JSON for tools."""

from __future__ import annotations

from typing import Any

from refarch.loadtests.verdict import Row, Verdict

__all__ = ["HEADERS", "cells", "headline", "reasons", "to_json", "to_markdown", "to_terminal"]

HEADERS = (
    "operation",
    "requests",
    "errors",
    "p95 ms",
    "p99 ms",
    "req/s",
    "baseline p95",
    "Δ p95",
    "verdict",
)


def _limit(value: float | None, fmt: str = "g") -> str:
    return "" if value is None else f" / {value:{fmt}}"


def cells(row: Row) -> tuple[str, ...]:
    stats, limits, comparison = row.stats, row.limits, row.comparison
    errors = f"{stats.error_ratio:.2%}" + _limit(limits.max_error_ratio, ".2%")
    baseline_p95 = "" if comparison.baseline is None else f"{comparison.baseline.p95_ms:g}"
    delta = "" if comparison.p95_delta_ms is None else f"{comparison.p95_delta_ms:+g}"
    return (
        row.name,
        str(stats.samples),
        errors,
        f"{stats.p95_ms:g}{_limit(limits.p95_ms)}",
        f"{stats.p99_ms:g}{_limit(limits.p99_ms)}",
        f"{stats.rps:.1f}" + ("" if limits.min_rps is None else f" / ≥{limits.min_rps:g}"),
        baseline_p95,
        delta,
        row.status,
    )


def headline(verdict: Verdict) -> str:
    shape = verdict.shape
    run = f"{shape.profile} profile, {shape.users} users, {shape.duration_s} s"
    if verdict.interrupted_after_s is not None:
        return (
            f"INTERRUPTED: load gate ({run}) stopped after {verdict.interrupted_after_s:.0f} s; "
            "partial figures, no verdict"
        )
    if verdict.passed:
        return f"PASS: load gate ({run})"
    return f"FAIL: load gate ({run}): {', '.join(verdict.failed_operations or ['overall'])}"


def reasons(verdict: Verdict) -> list[str]:
    return [
        f"{row.name}: {reason}"
        for row in [*verdict.rows, verdict.overall]
        if row.status != "pass"
        for reason in row.reasons
    ]


def to_terminal(verdict: Verdict) -> str:
    table = [HEADERS, *(cells(r) for r in verdict.rows), cells(verdict.overall)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [line(HEADERS), "  ".join("-" * w for w in widths)]
    out += [line(cells) for cells in table[1:-1]]
    out += ["  ".join("-" * w for w in widths), line(table[-1]), ""]
    out += [f"  - {reason}" for reason in reasons(verdict)]
    out += [f"  note: {note}" for note in verdict.notes]
    out += [
        "",
        headline(verdict),
        "(observed / limit; thresholds from " + verdict.thresholds_source + ")",
    ]
    return "\n".join(out)


def to_markdown(verdict: Verdict) -> str:
    def md_row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    icon = "⏹️" if verdict.interrupted else "✅" if verdict.passed else "❌"
    out = [f"### {icon} {headline(verdict)}", ""]
    out.append(md_row(HEADERS))
    out.append("|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 2) + ["---"]) + "|")
    out += [md_row(cells(r)) for r in verdict.rows]
    overall = cells(verdict.overall)
    out.append(md_row((f"**{overall[0]}**", *overall[1:])))
    explained = reasons(verdict)
    if explained or verdict.notes:
        out.append("")
    out += [f"- {reason}" for reason in explained]
    out += [f"- _{note}_" for note in verdict.notes]
    out += ["", f"Cells read observed / limit. Thresholds: {verdict.thresholds_source}."]
    if verdict.baseline is not None:
        out.append(f"Baseline: {verdict.baseline.source}, recorded {verdict.baseline.created_at}.")
    return "\n".join(out) + "\n"


def _row_json(row: Row) -> dict[str, Any]:
    stats, limits, comparison = row.stats, row.limits, row.comparison
    return {
        "operation": row.name,
        "status": row.status,
        "observed": {
            "requests": stats.samples,
            "failures": stats.failures,
            "error_ratio": stats.error_ratio,
            "p50_ms": stats.p50_ms,
            "p95_ms": stats.p95_ms,
            "p99_ms": stats.p99_ms,
            "rps": stats.rps,
        },
        "thresholds": {
            "p95_ms": limits.p95_ms,
            "p99_ms": limits.p99_ms,
            "max_error_ratio": limits.max_error_ratio,
            "min_rps": limits.min_rps,
        },
        "baseline": None
        if comparison.baseline is None
        else {
            "requests": comparison.baseline.samples,
            "p95_ms": comparison.baseline.p95_ms,
            "p99_ms": comparison.baseline.p99_ms,
            "rps": comparison.baseline.rps,
        },
        "trend": comparison.trend.value,
        "p95_delta_ms": comparison.p95_delta_ms,
        "rps_delta": comparison.rps_delta,
        "reasons": list(row.reasons),
        "errors": stats.errors,
    }


def to_json(verdict: Verdict) -> dict[str, Any]:
    shape = verdict.shape
    return {
        "format": "refarch-load-verdict/1",
        "passed": verdict.passed,
        "interrupted": verdict.interrupted,
        "interrupted_after_s": verdict.interrupted_after_s,
        "exit_code": verdict.exit_code,
        "failed_operations": verdict.failed_operations,
        "shape": {
            "profile": shape.profile,
            "users": shape.users,
            "spawn_rate": shape.spawn_rate,
            "duration_s": shape.duration_s,
        },
        "thresholds_source": verdict.thresholds_source,
        "baseline_source": None if verdict.baseline is None else verdict.baseline.source,
        "operations": [_row_json(r) for r in verdict.rows],
        "overall": _row_json(verdict.overall),
        "notes": verdict.notes,
    }
