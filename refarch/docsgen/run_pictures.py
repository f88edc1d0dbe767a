"""Pictures of real runs for the guides: a load chart and the HTML conformance report.

Drawn at every docs build from outputs of real runs kept in ``run_examples/`` (see its
README), so the guides always show what the current code makes of them, never a hand-made
image. The load chart is an SVG and goes into the page as it is; the conformance report is
HTML, so Chromium takes a screenshot of it. Both land in ``docs/reference/examples/``
(generated and git-ignored, like the rest of ``docs/reference/``), beside a copy of the
HTML report the guide links to.

The drawing code belongs to ``loadtests`` and ``conformance``, which the docs generator
may not import (ARCHITECTURE.md); each runs in a child process through its own entry point.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from refarch.docsgen.generate import GenerationError

__all__ = ["EXAMPLES", "PicturesError", "render_run_pictures"]

EXAMPLES = Path(__file__).with_name("run_examples")
#: the charts the load-testing guide shows: the whole run, and one operation that failed
LOAD_CHARTS = ("overall", "getProduct")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
TIMEOUT_S = 120


class PicturesError(GenerationError):
    """A picture could not be made; the message says which and why."""


def _run(what: str, command: list[str], cwd: Path) -> None:
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    if completed.returncode != 0:
        raise PicturesError(f"{what} failed:\n{(completed.stderr or completed.stdout)[-2000:]}")


def _entry_point(module: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        f"import sys; from {module} import main; sys.exit(main(sys.argv[1:]))",
    ]


def _chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise PicturesError(
        "Chromium is needed to screenshot the example conformance report and was not found; "
        "`make setup` installs it (Debian package chromium)."
    )


def render_run_pictures(
    root: Path, progress: Callable[[str], None] = lambda _line: None
) -> list[Path]:
    """Write the example pictures under ``<root>/docs/reference/examples/``; returns them."""
    out_dir = root.resolve() / "docs" / "reference" / "examples"
    out_dir.mkdir(parents=True, exist_ok=True)
    progress(f"pictures  load charts and the conformance report from {EXAMPLES.name}/")
    _run(
        "drawing the example load charts",
        [
            *_entry_point("refarch.loadtests.redraw"),
            str(EXAMPLES / "locust_stats_history.csv"),
            str(out_dir),
            *LOAD_CHARTS,
        ],
        cwd=root,
    )
    report = out_dir / "conformance.html"
    _run(
        "rendering the example conformance report",
        [
            *_entry_point("refarch.conformance.report.html"),
            str(EXAMPLES / "conformance.json"),
            str(report),
        ],
        cwd=root,
    )
    expanded = out_dir / "conformance-expanded.html"
    _run(
        "rendering the example conformance report (failures only, open)",
        [
            *_entry_point("refarch.conformance.report.html"),
            str(EXAMPLES / "conformance.json"),
            str(expanded),
            "--expanded",
            "--only-failures",
        ],
        cwd=root,
    )
    screenshot = out_dir / "conformance-report.png"
    _run(
        "the Chromium screenshot of the example conformance report",
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--window-size=1200,1100",
            f"--screenshot={screenshot}",
            expanded.as_uri(),
        ],
        cwd=out_dir,
    )
    expanded.unlink()  # only the screenshot needed it
    pictures = [*(out_dir / f"load-{name}.svg" for name in LOAD_CHARTS), report, screenshot]
    missing = [path.name for path in pictures if not path.is_file()]
    if missing:
        raise PicturesError(f"the example pictures were not all written: {', '.join(missing)}")
    return pictures
