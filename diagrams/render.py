"""Render every diagram in this folder to docs/assets/diagrams/<name>.svg, byte-identically.

    python diagrams/render.py            # (re)write the committed SVGs
    python diagrams/render.py --check    # exit 1 and list every committed SVG that is stale

Each ``*.py`` here (except this file) exposes ``DIAGRAMS: {name: draw(filename)}``. Scripts
are loaded by file path, never imported as a package: this folder has no ``__init__.py`` so
that it can never shadow the ``diagrams`` library it uses.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from refarch.docsgen.svg_determinism import make_deterministic

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "docs" / "assets" / "diagrams"


def discover() -> dict[str, Callable[[str], None]]:
    found: dict[str, Callable[[str], None]] = {}
    for script in sorted(HERE.glob("*.py")):
        if script.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(f"refarch_diagram_{script.stem}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while executing
        spec.loader.exec_module(module)
        for name, draw in module.DIAGRAMS.items():
            if name in found:
                raise SystemExit(f"{script.name}: diagram name {name!r} is already used")
            found[name] = draw
    return found


def render_all(out_dir: Path) -> list[Path]:
    """Render every diagram into ``out_dir``; returns the SVG files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="refarch-diagrams-") as scratch:
        for name, draw in discover().items():
            raw_base = Path(scratch) / name
            draw(str(raw_base))
            svg = make_deterministic(raw_base.with_suffix(".svg").read_text(encoding="utf-8"))
            target = out_dir / f"{name}.svg"
            target.write_text(svg, encoding="utf-8")
            written.append(target)
    return written


def stale(committed_dir: Path) -> list[str]:
    """Names of committed SVGs that differ from a fresh render (or are missing or extra)."""
    with tempfile.TemporaryDirectory(prefix="refarch-diagrams-check-") as fresh_dir:
        fresh = {p.name: p.read_bytes() for p in render_all(Path(fresh_dir))}
    committed = {p.name: p.read_bytes() for p in committed_dir.glob("*.svg")}
    problems = [
        f"{n}: differs from its regenerated output"
        for n in sorted(fresh)
        if n in committed and committed[n] != fresh[n]
    ]
    problems += [f"{n}: missing (not rendered yet)" for n in sorted(set(fresh) - set(committed))]
    problems += [f"{n}: no script renders it any more" for n in sorted(set(committed) - set(fresh))]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if a committed SVG is stale")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output (or, with --check, committed) directory",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = stale(args.out)
        for problem in problems:
            print(f"stale diagram {problem}", file=sys.stderr)
        if problems:
            print(
                "run: python diagrams/render.py  (then commit docs/assets/diagrams/)",
                file=sys.stderr,
            )
            return 1
        print(f"diagrams up to date in {args.out}")
        return 0
    for path in render_all(args.out):
        print(f"rendered {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
