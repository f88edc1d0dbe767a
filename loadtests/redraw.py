"""Draw charts from a saved stats history, outside a load run (the docs build does this).

``main([history_csv, out_dir, name, ...])`` writes ``<out_dir>/load-<name>.svg`` for each
name (``overall`` or an operationId), with the limits the specs' ``x-slo`` set.
"""

from __future__ import annotations

import sys
from pathlib import Path

from refarch.loadtests.charts import render_chart
from refarch.loadtests.history import OVERALL, read_history
from refarch.loadtests.thresholds import load_thresholds

__all__ = ["main"]


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: main([HISTORY_CSV, OUT_DIR, NAME, ...])", file=sys.stderr)
        return 2
    history_csv, out_dir, names = Path(argv[0]), Path(argv[1]), argv[2:]
    history = read_history(history_csv)
    missing = [name for name in names if name not in history]
    if missing:
        print(
            f"{history_csv} has no history for {', '.join(missing)}; "
            f"it has {', '.join(sorted(history)) or 'nothing'}.",
            file=sys.stderr,
        )
        return 2
    thresholds = load_thresholds(None)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        limits = thresholds.overall if name == OVERALL else thresholds.for_operation(name)
        svg = render_chart(name, history[name], limits)
        (out_dir / f"load-{name}.svg").write_text(svg, encoding="utf-8")
    return 0
