"""The hand-over from the CLI to the Locust process: one JSON file named by an env var.

The CLI seeds the catalog and decides where statistics go; the locustfile (a separate
process) reads both from here. Kept free of Locust imports so the CLI can write it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["RUN_DATA_ENV", "RunData"]

RUN_DATA_ENV = "REFARCH_LOAD_RUN_DATA"


@dataclass(frozen=True)
class RunData:
    api_prefix: str  # e.g. "/api/v1": every journey path starts with it
    run_id: str  # makes this run's test users unique
    category_ids: list[str]
    products: list[dict[str, Any]]  # {"id", "price_cents"}
    search_terms: list[str]
    summary_path: str  # where the master writes the run's statistics

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def from_environment(cls) -> RunData:
        path = os.environ.get(RUN_DATA_ENV)
        if not path:
            raise RuntimeError(
                f"{RUN_DATA_ENV} is not set: run this locustfile through `refarch load`"
            )
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
