"""``refarch docs``: generate the reference pages, build the site, serve it, render diagrams."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from refarch.docsgen.generate import GenerationError
from refarch.docsgen.site_build import BuildError, build_site, checkout_root
from refarch.docsgen.static_server import make_server

__all__ = ["docs"]


def _progress(line: str) -> None:
    click.echo(line, err=True)


def _build(out: Path, versions: tuple[str, ...]) -> Path:
    try:
        report = build_site(out.resolve(), versions=versions, progress=_progress)
    except GenerationError as exc:
        raise click.ClickException(f"generating the reference pages failed: {exc}") from exc
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    _progress(
        f"built     {report.site_dir} in {report.total_seconds:.1f} s "
        f"(generation {report.generation_seconds:.1f} s, mkdocs {report.mkdocs_seconds:.1f} s)"
    )
    return report.site_dir


@click.group()
def docs() -> None:
    """Generate and build (or serve) the documentation site."""


@docs.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Directory the static site is written to.",
)
@click.option(
    "--version",
    "versions",
    multiple=True,
    metavar="VERSION",
    help="Spec version to generate reference pages for (repeatable; default: all).",
)
def build(out: Path, versions: tuple[str, ...]) -> None:
    """Generate the reference pages from the specs, then build the site (strict)."""
    site = _build(out, versions)
    click.echo(f"Open {site / 'index.html'} in a browser, or run: refarch docs serve")


@docs.command()
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; the default keeps the site on this machine.",
)
@click.option(
    "--version",
    "versions",
    multiple=True,
    metavar="VERSION",
    help="Spec version to generate reference pages for (repeatable; default: all).",
)
def serve(port: int, host: str, versions: tuple[str, ...]) -> None:
    """Build the site into a temporary directory and serve it until interrupted."""
    with tempfile.TemporaryDirectory(prefix="refarch-site-") as tmp:
        site = _build(Path(tmp) / "site", versions)
        server = make_server(site, host, port)
        click.echo(f"Serving the docs at http://{host}:{server.server_address[1]}/ (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped")
        finally:
            server.server_close()


@docs.command()
@click.option(
    "--check",
    is_flag=True,
    help="Render to a temporary directory and fail if a committed SVG differs.",
)
def diagrams(check: bool) -> None:
    """Render the diagrams-as-code scripts in diagrams/ to docs/assets/diagrams/*.svg."""
    script = checkout_root() / "diagrams" / "render.py"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(script), *(["--check"] if check else [])], check=False
    )
    if completed.returncode != 0:
        sys.exit(completed.returncode)
    _progress(f"diagrams  done in {time.perf_counter() - started:.1f} s")


@docs.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/screenshots"),
    show_default=True,
    help="Directory the PNG files are written to (one per page and width).",
)
def screenshots(out: Path) -> None:
    """Build the site and shoot its key pages at 1280 px and 390 px, for review."""
    from refarch.docsgen.screenshots import ScreenshotError, take_screenshots

    with tempfile.TemporaryDirectory(prefix="refarch-site-") as tmp:
        site = _build(Path(tmp) / "site", ())
        try:
            shots = take_screenshots(site, out.resolve())
        except ScreenshotError as exc:
            raise click.ClickException(str(exc)) from exc
    for shot in shots:
        click.echo(f"{shot.viewport:8} {shot.page:13} {shot.path}")
