"""The hand-over from the CLI to Locust: the seeded catalog and this run's id.

It travels as a custom Locust option (``--refarch-run-data <json>``) because Locust forwards
custom options from the master to every worker, on this host or another, with each spawn
message: a remote worker needs nothing but the package and the master's address. Kept free
of Locust imports so the CLI can build it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["RUN_DATA_OPTION", "STATUS_PATH_ENV", "SUMMARY_PATH_ENV", "RunData"]

RUN_DATA_OPTION = "--refarch-run-data"
#: Where the master writes the run's statistics; only the master ever reads it.
SUMMARY_PATH_ENV = "REFARCH_LOAD_SUMMARY"
#: Where the master rewrites the run's statistics so far every few seconds, for live status.
STATUS_PATH_ENV = "REFARCH_LOAD_STATUS"


@dataclass(frozen=True)
class RunData:
    api_prefix: str  # e.g. "/api/v1": every journey path starts with it
    run_id: str  # makes this run's test users unique
    category_ids: list[str]
    products: list[dict[str, Any]]  # {"id", "price_cents"}
    search_terms: list[str]
    admin_token: str = ""  # for the admin-dashboard journey; "" when it should not run

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, document: str) -> RunData:
        return cls(**json.loads(document))
