"""Write the generated reference pages for one spec version into ``docs/reference/<version>/``.

The single-file bundles (``specs/bundles``) are copied beside them, into
``bundles/<service>.yaml``, so the site offers them for download to client generators.

The folder is rebuilt from scratch on every run (and git-ignored), so a page for a removed
operation or table can never linger.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refarch.bundle import BUNDLES_DIR
from refarch.docsgen.api_pages import render_api_index, render_service_page
from refarch.docsgen.data_pages import render_schema_page
from refarch.docsgen.ddl_model import load_data_model
from refarch.docsgen.event_pages import (
    EVENTS_DIR,
    event_page_name,
    render_event_index,
    render_event_page,
)
from refarch.docsgen.requirement_index import load_catalog
from refarch.docsgen.requirement_pages import render_owasp_page, render_requirements_page
from refarch.docsgen.test_tags import TagCollectionError
from refarch.docsgen.version_selector import add_version_selector
from refarch.event_contract import EventContract, load_event_contract
from refarch.specs import (
    SERVICES,
    Operation,
    asyncapi_path,
    load_openapi,
    operations,
    spec_path,
    specs_root,
    versions,
)

__all__ = ["GenerationError", "GenerationResult", "generate_reference"]


class GenerationError(RuntimeError):
    """The specs could not be turned into pages; the message says which spec and why."""


@dataclass(frozen=True)
class GenerationResult:
    version: str
    out_dir: Path
    pages: tuple[Path, ...]
    services: tuple[str, ...]
    operations: int
    tables: int
    requirements: int
    tested_requirements: int


def _write_page(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written.append(path)


def _publish_bundles(specs: Path, services: tuple[str, ...], version: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for service in services:
        bundle = specs / BUNDLES_DIR / service / f"{version}.yaml"
        if not bundle.is_file():
            raise GenerationError(f"no bundle {bundle} for the download page: run `make bundle`")
        shutil.copyfile(bundle, out / f"{service}.yaml")


def _write_event_pages(
    out: Path, events: EventContract, ops: list[Operation], write: Callable[[Path, str], None]
) -> None:
    service_of = {op.operation_id: op.service for op in ops}
    write(out / "index.md", render_event_index(events, service_of))
    for event in events:
        write(out / event_page_name(event.type), render_event_page(event, service_of))


def generate_reference(
    docs_dir: Path, repo_root: Path, version: str = "v1", specs: Path | None = None
) -> GenerationResult:
    """Generate every reference page for ``version``; raises GenerationError on bad specs."""
    specs = specs or specs_root()
    services = tuple(s for s in SERVICES if spec_path(s, version, specs).is_file())
    if not services:
        raise GenerationError(f"no OpenAPI documents for version {version!r} under {specs}/openapi")
    try:
        documents: dict[str, dict[str, Any]] = {
            s: load_openapi(s, version, root=specs) for s in services
        }
        ops = operations(version, services, root=specs)
        catalog = load_catalog(version, repo_root, specs)
        schemas = load_data_model(specs)
        events = (
            load_event_contract(version, specs) if asyncapi_path(version, specs).is_file() else None
        )
    except TagCollectionError as exc:
        raise GenerationError(str(exc)) from exc
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise GenerationError(f"reading the {version} specs failed: {exc}") from exc

    out_dir = docs_dir / "reference" / version
    if out_dir.exists():
        shutil.rmtree(out_dir)
    written: list[Path] = []
    all_versions = versions(specs)
    # only the versions with an event contract have event pages to link to
    with_events = [v for v in all_versions if asyncapi_path(v, specs).is_file()]

    def _write(path: Path, text: str, written: list[Path]) -> None:
        page = path.relative_to(out_dir).as_posix()
        linked = with_events if page.startswith(f"{EVENTS_DIR}/") else all_versions
        _write_page(path, add_version_selector(text, version, linked, page), written)

    try:
        for service in services:
            service_ops = [op for op in ops if op.service == service]
            _write(
                out_dir / "api" / f"{service}.md",
                render_service_page(
                    service,
                    documents[service],
                    service_ops,
                    catalog,
                    has_data_page=service in {schema.name for schema in schemas},
                    service_of={op.operation_id: op.service for op in ops},
                ),
                written,
            )
        for schema in schemas:
            _write(
                out_dir / "data" / f"{schema.name}.md", render_schema_page(schema, version), written
            )
        _write(out_dir / "requirements.md", render_requirements_page(catalog, ops), written)
        _write(out_dir / "owasp.md", render_owasp_page(catalog), written)
        if events is not None:
            _write_event_pages(
                out_dir / EVENTS_DIR, events, ops, lambda path, text: _write(path, text, written)
            )
        _write(
            out_dir / "index.md",
            render_api_index(version, documents, ops, [s.name for s in schemas]),
            written,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise GenerationError(f"rendering the {version} reference failed: {exc!r}") from exc
    _publish_bundles(specs, services, version, out_dir / "bundles")
    return GenerationResult(
        version=version,
        out_dir=out_dir,
        pages=tuple(written),
        services=services,
        operations=len(ops),
        tables=sum(len(s.tables) for s in schemas),
        requirements=len(catalog.requirements),
        tested_requirements=sum(1 for r in catalog.requirements if catalog.tests.get(r.id)),
    )
