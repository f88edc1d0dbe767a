"""``refarch load``: seed, run Locust in its own process, judge, report, exit 0/1/2.

Exit codes: 0 the gate passed; 1 a threshold or a regression failed; 2 the run could not
happen or could not be judged (unreachable URL, rejected admin credentials, a bad thresholds
or baseline file, Locust crashing), always with a one-paragraph reason and never a traceback.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import click

from refarch.loadtests import render
from refarch.loadtests.baseline import Baseline, load_baseline, save_baseline
from refarch.loadtests.errors import CannotRun
from refarch.loadtests.event_delay import EventDelayProbe
from refarch.loadtests.history import HISTORY_CSV, read_history
from refarch.loadtests.live import DEFAULT_PLAIN_EVERY_S, LiveStatus
from refarch.loadtests.profiles import PROFILES, RunShape, resolve_run_shape
from refarch.loadtests.report_files import write_report_files
from refarch.loadtests.results_file import (
    MachineSample,
    check_results_file,
    machine_description,
    redacted_command,
    run_entry,
    sample_machine,
    write_run,
)
from refarch.loadtests.rundata import RunData
from refarch.loadtests.runner import Distribution, Interrupted, run_locust
from refarch.loadtests.seeding import prepare_catalog
from refarch.loadtests.summary import RunSummary, read_summary
from refarch.loadtests.thresholds import Thresholds, load_thresholds
from refarch.loadtests.verdict import Verdict, judge

__all__ = ["load"]

MAX_PROCESSES = 32


@dataclass(frozen=True)
class LoadOptions:
    base_url: str
    shape: RunShape
    api_version: str
    thresholds: Path | None
    baseline: Path | None
    save_baseline: Path | None
    distribution: Distribution
    report_dir: Path
    admin_email: str | None
    admin_password: str | None
    status_every_s: float = DEFAULT_PLAIN_EVERY_S
    chart_url: str | None = None
    results_file: Path | None = None
    target_workers: int = 1
    command: str = "refarch load"  # as run, secrets removed; recorded in the results file
    #: NATS URL of the target's broker: adds the event delay line to the verdict
    broker_url: str | None = None
    subject_prefix: str = "refarch"


def _checked_base_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise CannotRun(f"--base-url {raw!r} is not an http(s) URL like http://127.0.0.1:8000.")
    return raw.rstrip("/")


def _checked_broker_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("nats", "tls") or not parts.hostname:
        raise CannotRun(
            f"--broker-url {raw!r} is not a NATS URL like nats://127.0.0.1:4222 (the broker "
            "the implementation publishes its events to)."
        )
    return raw


def _checked_chart_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CannotRun(
            f"--chart-url {raw!r} is not an http(s) URL; give the address where CI publishes "
            "the report directory, e.g. https://ci.example.com/artifacts/run-42/load-report."
        )
    return raw.rstrip("/")


def _distribution(processes: int, expect_workers: int, master_port: int) -> Distribution:
    if processes > 1 and expect_workers:
        raise CannotRun(
            "--processes and --expect-workers exclude each other: fork workers on this host, "
            "or wait for workers started elsewhere."
        )
    return Distribution(processes=processes, remote_workers=expect_workers, master_port=master_port)


def _run_watched(
    options: LoadOptions,
    thresholds: Thresholds,
    report_dir: Path,
    run_data: RunData,
    summary_path: Path,
) -> float | None:
    """Run Locust with the live status; the seconds it ran if Ctrl-C stopped it, else None."""
    try:
        with LiveStatus(options.shape, thresholds, plain_every_s=options.status_every_s) as live:
            locust = run_locust(
                options.base_url,
                options.shape,
                report_dir,
                run_data,
                summary_path,
                options.distribution,
                on_tick=live.tick,
            )
    except Interrupted as stop:
        click.echo(
            f"refarch load: interrupted after {stop.elapsed_s:.0f} s; Locust was stopped. "
            "Writing the partial report."
        )
        if not summary_path.exists():
            raise CannotRun(
                "interrupted before Locust recorded any statistics; no report was written."
            ) from None
        return stop.elapsed_s
    if locust.returncode != 0 or not summary_path.exists():
        tail = "\n".join(locust.log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:])
        raise CannotRun(
            f"Locust exited with code {locust.returncode} before the gate could judge the "
            f"run; the end of {locust.log}:\n{tail}"
        )
    return None


def _judgeable_summary(summary_path: Path, report_dir: Path, *, interrupted: bool) -> RunSummary:
    summary = read_summary(summary_path)
    if summary.total.samples == 0:
        raise CannotRun("Locust ran but sent no requests, so there is nothing to judge.")
    # a journey stopped by Ctrl-C may raise on its way out; that says nothing about the run
    if summary.exceptions and not interrupted:
        count = sum(summary.exceptions.values())
        first = next(iter(summary.exceptions))
        raise CannotRun(
            f"the load journeys raised {count} unexpected exception(s) (first: {first}), so the "
            f"run sent less load than asked for and is not judged; see "
            f"{report_dir / 'locust_exceptions.csv'}."
        )
    return summary


def _record_results(options: LoadOptions, verdict: Verdict, start: MachineSample) -> None:
    assert options.results_file is not None
    if verdict.interrupted:
        # partial figures would sit in the docs as if they were a finished run's
        click.echo(f"results NOT written to {options.results_file}: the run was interrupted")
        return
    distribution = options.distribution
    entry = run_entry(
        verdict,
        command=options.command,
        machine=machine_description(options.base_url),
        start=start,
        end=sample_machine(),
        target_workers=options.target_workers,
        load_processes=distribution.remote_workers or distribution.processes,
    )
    write_run(options.results_file, entry)
    click.echo(
        f"results written to {options.results_file} ({entry['profile']}, "
        f"{entry['workers']} target worker(s), load average {entry['load_average_start']} "
        f"at start, {entry['load_average_end']} at end)"
    )


def run_gate(options: LoadOptions) -> int:
    started = time.monotonic()
    machine_at_start = sample_machine()
    # everything that can be wrong with the inputs is found before any traffic is sent
    thresholds = load_thresholds(options.thresholds, version=options.api_version)
    if options.results_file:
        check_results_file(options.results_file)
    baseline: Baseline | None = load_baseline(options.baseline) if options.baseline else None
    if not (options.admin_email and options.admin_password):
        raise CannotRun(
            "admin credentials are needed to seed the load-test catalog: pass --admin-email and "
            "--admin-password, or set REFARCH_LOAD_ADMIN_EMAIL and REFARCH_LOAD_ADMIN_PASSWORD."
        )
    report_dir = options.report_dir.resolve()
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotRun(
            f"cannot create the report directory {report_dir}: {exc.strerror}."
        ) from None
    api = f"/api/{options.api_version}"

    click.echo(f"refarch load: seeding the load-test catalog through {options.base_url}{api} ...")
    catalog = prepare_catalog(options.base_url, api, options.admin_email, options.admin_password)
    seeded_after = time.monotonic() - started

    summary_path = report_dir / "summary.json"
    summary_path.unlink(missing_ok=True)  # a stale summary must never be judged as this run's
    (report_dir / HISTORY_CSV).unlink(missing_ok=True)  # nor a stale history drawn as this run's
    run_data = RunData(
        api_prefix=api,
        run_id=uuid.uuid4().hex[:10],
        category_ids=catalog.category_ids,
        products=catalog.products,
        search_terms=catalog.search_terms,
        admin_token=catalog.admin_token,
    )
    shape = options.shape
    click.echo(
        f"refarch load: catalog ready in {seeded_after:.1f} s; running {shape.profile} "
        f"({shape.users} users, {shape.duration_s} s, {options.distribution.describe()}) "
        f"against {options.base_url}"
    )
    with contextlib.ExitStack() as probes:
        probe = None
        if options.broker_url is not None:
            probe = probes.enter_context(
                EventDelayProbe(
                    options.base_url,
                    api,
                    options.broker_url,
                    str(catalog.products[0]["id"]),
                    subject_prefix=options.subject_prefix,
                )
            )
        interrupted_after = _run_watched(options, thresholds, report_dir, run_data, summary_path)
    summary = _judgeable_summary(
        summary_path, report_dir, interrupted=interrupted_after is not None
    )

    if baseline is not None:
        click.echo(
            f"refarch load: comparing with the baseline {options.baseline} "
            f"({baseline.shape.profile}, recorded {baseline.created_at})"
        )
    verdict = replace(
        judge(summary, shape, thresholds, baseline), interrupted_after_s=interrupted_after
    )
    if probe is not None:
        verdict.notes.append(probe.delays.line())
    click.echo("refarch load: drawing the charts and writing the reports ...")
    files = write_report_files(verdict, report_dir, chart_url=options.chart_url)
    click.echo(render.to_terminal(verdict))
    if options.save_baseline:
        if verdict.passed:
            history = read_history(report_dir / HISTORY_CSV)
            save_baseline(
                options.save_baseline, summary, shape, source=options.base_url, history=history
            )
            click.echo(f"baseline saved to {options.save_baseline}")
        else:
            # a baseline is the bar later runs are held to: never record a failing (or an
            # interrupted) run as one
            click.echo(f"baseline NOT saved to {options.save_baseline}: this run did not pass")
    if options.results_file:
        _record_results(options, verdict, machine_at_start)
    written = [files.json.name, files.html.name]
    if (report_dir / "locust.html").exists():  # Locust writes it only when a run ends on time
        written.append("locust.html")
    click.echo(
        f"reports: {files.markdown}, {', '.join(written)}, {len(files.charts)} charts in "
        f"{files.markdown.parent / 'charts'} (total {time.monotonic() - started:.1f} s)"
    )
    return verdict.exit_code


@click.command(context_settings={"max_content_width": 100})
@click.option(
    "--base-url",
    required=True,
    help="Root URL of the implementation under test; all traffic goes there only.",
)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default="smoke",
    show_default=True,
    help="Bounded run shape: "
    + "; ".join(
        f"{p.name}: {p.users} users, {p.duration_s} s (max {p.max_users}, {p.max_duration_s} s)"
        for p in PROFILES.values()
    ),
)
@click.option("--users", type=int, help="Concurrent users (up to the profile's maximum).")
@click.option("--spawn-rate", type=float, help="Users started per second.")
@click.option("--duration", help="Run time, e.g. 30s, 2m (up to the profile's maximum).")
@click.option(
    "--thresholds",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML thresholds overriding the specs' x-slo.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Baseline JSON to check for regressions.",
)
@click.option(
    "--save-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write this run's figures as a baseline (only if it passed).",
)
@click.option(
    "--processes",
    type=click.IntRange(1, MAX_PROCESSES),
    default=1,
    show_default=True,
    help="Locust worker processes on this host (master/worker mode when > 1).",
)
@click.option(
    "--expect-workers",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="Run as master and wait for this many remote `locust --worker` processes (see the guide).",
)
@click.option(
    "--master-port",
    type=click.IntRange(1, 65535),
    default=5557,
    show_default=True,
    help="Port remote workers connect to (with --expect-workers).",
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("load-report"),
    show_default=True,
    help="Where verdict.md, verdict.json and locust.html go.",
)
@click.option(
    "--admin-email",
    envvar="REFARCH_LOAD_ADMIN_EMAIL",
    help="Admin account used to seed the catalog [env REFARCH_LOAD_ADMIN_EMAIL].",
)
@click.option(
    "--admin-password",
    envvar="REFARCH_LOAD_ADMIN_PASSWORD",
    help="[env REFARCH_LOAD_ADMIN_PASSWORD]",
)
@click.option(
    "--status-every",
    type=click.FloatRange(min=1),
    default=DEFAULT_PLAIN_EVERY_S,
    show_default=True,
    help="Seconds between status lines when the output is a log, not a terminal (or CI=true).",
)
@click.option(
    "--chart-url",
    help="URL where CI publishes the report directory: verdict.md then links its charts "
    "there, so a pull-request comment can show them [default: relative links].",
)
@click.option(
    "--results-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also record this run's headline figures, the command, date and machine (load "
    "average included) in this JSON file, replacing an earlier run of the same profile and "
    "worker counts; the docs render docs/results/load.json.",
)
@click.option(
    "--broker-url",
    envvar="REFARCH_LOAD_BROKER_URL",
    help="NATS URL of the broker the target publishes its events to: adds the event delay "
    "(commit -> event -> notification via the API) to the verdict.",
)
@click.option(
    "--subject-prefix",
    default="refarch",
    show_default=True,
    help="The target's event subject prefix (with --broker-url).",
)
@click.option(
    "--target-workers",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Worker processes the target runs (e.g. `refarch serve --workers N`); refarch load "
    "cannot see them, it only records the number with --results-file.",
)
@click.option(
    "--spec-version",
    "--api-version",
    "api_version",
    default="v1",
    show_default=True,
    help="API major version to load and take SLOs from.",
)
def load(
    base_url: str,
    profile: str,
    users: int | None,
    spawn_rate: float | None,
    duration: str | None,
    thresholds: Path | None,
    baseline: Path | None,
    save_baseline: Path | None,
    processes: int,
    expect_workers: int,
    master_port: int,
    report_dir: Path,
    admin_email: str | None,
    admin_password: str | None,
    api_version: str,
    status_every: float,
    chart_url: str | None,
    results_file: Path | None,
    broker_url: str | None,
    subject_prefix: str,
    target_workers: int,
) -> None:
    """Run a bounded load test against --base-url and gate on thresholds and a baseline.

    Exit code 0: passed; 1: a threshold or regression failed; 2: could not run.
    """
    try:
        if target_workers != 1 and results_file is None:
            raise CannotRun(
                "--target-workers is only recorded in a results file; add --results-file PATH "
                "or drop --target-workers."
            )
        options = LoadOptions(
            base_url=_checked_base_url(base_url),
            shape=resolve_run_shape(profile, users=users, spawn_rate=spawn_rate, duration=duration),
            api_version=api_version,
            thresholds=thresholds,
            baseline=baseline,
            save_baseline=save_baseline,
            distribution=_distribution(processes, expect_workers, master_port),
            report_dir=report_dir,
            admin_email=admin_email,
            admin_password=admin_password,
            status_every_s=status_every,
            chart_url=_checked_chart_url(chart_url) if chart_url else None,
            results_file=results_file,
            target_workers=target_workers,
            command=redacted_command(sys.argv),
            broker_url=_checked_broker_url(broker_url) if broker_url else None,
            subject_prefix=subject_prefix,
        )
        code = run_gate(options)
    except CannotRun as exc:
        click.echo(f"refarch load: could not run: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        # not exit 1: an interrupted run says nothing about the implementation
        # Locust, if it had started, was already stopped by the runner
        click.echo("refarch load: could not run: interrupted; no Locust process is left.", err=True)
        sys.exit(2)
    sys.exit(code)
