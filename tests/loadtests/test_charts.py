"""The load report's charts: built from Locust's stats history, valid SVG, holding the series
they claim (one point per history row), the limits and the baseline, byte-identical per input."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from refarch.loadtests import render
from refarch.loadtests.baseline import load_baseline, save_baseline
from refarch.loadtests.charts import render_chart
from refarch.loadtests.history import HISTORY_CSV, OVERALL, Series, read_history
from refarch.loadtests.profiles import RunShape
from refarch.loadtests.report_files import write_report_files
from refarch.loadtests.summary import OperationStats, RunSummary
from refarch.loadtests.thresholds import Limits, RegressionMargins, Thresholds
from refarch.loadtests.verdict import judge

SVG = "{http://www.w3.org/2000/svg}"
HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size"
)


def history_row(t: int, name: str, rps: float, p50: str, p95: str, p99: str, top: str) -> str:
    kind = "" if name == "Aggregated" else "GET"
    return f"{t},10,{kind},{name},{rps},0.5,{p50},0,0,0,0,{p95},0,{p99},0,0,{top},5,1,10,10,1,{top},100"


def write_history(path: Path) -> Path:
    """Five seconds of a run: the first second has no responses yet (Locust writes N/A or 0)."""
    rows = [
        history_row(1000, "getProduct", 0, "N/A", "N/A", "N/A", "N/A"),
        history_row(1000, "Aggregated", 0, "0", "0", "0", "0"),
    ]
    for second in range(1, 5):
        rows.append(history_row(1000 + second, "getProduct", 10 + second, "5", "20", "30", "40"))
        rows.append(history_row(1000 + second, "Aggregated", 20 + second, "6", "25", "35", "50"))
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def plotted_points(svg: str, gid: str) -> int:
    """How many vertices the path drawn for ``gid`` has (NaN gaps split it into pieces)."""
    root = ET.fromstring(svg)
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, f"no {gid} in the SVG"
    paths = group.findall(f".//{SVG}path")
    return sum(len(re.findall(r"[ML] ", path.get("d", "") + " ")) for path in paths)


def ids(svg: str) -> set[str]:
    return {el.get("id", "") for el in ET.fromstring(svg).iter(f"{SVG}g")}


def test_the_history_reads_every_operation_and_the_run_as_a_whole(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / HISTORY_CSV))

    assert set(history) == {"getProduct", OVERALL}
    overall = history[OVERALL]
    assert overall.t_s == [0, 1, 2, 3, 4]
    assert overall.rps == [0, 21, 22, 23, 24]
    # no response yet is "no figure", never a latency of 0 ms
    assert math.isnan(overall.p95_ms[0]) and math.isnan(history["getProduct"].p95_ms[0])
    assert overall.p95_ms[1:] == [25, 25, 25, 25]


def test_a_chart_is_svg_with_every_series_it_names(tmp_path: Path) -> None:
    series = read_history(write_history(tmp_path / HISTORY_CSV))[OVERALL]

    svg = render_chart("overall: pass", series, Limits(p95_ms=100, p99_ms=300, min_rps=5))

    assert {"series-p50", "series-p95", "series-p99", "series-rps", "series-failures"} <= ids(svg)
    assert {"threshold-p95", "threshold-p99", "threshold-min-rps"} <= ids(svg)
    assert not {"baseline-p95", "baseline-rps"} & ids(svg)
    assert plotted_points(svg, "series-p95") == 4  # the second with no response is a gap
    assert plotted_points(svg, "series-rps") == 5
    assert "overall: pass" in svg and "p95 limit (100 ms)" in svg


def test_a_chart_without_limits_draws_no_threshold_lines(tmp_path: Path) -> None:
    series = read_history(write_history(tmp_path / HISTORY_CSV))["getProduct"]

    svg = render_chart("getProduct", series, Limits())

    assert not {i for i in ids(svg) if i.startswith("threshold-")}


def test_a_baseline_with_history_is_drawn_beside_the_run(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / HISTORY_CSV))
    baseline = Series("overall", t_s=[0, 2, 4], p95_ms=[10, 12, math.nan], rps=[30, 31, 32])

    svg = render_chart("overall", history[OVERALL], Limits(p95_ms=100), baseline)

    assert plotted_points(svg, "baseline-p95") == 2
    assert plotted_points(svg, "baseline-rps") == 3


def test_the_same_run_gives_byte_identical_svg(tmp_path: Path) -> None:
    series = read_history(write_history(tmp_path / HISTORY_CSV))[OVERALL]
    first = render_chart("overall", series, Limits(p95_ms=100))
    second = render_chart("overall", series, Limits(p95_ms=100))
    assert first == second
    assert "<dc:date>" not in first  # no timestamp in the metadata


def test_a_saved_baseline_keeps_its_curves(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / HISTORY_CSV))
    stats = OperationStats("getProduct", 120, 0, 3, 9, 20, 12.5)
    path = tmp_path / "baseline.json"
    save_baseline(
        path,
        RunSummary([stats], stats, 5.0),
        RunShape("smoke", 10, 10, 15),
        source="test",
        history=history,
    )
    loaded = load_baseline(path).history
    assert loaded[OVERALL].rps == history[OVERALL].rps
    assert math.isnan(loaded[OVERALL].p95_ms[0])
    assert loaded[OVERALL].p95_ms[1:] == history[OVERALL].p95_ms[1:]


def test_the_report_embeds_each_chart_in_markdown_and_html(tmp_path: Path) -> None:
    write_history(tmp_path / HISTORY_CSV)
    stats = OperationStats("getProduct", 120, 0, 5, 20, 30, 12.5)
    total = OperationStats("Aggregated", 120, 0, 6, 25, 35, 22.0)
    budget = Limits(p95_ms=10, p99_ms=100)
    thresholds = Thresholds(Limits(), {"getProduct": budget}, RegressionMargins(), "test")
    verdict = judge(RunSummary([stats], total, 5.0), RunShape("smoke", 10, 10, 15), thresholds)

    files = write_report_files(verdict, tmp_path)

    assert set(files.charts) == {OVERALL, "getProduct"}
    markdown = files.markdown.read_text(encoding="utf-8")
    assert markdown.startswith(render.to_markdown(verdict))
    assert "](charts/overall.svg)" in markdown and "](charts/getProduct.svg)" in markdown
    product_svg = files.charts["getProduct"].read_text(encoding="utf-8")
    assert "threshold-p95" in ids(product_svg) and "getProduct: FAIL" in product_svg
    html = files.html.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and 'id="series-p95"' in html
    assert "FAIL: load gate" in html


def test_chart_links_can_point_where_ci_publishes_the_report(tmp_path: Path) -> None:
    write_history(tmp_path / HISTORY_CSV)
    stats = OperationStats("getProduct", 120, 0, 5, 20, 30, 12.5)
    thresholds = Thresholds(Limits(), {}, RegressionMargins(), "test")
    verdict = judge(RunSummary([stats], stats, 5.0), RunShape("smoke", 10, 10, 15), thresholds)

    files = write_report_files(verdict, tmp_path, chart_url="https://ci.example.com/run/42/")

    markdown = files.markdown.read_text(encoding="utf-8")
    assert "](https://ci.example.com/run/42/charts/overall.svg)" in markdown
    assert "](charts/" not in markdown
