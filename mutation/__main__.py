"""``make mutation``: the quick conformance suite against every mutant of the domain,
service and repository modules; prints the score and the survivors, writes a JSON file.

    python -m mutation                      # everything, within the time budget
    python -m mutation --modules orders/service --sample 20
    python -m mutation --rerun reports/mutation/results.json   # only its survivors again
    python -m mutation --resume reports/mutation/results.json  # the mutants it has not run
"""

from __future__ import annotations

import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from mutation.mutants import MODULES, Mutant, enumerate_mutants
from mutation.report import Result, load_results, print_report, write_results
from mutation.runner import SPEC_VERSIONS, Outcome, run_mutant
from mutation.target import TestDatabase, kill_all, test_database
from mutation.triage import TriageError, load_triage
from mutation.workspace import Workspace
from refarch.specs import versions as spec_versions

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "reports" / "mutation" / "results.json"
TARGET = 0.90


def _select(
    mutants: list[Mutant], only: tuple[str, ...], sample: int | None, seed: int
) -> list[Mutant]:
    if only:
        by_id = {mutant.id: mutant for mutant in mutants}
        unknown = [mutant_id for mutant_id in only if mutant_id not in by_id]
        if unknown:
            raise click.UsageError(
                f"unknown mutant id(s): {', '.join(unknown)}; ids are printed with each "
                "survivor and listed in the results file"
            )
        return [by_id[mutant_id] for mutant_id in only]
    # a seeded shuffle: a run cut short by the time budget, or --sample, is a fair sample
    chosen = list(mutants)
    random.Random(seed).shuffle(chosen)
    return chosen[:sample] if sample else chosen


def _modules(option: str) -> tuple[str, ...]:
    if not option:
        return MODULES
    wanted = [part.strip() for part in option.split(",") if part.strip()]
    chosen = tuple(module for module in MODULES if any(part in module for part in wanted))
    if not chosen:
        raise click.UsageError(
            f"--modules {option!r} matches none of: {', '.join(MODULES)} (e.g. orders/service)"
        )
    return chosen


class _Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done, self.lock = total, 0, threading.Lock()

    def report(self, mutant: Mutant, outcome: Outcome) -> None:
        with self.lock:
            self.done += 1
            killers = ",".join(outcome.failed_requirements[:3])
            print(
                f"[{self.done}/{self.total}] {outcome.status:<10} {outcome.seconds:5.1f}s "
                f"{mutant.title}"
                + (f"  ({killers})" if killers else "")
                + (f"\n    id: {mutant.id}" if outcome.status == "survived" else ""),
                flush=True,
            )


def _run_all(
    mutants: list[Mutant],
    database: TestDatabase,
    work_root: Path,
    jobs: int,
    timeout: float,
    deadline: float,
    suite_from: Path | None,
    versions: tuple[str, ...],
) -> list[Result]:
    progress = _Progress(len(mutants))
    queue = list(reversed(mutants))
    lock = threading.Lock()
    results: list[Result] = []

    def worker(index: int) -> None:
        workspace = Workspace(REPO_ROOT, work_root / f"job{index}" / "src")
        while True:
            with lock:
                if not queue or time.monotonic() > deadline:
                    return
                mutant = queue.pop()
            outcome = run_mutant(
                mutant, workspace, database, work_root / f"job{index}", timeout, suite_from,
                versions,
            )  # fmt: skip
            progress.report(mutant, outcome)
            with lock:
                results.append(Result(mutant, outcome))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(worker, index) for index in range(jobs)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            # Ctrl-C or SIGTERM: no new mutant, and end the running ones now rather than
            # wait for them (the pool joins its threads on the way out)
            with lock:
                queue.clear()
            kill_all()
            raise
    order = {mutant.id: position for position, mutant in enumerate(mutants)}
    return sorted(results, key=lambda result: order[result.mutant.id])


