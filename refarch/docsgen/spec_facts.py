"""What the specs say about the system's shape, for the diagrams-as-code scripts.

The C4 diagrams in ``diagrams/`` take their services and operations from
``specs/openapi`` and their tables from ``specs/sql`` through this module, so adding a
service, an operation or a table changes the pictures on the next ``refarch docs
diagrams`` (and ``--check`` fails until they are re-rendered and committed).
"""

from __future__ import annotations

from dataclasses import dataclass

from refarch.docsgen.ddl_model import load_data_model
from refarch.specs import SERVICES, load_openapi, operations, spec_path

__all__ = ["ServiceFacts", "service_facts"]


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    summary: str  # the OpenAPI document's info.summary
    operation_ids: tuple[str, ...]  # in spec order
    tables: tuple[str, ...]  # tables its migrations create in its own schema ("" if none)

    def operations_text(self, limit: int = 4) -> str:
        """``a, b, c, d and 3 more``: a box label that stays short as the API grows."""
        shown = ", ".join(self.operation_ids[:limit])
        rest = len(self.operation_ids) - limit
        return f"{shown} and {rest} more" if rest > 0 else shown


def service_facts(version: str = "v1") -> list[ServiceFacts]:
    """Every service that has an OpenAPI document for ``version``, in the specs' order."""
    tables = {schema.name: tuple(t.name for t in schema.tables) for schema in load_data_model()}
    found = []
    for service in SERVICES:
        if not spec_path(service, version).is_file():
            continue
        document = load_openapi(service, version)
        found.append(
            ServiceFacts(
                name=service,
                summary=str(document.get("info", {}).get("summary", "")).rstrip("."),
                operation_ids=tuple(op.operation_id for op in operations(version, (service,))),
                tables=tables.get(service, ()),
            )
        )
    return found
