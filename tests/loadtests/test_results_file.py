"""``--results-file``: what one run writes, how later runs replace or join it, and that the
docs generator renders exactly what was written (pure functions; no Locust, no server)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from refarch.docsgen.measured import render_load
from refarch.loadtests.errors import CannotRun
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.results_file import (
    FORMAT,
    MachineSample,
    check_results_file,
    describe_gate,
    redacted_command,
    run_entry,
    write_run,
)
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import Limits, RegressionMargins, Thresholds
from refarch.loadtests.verdict import Verdict, judge

BUDGET = Limits(p95_ms=50, p99_ms=150, max_error_ratio=0.01)
THRESHOLDS = Thresholds(
    overall=Limits(),
    operations={"getProduct": BUDGET, "listProducts": BUDGET},
    regression=RegressionMargins(),
    source="test budgets",
)
START = MachineSample(datetime.datetime(2026, 11, 29, 21, 10, tzinfo=datetime.UTC), 6.26)
END = MachineSample(datetime.datetime(2026, 11, 29, 21, 11, tzinfo=datetime.UTC), 1.5)


def verdict(profile: str = "baseline", *, p95: float = 10, failures: int = 0) -> Verdict:
    def op(name: str) -> OperationStats:
        return OperationStats(name, 200, failures, p95 / 2, p95, p95 * 2, 20.0)

    total = OperationStats("Aggregated", 400, 2 * failures, 5, p95, p95 * 2, 40.04)
    summary = RunSummary([op("getProduct"), op("listProducts")], total, 60.0)
    return judge(summary, RunShape(profile, 50, 10, 60), THRESHOLDS)


def entry(v: Verdict, *, workers: int = 1, start: MachineSample = START) -> dict[str, object]:
    return run_entry(
        v,
        command="refarch load --profile baseline",
        machine="host with 2 cores",
        start=start,
        end=END,
        target_workers=workers,
        load_processes=1,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["/x/.venv/bin/refarch", "load", "--admin-password", "s3cret", "--profile", "smoke"],
            "refarch load --admin-password '***' --profile smoke",
        ),
        (["-c", "load", "--admin-password=s3cret"], "refarch load '--admin-password=***'"),
        (
            ["refarch", "load", "--base-url", "https://ci:s3cret@shop.example.com:8443/x"],
            "refarch load --base-url 'https://ci:***@shop.example.com:8443/x'",
        ),
    ],
)
def test_the_recorded_command_keeps_the_options_and_never_a_secret(
    argv: list[str], expected: str
) -> None:
    command = redacted_command(argv)
    assert command == expected
    assert "s3cret" not in command


def test_the_gate_is_described_in_words() -> None:
    assert describe_gate(verdict()) == "pass on all 2 operations"
    assert describe_gate(verdict(p95=80)) == "fail on 2 of 2 operations (p95, p99)"
    assert describe_gate(verdict(failures=10)) == "fail on 2 of 2 operations (errors)"


def test_a_run_entry_holds_the_overall_figures_date_and_load_average() -> None:
    run = entry(verdict(p95=80), workers=2)
    assert run["profile"] == "baseline" and run["seconds"] == 60 and run["users"] == 50
    assert (run["workers"], run["requests"], run["rps"]) == (2, 400, 40.0)
    assert (run["p95_ms"], run["p99_ms"], run["errors"]) == (80, 160, 0)
    assert run["measured_at"] == "2026-11-29T21:10:00+00:00"
    assert (run["load_average_start"], run["load_average_end"]) == (6.26, 1.5)
    assert run["thresholds"] == "test budgets"


def test_a_new_run_replaces_its_own_row_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "load.json"
    early = MachineSample(START.at - datetime.timedelta(days=3), 0.5)
    write_run(path, entry(verdict("stress"), workers=2, start=early))
    write_run(path, entry(verdict("baseline", p95=80)))
    document = write_run(path, entry(verdict("baseline")))  # the same key as the one before

    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk == document and on_disk["format"] == FORMAT
    assert [(r["profile"], r["workers"]) for r in on_disk["runs"]] == [
        ("baseline", 1),
        ("stress", 2),
    ]
    assert on_disk["runs"][0]["gate"] == "pass on all 2 operations"  # the later baseline run
    # the oldest row dates the file, so the docs warn when any row is stale
    assert on_disk["measured_at"] == early.at.isoformat(timespec="seconds")
    assert not list(tmp_path.glob(".*partial"))


def test_a_file_not_written_by_refarch_load_is_refused_with_a_fix(tmp_path: Path) -> None:
    typed = tmp_path / "load.json"
    typed.write_text('{"command": "typed", "runs": []}', encoding="utf-8")
    with pytest.raises(CannotRun, match=r"was not written by refarch load .* delete it"):
        check_results_file(typed)
    with pytest.raises(CannotRun, match="does not exist; create it"):
        check_results_file(tmp_path / "missing" / "load.json")


def test_the_docs_render_what_the_run_wrote(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    write_run(tmp_path / "results" / "load.json", entry(verdict(p95=80)))
    page = render_load(tmp_path, today=datetime.date(2026, 11, 30))

    assert "Measured 2026-11-29" in page and "docs/results/load.json" in page
    assert "| `baseline` (60 s) | 50 | 40 req/s | 80 ms / 160 ms | 0 | fail on 2 of 2" in page
    assert "`refarch load --profile baseline` at 2026-11-29 21:10 UTC" in page
    assert "load average 6.26 at the start, 1.5 at the end" in page
    # 6.26 on 2 cores: the page says the machine was busy
    assert "other work competed for the CPU" in page


def test_a_quiet_machine_gets_no_busy_note(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    quiet = MachineSample(START.at, 0.4)
    write_run(tmp_path / "results" / "load.json", entry(verdict(), start=quiet))
    assert "other work competed" not in render_load(tmp_path, today=datetime.date(2026, 11, 30))