@click.command()
@click.option("--modules", default="", help="Only modules matching these (e.g. orders/service).")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Run N mutants.")
@click.option("--seed", type=int, default=11, show_default=True, help="Order/sample seed.")
@click.option("--only", default="", help="Comma-separated mutant ids to run.")
@click.option(
    "--rerun",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A results file: run its survivors (or those of them given with --only) again and "
    "write it with the new outcomes merged in.",
)
@click.option(
    "--resume",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A results file from a run the time budget cut short (or a --sample): run the "
    "mutants in scope it has no outcome for and write it with their outcomes added.",
)
@click.option(
    "--spec-versions",
    default=",".join(SPEC_VERSIONS),
    show_default=True,
    help="The API versions whose quick suites judge each mutant, in order; a mutant "
    "survives only if all pass (e.g. v2 alone with --rerun to judge earlier v1 survivors).",
)
@click.option("--jobs", type=click.IntRange(1, 8), default=2, show_default=True)
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds one mutant may take, all versions' suites together.",
)
@click.option(
    "--budget-minutes",
    type=float,
    default=55.0,
    show_default=True,
    help="Start no new mutant after this long; the rest are reported as not run.",
)
@click.option(
    "--suite-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A source tree (with refarch/) whose conformance suite to run instead of this one's.",
)
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option(
    "--baseline/--no-baseline", default=True, help="First check the unmutated code passes."
)
def main(
    modules: str,
    sample: int | None,
    seed: int,
    only: str,
    rerun: Path | None,
    resume: Path | None,
    spec_versions: str,
    jobs: int,
    timeout: float,
    budget_minutes: float,
    suite_from: Path | None,
    out: Path,
    baseline: bool,
) -> None:
    """Mutation testing of the reference implementation, with the quick suite as the test."""
    versions = _versions(spec_versions)
    try:
        triage = load_triage()
    except TriageError as error:
        raise click.UsageError(str(error)) from None
    started = time.monotonic()
    everything = enumerate_mutants(REPO_ROOT, _modules(modules))
    if rerun and resume:
        raise click.UsageError(
            "--rerun runs a file's survivors again, --resume the mutants it has not run: "
            "give one of them"
        )
    source = rerun or resume
    previous: list[Result] = load_results(source) if source else []
    only_ids = tuple(part.strip() for part in only.split(",") if part.strip())
    pending = everything
    if resume:
        judged = {result.mutant.id for result in previous}
        # in the seeded order, so a resumed run cut short again is still a fair sample
        pending = [mutant for mutant in everything if mutant.id not in judged]
        if not pending:
            raise click.UsageError(f"{resume} already has an outcome for every mutant in scope")
    if rerun:
        again = {r.mutant.id for r in previous if r.outcome.status in ("survived", "error")}
        if only_ids and not set(only_ids) <= again:
            raise click.UsageError(
                f"--only with --rerun names mutants that did not survive in {rerun}: "
                + ", ".join(sorted(set(only_ids) - again))
            )
        wanted = set(only_ids) or again
        only_ids = tuple(mutant.id for mutant in everything if mutant.id in wanted)
    chosen = _select(pending, only_ids, sample, seed)
    in_scope = {mutant.id for mutant in everything}
    stale = sorted(
        mutant_id
        for mutant_id in set(triage) - in_scope
        if mutant_id.split("::")[0] in {mutant.path for mutant in everything}
    )
    for mutant_id in stale:
        print(f"warning: triage entry {mutant_id} names no current mutant", file=sys.stderr)
    print(
        f"{len(everything)} mutants in scope; running {len(chosen)} with {jobs} job(s)", flush=True
    )

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work_root = Path(tempfile.mkdtemp(prefix="refarch-mutation-"))
    try:
        with test_database(work_root / "pg") as database:
            if baseline:
                _check_baseline(database, work_root, timeout, suite_from, versions)
            deadline = started + budget_minutes * 60
            results = _run_all(
                chosen, database, work_root, jobs, timeout, deadline, suite_from, versions
            )
    finally:
        kill_all()
        shutil.rmtree(work_root, ignore_errors=True)
    if rerun:
        fresh = {result.mutant.id: result for result in results}
        results = [fresh.get(result.mutant.id, result) for result in previous]
    not_run = len(chosen) - len(results) if not rerun else 0
    if resume:
        # outcomes for mutants no longer in scope (the code changed) are dropped
        results = [r for r in previous if r.mutant.id in in_scope] + results
    if not_run:
        print(f"\n{not_run} mutants not run: the {budget_minutes:.0f}-minute budget ran out")
    result_score = print_report(results, triage, len(everything))
    meta: dict[str, Any] = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "in_scope": len(everything),
        "not_run": not_run,
        "seed": seed,
        "resumed_from": str(resume) if resume else None,
        "jobs": jobs,
        "spec_versions": list(versions),
        "suite_from": str(suite_from) if suite_from else None,
    }
    write_results(out, results, triage, meta)
    print(f"results: {out}")
    sys.exit(0 if result_score.detection_rate >= TARGET else 1)


def _versions(option: str) -> tuple[str, ...]:
    versions = tuple(part.strip() for part in option.split(",") if part.strip())
    known = spec_versions(REPO_ROOT / "specs")
    if not versions or not set(versions) <= set(known):
        raise click.UsageError(
            f"--spec-versions {option!r}: give API major versions the specs define, "
            f"comma-separated, out of {','.join(known)}"
        )
    return versions


def _check_baseline(
    database: TestDatabase,
    work_root: Path,
    timeout: float,
    suite_from: Path | None,
    versions: tuple[str, ...],
) -> None:
    """A mutant only 'survives' if the suite passes the unmutated code in this set-up."""
    workspace = Workspace(REPO_ROOT, work_root / "baseline" / "src")
    outcome = run_mutant(
        None, workspace, database, work_root / "baseline", timeout, suite_from, versions
    )
    print(f"baseline (no mutation): {outcome.status} in {outcome.seconds:.1f}s", flush=True)
    if outcome.status != "survived":
        print(
            "the quick suite does not pass the unmutated reference implementation here, so no "
            f"mutant outcome would mean anything; fix that first:\n{outcome.detail}",
            file=sys.stderr,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
