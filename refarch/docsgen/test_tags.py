"""Which tests claim which requirement, read the way pytest reads them: by collecting.

Two child ``pytest --collect-only`` runs, side by side, each with the small plugin in
``tag_collector_plugin``: one over the black-box conformance suite (with the plugins
``refarch conform`` loads), one over the project's own tests. A tag written any way pytest
accepts (a module ``pytestmark`` with a starred tuple, a class mark, a parametrised test)
is found, because pytest itself resolved it; nothing is grepped.

Collecting the conformance suite takes several seconds (Schemathesis loads the specs), so
the answer is cached under ``.refarch/`` keyed by the content of every collected file.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from refarch.docsgen.tag_collector_plugin import OUT_ENV

__all__ = ["TagCollectionError", "TestReference", "collect_requirement_tests"]

PLUGIN = "refarch.docsgen.tag_collector_plugin"
CACHE_DIR = Path(".refarch") / "cache"
#: A dummy target: collection never connects, but the suite refuses to load without one.
UNUSED_BASE_URL = "http://127.0.0.1:9"


class TagCollectionError(RuntimeError):
    """pytest could not collect a suite; the message holds the end of its output."""


@dataclass(frozen=True)
class TestReference:
    """``conformance/suite/test_orders.py::test_ord_004_concurrent_orders_never_oversell``."""

    __test__ = False  # not a pytest class, despite the name

    path: str  # relative to the repository root, forward slashes
    name: str  # the test function, ``Class::function`` or ``<module>``
    black_box: bool = True  # False: the project's own tests of the reference implementation

    def __str__(self) -> str:
        return f"{self.path}::{self.name}" if self.name != "<module>" else self.path


#: Runs pytest the way ``refarch conform`` does: the suite's plugin object, holding the run's
#: options, handed to ``pytest.main`` (in a child process, so the docs generator never imports
#: the conformance package itself).
SUITE_LAUNCHER = """
import sys
import pytest
from refarch.conformance.options import RunOptions
from refarch.conformance.plugin import ConformanceRun

run = ConformanceRun(RunOptions(base_url=sys.argv[1], admin_email="", admin_password=""))
sys.exit(pytest.main(sys.argv[2:], plugins=[run]))
"""


def _conformance_args(suite: Path) -> list[str]:
    return [
        str(suite),
        "-c", str(suite / "pytest.toml"),
        "--rootdir", str(suite),
        "--disable-plugin-autoload",
        "-p", "_hypothesis_pytestplugin",
        "-p", "schemathesis.pytest.plugin",
    ]  # fmt: skip


def _fingerprint(*dirs: Path) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(sys.modules[PLUGIN].__file__ or "").read_bytes())
    for directory in dirs:
        for source in sorted(directory.rglob("*")):
            if source.suffix in {".py", ".toml"} and "__pycache__" not in source.parts:
                digest.update(source.as_posix().encode())
                digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


def _start(
    args: list[str], cwd: Path, out: Path, launcher: tuple[str, ...] = ("-m", "pytest")
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *launcher, "--collect-only", "-q", "-p", PLUGIN,
         "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:locust", *args],
        cwd=cwd,
        env={**os.environ, OUT_ENV: str(out)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def _finish(process: subprocess.Popen[str], out: Path, what: str) -> list[dict[str, object]]:
    output, _ = process.communicate(timeout=300)
    if process.returncode != 0 or not out.is_file():
        tail = "\n".join(output.splitlines()[-15:])
        raise TagCollectionError(f"collecting {what} with pytest failed:\n{tail}")
    found: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return found


def collect_requirement_tests(repo_root: Path) -> dict[str, list[TestReference]]:
    """Requirement id -> tests tagged with it: conformance suite first, then project tests."""
    suite = (repo_root / "conformance" / "suite").resolve()
    project_tests = (repo_root / "tests").resolve()
    dirs = [d for d in (suite, project_tests) if d.is_dir()]
    if not dirs:
        return {}
    # the cache lives in the real checkout (a scratch copy links its suites there)
    checkout = suite.parent.parent if suite.is_dir() else project_tests.parent
    # the whole conformance package counts: its plugin decides how marks reach the items
    watched = [suite.parent if suite.is_dir() else suite, project_tests]
    cache = (
        checkout / CACHE_DIR / f"test-tags-{_fingerprint(*[d for d in watched if d.is_dir()])}.json"
    )
    if cache.is_file():
        raw = json.loads(cache.read_text(encoding="utf-8"))
    else:
        raw = _collect(suite, project_tests)
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("test-tags-*.json"):  # one answer is kept, the newest
            old.unlink(missing_ok=True)
        cache.write_text(json.dumps(raw), encoding="utf-8")
    tests: dict[str, list[TestReference]] = defaultdict(list)
    for entry in raw:
        reference = TestReference(entry["path"], entry["name"], entry["black_box"])
        for requirement_id in entry["requirements"]:
            if reference not in tests[requirement_id]:
                tests[requirement_id].append(reference)
    return dict(tests)


def _collect(suite: Path, project_tests: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="refarch-tags-") as scratch:
        jobs = []
        if suite.is_dir():
            out = Path(scratch) / "conformance.json"
            args = _conformance_args(suite)
            launcher = ("-c", SUITE_LAUNCHER, UNUSED_BASE_URL)
            # run from the package root holding conformance/, so the suite's modules import
            root = suite.parent.parent
            jobs.append((_start(args, root, out, launcher), out, True, root))
        if project_tests.is_dir():
            out = Path(scratch) / "project.json"
            root = project_tests.parent
            jobs.append((_start([str(project_tests)], root, out), out, False, root))
        entries: list[dict[str, object]] = []
        for process, out, black_box, root in jobs:
            what = "the conformance suite" if black_box else "the project's tests"
            for found in _finish(process, out, what):
                path = Path(str(found["file"])).resolve().relative_to(root).as_posix()
                entries.append({**found, "path": path, "black_box": black_box})
    return sorted(entries, key=lambda e: (not e["black_box"], str(e["path"]), str(e["name"])))
