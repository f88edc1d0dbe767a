"""The event contract checks: the pinned AsyncAPI parser (ASY001) and the project rules
(ASY002-ASY008), each shown failing on a small specs tree broken in one place."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from refarch.spec_checks import CheckOptions, run_checks
from refarch.spec_checks.asyncapi_rules import check_asyncapi_rules
from refarch.spec_checks.asyncapi_validity import check_asyncapi_validity, find_parser_modules
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.yaml_source import SourceCache
from refarch.specs import asyncapi_version_for
from tests.spec_checks.conftest import SpecTree, rules

FIXTURES = Path(__file__).parent / "fixtures" / "events"
EVENTS = "asyncapi/v1.yaml"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def event_tree(spec_tree: SpecTree) -> SpecTree:
    """The minimal specs plus a one-event AsyncAPI document and its EVT requirement."""
    shutil.copyfile(FIXTURES / "asyncapi-v1.yaml", spec_tree.write(EVENTS, ""))
    requirement = yaml.safe_load((FIXTURES / "requirement.yaml").read_text(encoding="utf-8"))
    spec_tree.edit_yaml("requirements/v1.yaml", lambda d: d["requirements"].append(requirement))
    return spec_tree


def _rules_findings(tree: SpecTree, implementation: Path | None = None) -> list[Finding]:
    return check_asyncapi_rules(tree.path(EVENTS), tree.layout(), SourceCache(), implementation)


def _message(doc: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = doc["components"]["messages"]["WidgetCreated"]
    return message


def _parser_modules() -> Path:
    modules = find_parser_modules(REPO)
    if modules is None:
        pytest.fail("the pinned @asyncapi/parser is missing: run `make setup` (npm ci)")
    return modules


def test_the_minimal_event_contract_has_no_findings(event_tree: SpecTree) -> None:
    assert _rules_findings(event_tree) == []
    assert check_asyncapi_validity(event_tree.path(EVENTS), _parser_modules()) == []


def test_asy001_the_parser_reports_an_invalid_action_at_its_line(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS, lambda d: d["operations"]["publishWidgetCreated"].update(action="emit")
    )

    findings = check_asyncapi_validity(event_tree.path(EVENTS), _parser_modules())

    assert rules(findings) == ["ASY001"]
    assert "action" in findings[0].message
    assert findings[0].line == event_tree.line_of(EVENTS, "action: emit")


def test_asy001_the_parser_follows_refs_into_the_openapi_documents(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS,
        lambda d: _message(d)["payload"]["allOf"][1]["properties"]["data"].update(
            {"$ref": "../openapi/shop/v1.yaml#/components/schemas/Gadget"}
        ),
    )

    findings = check_asyncapi_validity(event_tree.path(EVENTS), _parser_modules())

    assert "ASY001" in rules(findings)
    assert any("Gadget" in f.message for f in findings)


def test_asy002_a_message_without_examples(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(EVENTS, lambda d: _message(d).pop("examples"))

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY002"
    assert "widget.created has no examples" in finding.message


def test_asy003_an_example_that_breaks_a_schema_referenced_from_openapi(
    event_tree: SpecTree,
) -> None:
    event_tree.edit_yaml(
        EVENTS, lambda d: _message(d)["examples"][0]["payload"]["data"].update(id="seven")
    )

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY003"
    assert "at /data/id" in finding.message
    assert finding.line == event_tree.line_of(EVENTS, "id: seven")


def test_asy003_an_example_with_the_wrong_type(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS, lambda d: _message(d)["examples"][0]["payload"].update(type="widget.removed")
    )

    assert rules(_rules_findings(event_tree)) == ["ASY003"]


def test_asy004_a_message_nobody_sends(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(EVENTS, lambda d: d["operations"]["publishWidgetCreated"].pop("x-service"))

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY004"
    assert "widget.created has no producer" in finding.message


def test_asy004_a_message_with_two_producers(event_tree: SpecTree) -> None:
    def second_sender(doc: dict[str, Any]) -> None:
        twin = dict(doc["operations"]["publishWidgetCreated"], **{"x-service": "billing"})
        doc["operations"]["publishWidgetCreatedAgain"] = twin

    event_tree.edit_yaml(EVENTS, second_sender)

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY004"
    assert "2 producers (shop, billing)" in finding.message


def test_asy005_a_message_without_an_evt_requirement(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(EVENTS, lambda d: _message(d).update({"x-requirements": ["WID-001"]}))

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY005"
    assert "names no EVT- requirement" in finding.message


def test_asy005_a_requirement_id_missing_from_the_catalog(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS, lambda d: _message(d).update({"x-requirements": ["EVT-001", "EVT-099"]})
    )

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY005"
    assert "EVT-099, which is not in the requirements catalog" in finding.message
    assert finding.line == event_tree.line_of(EVENTS, "EVT-099")


def test_asy006_an_event_the_implementation_publishes_but_the_contract_lacks(
    event_tree: SpecTree, tmp_path: Path
) -> None:
    source = tmp_path / "impl"
    (source / "shop").mkdir(parents=True)
    (source / "shop" / "service.py").write_text(
        "def remove(uow, widget):\n"
        "    uow.add_event(Event(event_type='widget.created', payload={}))\n"
        "    uow.add_event(Event(event_type='widget.removed', payload={}))\n",
        encoding="utf-8",
    )
    (source / "events.py").write_text(
        "TYPES = ('widget.created', 'widget.renamed')\n", encoding="utf-8"
    )

    findings = _rules_findings(event_tree, implementation=source)

    assert rules(findings) == ["ASY006", "ASY006"]
    by_type = {f.message.split()[4].rstrip(","): f for f in findings}
    assert set(by_type) == {"widget.removed", "widget.renamed"}
    assert by_type["widget.removed"].path == source / "shop" / "service.py"
    assert by_type["widget.removed"].line == 3


def test_asy007_a_channel_address_that_does_not_name_its_message(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS, lambda d: d["channels"]["widgetCreated"].update(address="refarch.widgets")
    )

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY007"
    assert "expected 'refarch.widget.created'" in finding.message


def test_asy008_a_causing_operation_that_does_not_exist(event_tree: SpecTree) -> None:
    event_tree.edit_yaml(
        EVENTS,
        lambda d: d["operations"]["publishWidgetCreated"].update({"x-caused-by": ["makeWidget"]}),
    )

    [finding] = _rules_findings(event_tree)

    assert finding.rule == "ASY008"
    assert "unknown operationId 'makeWidget'" in finding.message


def test_a_specs_tree_without_events_has_no_event_phases(spec_tree: SpecTree) -> None:
    results = run_checks(CheckOptions(specs_dir=spec_tree.root, database=False))

    assert [r.title for r in results if "AsyncAPI" in r.title or "ASY" in r.title] == []


def test_the_repository_event_contract_passes_every_event_check() -> None:
    results = run_checks(CheckOptions(specs_dir=REPO / "specs", database=False))

    event_phases = [r for r in results if "AsyncAPI" in r.title or "ASY" in r.title]
    assert [r.title for r in event_phases if r.skipped_because] == []
    assert [f.as_text() for r in event_phases for f in r.findings] == []
    assert len(event_phases) == 2


@pytest.mark.parametrize(
    ("api_version", "expected"), [("v1", "v1"), ("v2", "v1"), ("v3", "v3"), ("v4", "v3")]
)
def test_an_api_version_publishes_by_its_own_or_the_newest_earlier_event_contract(
    tmp_path: Path, api_version: str, expected: str
) -> None:
    # the events are versioned apart from the HTTP API: /api/v2 keeps v1's events until an
    # asyncapi/v2.yaml exists
    (tmp_path / "asyncapi").mkdir()
    for version in ("v1", "v3"):
        (tmp_path / "asyncapi" / f"{version}.yaml").write_text("asyncapi: 3.0.0\n")
    assert asyncapi_version_for(api_version, tmp_path) == expected


def test_no_event_contract_for_an_api_version_before_the_first_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "asyncapi").mkdir()
    (tmp_path / "asyncapi" / "v2.yaml").write_text("asyncapi: 3.0.0\n")
    with pytest.raises(FileNotFoundError, match="no AsyncAPI document for API version 'v1'"):
        asyncapi_version_for("v1", tmp_path)
