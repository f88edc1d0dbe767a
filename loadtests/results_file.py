"""``refarch load --results-file``: a run's headline figures, in the file the docs render.

The documentation never types a measured number: its chapters render
``docs/results/load.json`` at build time. This module writes that file from a finished run,
with what a reader needs to trust the figures: the command as it was run (secrets removed),
the date, and the machine, including its load average at the start and end of the run,
because on a shared machine the same code measures differently when other work competes.

One file holds one run per (profile, target workers, Locust processes): a new run replaces
the row with the same key and keeps the others, so the baseline and stress rows of a
chapter can be measured by separate commands.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from refarch.loadtests.errors import CannotRun
from refarch.loadtests.verdict import Verdict

__all__ = [
    "FORMAT",
    "MachineSample",
    "check_results_file",
    "describe_gate",
    "machine_description",
    "redacted_command",
    "run_entry",
    "sample_machine",
    "write_run",
]

FORMAT = "refarch-load-results/1"
REDACTED = "***"
#: options whose value is a secret; the value never reaches the results file
SECRET_OPTIONS = ("--admin-password",)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class MachineSample:
    """The 1-minute load average at one moment, and when it was taken."""

    at: datetime.datetime
    load_average: float


def sample_machine() -> MachineSample:
    return MachineSample(datetime.datetime.now(datetime.UTC), round(os.getloadavg()[0], 2))


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else None


def machine_description(base_url: str) -> str:
    """Cores, CPU, OS and Python, and where the target ran relative to the load generator."""
    cores = os.cpu_count() or 0
    model = _cpu_model()
    cpu = f"{cores} cores" + (f" ({model})" if model else "")
    where = (
        "the target on the same host over loopback"
        if urlsplit(base_url).hostname in LOOPBACK_HOSTS
        else "the target on another host"
    )
    return (
        f"host with {cpu}, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; Locust and {where}"
    )


def redacted_command(argv: Sequence[str]) -> str:
    """``refarch load ...`` as typed, with secret option values and URL passwords masked."""
    args = list(argv)
    if "load" in args:  # drop the program path: `refarch`, `python -m ...` or `-c`
        args = args[args.index("load") + 1 :]
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            out.append(REDACTED)
            hide_next = False
        elif arg in SECRET_OPTIONS:
            out.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{option}=" for option in SECRET_OPTIONS)):
            out.append(arg.split("=", 1)[0] + "=" + REDACTED)
        else:
            out.append(_without_url_password(arg))
    return shlex.join(["refarch", "load", *out])


def _without_url_password(arg: str) -> str:
    parts = urlsplit(arg)
    if parts.scheme not in ("http", "https") or parts.password is None:
        return arg
    host = parts.hostname or ""
    netloc = f"{parts.username}:{REDACTED}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def describe_gate(verdict: Verdict) -> str:
    """The verdict in a few words: passed, or which kinds of limit failed on how many rows."""
    rows = [*verdict.rows, verdict.overall]
    if verdict.passed:
        return f"pass on all {len(verdict.rows)} operations"
    kinds: set[str] = set()
    for row in rows:
        kinds.update(reason.split()[0] for reason in row.breaches)  # "p95", "p99", "errors"...
        if row.regressed:
            kinds.add("regression")
    failed = len(verdict.failed_operations)
    return (
        f"fail on {failed} of {len(verdict.rows)} operations"
        + (" and overall" if verdict.overall.failed else "")
        + f" ({', '.join(sorted(kinds))})"
    )


def run_entry(
    verdict: Verdict,
    *,
    command: str,
    machine: str,
    start: MachineSample,
    end: MachineSample,
    target_workers: int,
    load_processes: int,
) -> dict[str, Any]:
    overall = verdict.overall.stats
    return {
        "profile": verdict.shape.profile,
        "seconds": verdict.shape.duration_s,
        "users": verdict.shape.users,
        "workers": target_workers,
        "load_processes": load_processes,
        "requests": overall.samples,
        "rps": round(overall.rps, 1),
        "p95_ms": overall.p95_ms,
        "p99_ms": overall.p99_ms,
        "errors": overall.failures,
        "gate": describe_gate(verdict),
        "thresholds": verdict.thresholds_source,
        "command": command,
        "measured_at": start.at.isoformat(timespec="seconds"),
        "machine": machine,
        "cores": os.cpu_count() or 0,
        "load_average_start": start.load_average,
        "load_average_end": end.load_average,
    }


def _read(path: Path) -> list[dict[str, Any]]:
    """The runs already in ``path``; an error that says how to fix a file it cannot extend."""
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CannotRun(f"--results-file {path} cannot be read as JSON: {exc}.") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("runs"), list)
    ):
        raise CannotRun(
            f'--results-file {path} was not written by refarch load (no "format": '
            f'"{FORMAT}"); move it away or delete it, then run again.'
        )
    return [run for run in data["runs"] if isinstance(run, dict)]


def check_results_file(path: Path) -> None:
    """Fail before any traffic is sent if the run's figures could not be recorded."""
    _read(path)
    if not path.parent.is_dir():
        raise CannotRun(
            f"--results-file {path}: the directory {path.parent} does not exist; create it or "
            "give another path."
        )
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CannotRun(f"--results-file {path} is not writable.")


def _key(run: dict[str, Any]) -> tuple[Any, ...]:
    return (run.get("profile"), run.get("workers"), run.get("load_processes"))


_PROFILE_ORDER = ("smoke", "baseline", "stress", "soak")


def _order(run: dict[str, Any]) -> tuple[int, int, int]:
    profile = str(run.get("profile"))
    rank = _PROFILE_ORDER.index(profile) if profile in _PROFILE_ORDER else len(_PROFILE_ORDER)
    return rank, int(run.get("workers", 1)), int(run.get("load_processes", 1))


def write_run(path: Path, run: dict[str, Any]) -> dict[str, Any]:
    """Replace the run with the same key (or add it) and rewrite the file atomically.

    The top-level ``measured_at`` is the OLDEST run's date, so the docs' staleness warning
    fires when any row is old; ``machine`` describes the latest run's host.
    """
    runs = sorted([r for r in _read(path) if _key(r) != _key(run)] + [run], key=_order)
    document = {
        "format": FORMAT,
        "command": f"refarch load --results-file {path}",
        "measured_at": min(str(r["measured_at"]) for r in runs),
        "machine": run["machine"],
        "runs": runs,
    }
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return document
