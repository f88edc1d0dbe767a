"""Measured figures, rendered from the results files the measuring commands write.

A chapter never types a measured number: it places a marker (see ``page_inserts``) and the
build renders the table from ``docs/results/<name>.json`` with the date, the machine and
the command that produced it. A missing file, or one older than ``STALE_AFTER_DAYS``, is
shown as a warning on the page instead of silently old figures.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from refarch.docsgen.markdown import table

X = "\u00d7"  # multiplication sign

__all__ = ["STALE_AFTER_DAYS", "load_results", "render_bench", "render_load", "results_header"]

STALE_AFTER_DAYS = 90


def load_results(docs_dir: Path, name: str) -> dict[str, Any] | None:
    path = docs_dir / "results" / f"{name}.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _missing(name: str, command: str) -> str:
    return (
        f'!!! failure "No measured figures: docs/results/{name}.json is missing"\n\n'
        f"    Run `{command}` to measure and write it, then rebuild the docs."
    )


def results_header(data: dict[str, Any], name: str, today: datetime.date | None = None) -> str:
    """Where the figures come from, and a warning when they are old."""
    today = today or datetime.date.today()
    measured = datetime.date.fromisoformat(str(data["measured_at"])[:10])
    age = (today - measured).days
    lines = [
        f"*Measured {measured.isoformat()} by `{data['command']}` on the {data['machine']}. "
        f"Source: `docs/results/{name}.json`"
        + (f" ({data['provenance']})" if data.get("provenance") else "")
        + ".*"
    ]
    if age > STALE_AFTER_DAYS:
        lines.append(
            f'!!! warning "These figures are {age} days old"\n\n'
            f"    They were measured on {measured.isoformat()}; re-run `{data['command']}` "
            "before relying on them."
        )
    return "\n\n".join(lines)


def _n(value: float) -> str:
    """1 234 567 with thin spaces, as the chapters write numbers."""
    return f"{value:,.0f}".replace(",", " ")


def render_bench(docs_dir: Path, today: datetime.date | None = None) -> str:
    data = load_results(docs_dir, "bench")
    if data is None:
        return _missing("bench", "make bench")
    rows = [
        [
            f"`{case['operation']}` ({case['name'].split()[0]})",
            f"{_n(case['reference_rps'])} req/s",
            f"{_n(case['bare_rps'])} req/s",
            f"{case['throughput_ratio']:.2f}",
            f"{_n(case['reference_cpu_us'])} µs (bare {_n(case['bare_cpu_us'])} µs)",
            f"{case['cpu_ratio']:.2f}",
            f"≥ {case['target_ratio']}",
        ]
        for case in data["cases"]
    ]
    parts = [
        results_header(data, "bench", today),
        table(
            [
                "operation",
                "reference",
                "bare app",
                "throughput ratio",
                "CPU per request",
                "CPU ratio",
                "target",
            ],
            rows,
        ),
        "**Latency at half the maximum rate:** "
        + "; ".join(
            f"`{r['operation']}` p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
            for r in data.get("half_rate_latency", [])
        )
        + ".",
    ]
    workers = data.get("workers")
    if workers:
        parts.append(
            f"**One vs two workers** (`{workers['operation']}`): {_n(workers['one_rps'])} vs "
            f"{_n(workers['two_rps'])} req/s "
            f"({workers['two_rps'] / workers['one_rps']:.2f}{X})."
        )
    return "\n\n".join(parts)


def _run_label(run: dict[str, Any]) -> str:
    label = f"`{run['profile']}` ({run['seconds']} s)"
    if run["workers"] > 1:
        label += f", {run['workers']} workers"
    if run.get("load_processes", 1) > 1:
        label += f", {run['load_processes']} Locust processes"
    return label


def _run_provenance(run: dict[str, Any]) -> str:
    """Which command measured a row, when, and how busy the machine was meanwhile."""
    line = (
        f"- {_run_label(run)}: `{run['command']}` at {str(run['measured_at'])[:16].replace('T', ' ')}"
        f" UTC, thresholds from {run['thresholds']}; load average {run['load_average_start']} at "
        f"the start, {run['load_average_end']} at the end"
    )
    busiest = max(run["load_average_start"], run["load_average_end"])
    if run.get("cores") and busiest > run["cores"]:
        line += (
            f" on {run['cores']} cores: other work competed for the CPU, so these figures are "
            "a floor"
        )
    return line + "."


def render_load(docs_dir: Path, today: datetime.date | None = None) -> str:
    data = load_results(docs_dir, "load")
    if data is None:
        return _missing(
            "load", "refarch load --profile baseline --results-file docs/results/load.json"
        )
    rows = [
        [
            _run_label(run),
            str(run["users"]),
            f"{_n(run['rps'])} req/s",
            f"{run['p95_ms']} ms / {run['p99_ms']} ms",
            str(run["errors"]),
            run["gate"],
        ]
        for run in data["runs"]
    ]
    return "\n\n".join(
        [
            results_header(data, "load", today),
            table(
                ["profile", "users", "throughput", "overall p95 / p99", "errors", "SLO gate"], rows
            ),
            "\n".join(_run_provenance(run) for run in data["runs"]),
        ]
    )
