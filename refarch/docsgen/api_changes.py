"""Generated blocks about API changes: the diff's rule catalogs, an example report and the
changelog between published major versions (``refarch specs diff`` on the specs themselves).

The changelog is never written by hand: a change missing from it is missing from the specs.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from refarch.specs import SERVICES, spec_path, specs_root

__all__ = [
    "render_changelog",
    "render_diff_example",
    "render_diff_rules",
    "render_sql_expand_rules",
]


def render_diff_rules(docs_dir: Path) -> str:
    """Every rule id `refarch specs diff` can report, from the catalog in the code."""
    from refarch.spec_diff import RULES

    lines = [
        f"The catalog has **{len(RULES)} rules**.",
        "",
        "| rule id | severity | who breaks and how |",
        "|---|---|---|",
    ]
    lines += [f"| `{r.id}` | {r.severity.value} | {r.explanation} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


def render_sql_expand_rules(docs_dir: Path) -> str:
    from refarch.spec_checks.expand_only import RULES

    lines = ["| rule id | a migration after a service's first must ensure |", "|---|---|"]
    lines += [f"| `{rule}` | {statement} |" for rule, statement in RULES.items()]
    return "\n".join(lines) + "\n"


#: A small API before and after a pull request: one break, one addition, one deprecation.
_EXAMPLE_OLD: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "example", "version": "1.4.0"},
    "paths": {
        "/items": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string", "maxLength": 200}},
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "created"}},
            },
            "get": {"responses": {"200": {"description": "the items"}}},
        }
    },
}


def _example_new() -> dict[str, Any]:
    import copy

    new = copy.deepcopy(_EXAMPLE_OLD)
    new["info"]["version"] = "1.5.0"
    post = new["paths"]["/items"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["sku"] = {"type": "string"}
    schema["required"].append("sku")
    schema["properties"]["name"]["maxLength"] = 300
    new["paths"]["/items"]["get"]["deprecated"] = True
    return new


def render_diff_example(docs_dir: Path) -> str:
    """The Markdown report on the example pair above, as a pull-request comment shows it."""
    from refarch.spec_diff.document import parse_document
    from refarch.spec_diff.report import PairResult, render

    old = parse_document(_EXAMPLE_OLD, "main:openapi.yaml", Path("/example/openapi.yaml"))
    new = parse_document(_example_new(), "openapi.yaml", Path("/example/openapi.yaml"))
    result = PairResult.compare(old, new)
    body = render([result], "markdown").split("\n", 2)[2]  # drop the report's own heading
    return body.replace("### ", "#### ")


def render_changelog(docs_dir: Path) -> str:
    """Each service's changes from one published major version to the next."""
    from refarch.spec_diff import load_document
    from refarch.spec_diff.report import PairResult, render

    root = specs_root()
    published = _published_versions(root)
    steps = list(itertools.pairwise(published))
    if not steps:
        return (
            f"Only {', '.join(published) or 'no version'} is published: there is no change "
            "between major versions to list yet.\n"
        )
    sections = []
    for old_version, new_version in steps:
        sections += [f"## {old_version} → {new_version}", ""]
        for service in _services(root):
            old_path = spec_path(service, old_version, root)
            new_path = spec_path(service, new_version, root)
            if not (old_path.is_file() and new_path.is_file()):
                kept = old_path.is_file() and not new_path.is_file()
                note = f"no {new_version} document" if kept else f"new in {new_version}"
                sections += [f"### {service}", "", f"*{note}*", ""]
                continue
            old = load_document(old_path, f"{service}/{old_version}.yaml")
            new = load_document(new_path, f"{service}/{new_version}.yaml")
            result = PairResult.compare(old, new)
            body = render([result], "markdown").split("\n", 2)[2]
            sections += [body.replace(f"### `{result.title()}`", f"### {service}")]
    return "\n".join(sections) + "\n"


def _services(root: Path) -> list[str]:
    """Service folders in the order the docs list services (refarch's first, then any other)."""
    found = [p.name for p in (root / "openapi").iterdir() if p.is_dir() and p.name != "common"]
    order = {name: index for index, name in enumerate(SERVICES)}
    return sorted(found, key=lambda name: (order.get(name, len(order)), name))


def _published_versions(root: Path) -> list[str]:
    """Major versions with at least one service document, in numeric order (v2 before v10)."""
    found = {p.stem for p in (root / "openapi").glob("*/v*.yaml") if re.fullmatch(r"v\d+", p.stem)}
    return sorted(found, key=lambda v: int(v[1:]))
