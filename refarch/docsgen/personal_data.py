"""Personal data the specs hold, found in the schemas themselves rather than listed by hand.

Every OpenAPI component schema is flattened into field paths and every migration's columns
are read; a field or column whose name says it identifies or locates a person (email,
names, phone, a postal address) is listed with where it appears. A new personal field in
a spec shows up on the privacy page on the next build.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from refarch.docsgen.ddl_model import load_data_model
from refarch.docsgen.markdown import code, table
from refarch.docsgen.schema_fields import fields
from refarch.specs import SERVICES, load_openapi, spec_path

__all__ = ["PERSONAL_FIELDS", "find_personal_data", "render_personal_data"]

#: kind of personal data -> how a field path's last part (or an enclosing object) is named
PERSONAL_FIELDS: dict[str, re.Pattern[str]] = {
    "email address": re.compile(r"(^|\.)e?mail$"),
    "name": re.compile(r"(^|\.)(first_name|last_name|full_name|display_name)$"),
    "phone number": re.compile(r"(^|\.)phone(_number)?$"),
    "postal address": re.compile(r"(^|\.)(\w+_)?address(\.|$)"),
}


def _kind(path: str) -> str | None:
    for kind, pattern in PERSONAL_FIELDS.items():
        if pattern.search(path):
            return kind
    return None


def find_personal_data(version: str = "v1") -> dict[str, dict[str, set[str]]]:
    """kind -> {"api": {"users: User.email", ...}, "stored": {"users.users.email", ...}}."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"api": set(), "stored": set()})
    for service in SERVICES:
        if not spec_path(service, version).is_file():
            continue
        schemas = load_openapi(service, version).get("components", {}).get("schemas", {})
        for schema_name, schema in schemas.items():
            for field in fields(schema):
                kind = _kind(field.path)
                if kind:
                    # an address is one item however many lines it has
                    shown = re.sub(r"(address)\..*$", r"\1", field.path)
                    found[kind]["api"].add(f"{service}: {schema_name}.{shown}")
    for schema in load_data_model():
        for db_table in schema.tables:
            for column in db_table.columns:
                kind = _kind(column.name)
                if kind:
                    found[kind]["stored"].add(f"{schema.name}.{db_table.name}.{column.name}")
    return dict(found)


def render_personal_data(docs_dir: Path) -> str:
    found = find_personal_data()
    rows = [
        [
            kind,
            "<br>".join(code(a) for a in sorted(found[kind]["api"])) or "—",
            "<br>".join(code(s) for s in sorted(found[kind]["stored"])) or "—",
        ]
        for kind in PERSONAL_FIELDS
        if kind in found
    ]
    return (
        "*Generated at build time from `specs/openapi` (component schemas) and `specs/sql` "
        "(columns); a field is listed when its name marks it as personal data.*\n\n"
        + table(["personal data", "in the API (service: schema.field)", "stored in (schema.table.column)"], rows)
    )  # fmt: skip
