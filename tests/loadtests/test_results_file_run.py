"""``refarch load --results-file`` end to end: a real smoke run records itself; a results file
it cannot extend stops the run before any traffic."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

from refarch.docsgen.measured import render_load
from tests.loadtests.conftest import RunLoad, admin_of
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.loadtests.test_bad_input import SOME_ADMIN, assert_cannot_run
from tests.support.server import ServerHandle, free_port


@pytest.mark.slow
def test_a_smoke_run_writes_its_figures_where_the_docs_read_them(
    shop: ServerHandle, run_load: RunLoad, tmp_path: Path
) -> None:
    results = tmp_path / "docs" / "results" / "load.json"
    results.parent.mkdir(parents=True)
    email, password = admin_of(shop)
    result = run_load(
        shop.base_url,
        "--profile", "smoke", "--duration", "5s",
        "--thresholds", str(SHARED_RUNNER_BUDGET),
        "--admin-email", email, "--admin-password", password,
        "--results-file", str(results),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert f"results written to {results}" in result.output
    written = json.loads(results.read_text(encoding="utf-8"))
    (run,) = written["runs"]
    verdict = result.verdict()
    assert (run["profile"], run["seconds"], run["users"]) == ("smoke", 5, 10)
    assert run["requests"] == verdict["overall"]["observed"]["requests"] > 0
    assert run["p95_ms"] == verdict["overall"]["observed"]["p95_ms"]
    assert run["errors"] == 0 and run["gate"].startswith("pass on all")
    assert run["command"].startswith("refarch load --base-url " + shop.base_url)
    assert "--admin-password '***'" in run["command"] and password not in results.read_text()
    assert run["cores"] == os.cpu_count() and run["load_average_end"] >= 0
    measured = datetime.datetime.fromisoformat(run["measured_at"])
    assert abs(datetime.datetime.now(datetime.UTC) - measured) < datetime.timedelta(hours=1)
    # the docs generator renders this very file
    page = render_load(tmp_path / "docs", today=measured.date())
    assert f"| `smoke` (5 s) | 10 | {round(run['rps'])} req/s" in page


@pytest.mark.parametrize(
    ("args", "content", "expected"),
    [
        (("--results-file", "{results}"), '{"runs": []}', "was not written by refarch load"),
        (("--results-file", "{results}"), "not json", "cannot be read as JSON"),
        (("--results-file", "{missing}"), None, "does not exist; create it"),
        (("--target-workers", "2"), None, "add --results-file PATH"),
    ],
)
def test_a_results_file_it_cannot_write_stops_the_run_before_any_traffic(
    run_load: RunLoad,
    tmp_path: Path,
    args: tuple[str, ...],
    content: str | None,
    expected: str,
) -> None:
    results = tmp_path / "load.json"
    if content is not None:
        results.write_text(content, encoding="utf-8")
    paths = {"results": str(results), "missing": str(tmp_path / "no-such-dir" / "load.json")}
    # nothing listens on the URL: the error must come from the file, before the first request
    result = run_load(
        f"http://127.0.0.1:{free_port()}",
        *(arg.format(**paths) for arg in args),
        admin=SOME_ADMIN,
    )
    assert_cannot_run(result.output, result.exit_code, expected)
