"""The requirements catalog page and the OWASP API Top 10 (2023) coverage page."""

from __future__ import annotations

from refarch.docsgen.markdown import GENERATED_NOTICE, badge, code, table
from refarch.docsgen.requirement_index import TracedCatalog
from refarch.requirements import OWASP_API_TOP10_2023, Requirement
from refarch.specs import Operation

__all__ = ["render_owasp_page", "render_requirements_page"]

#: Heading per requirement-id prefix, in reading order; unknown prefixes follow.
PREFIX_TITLES = {
    "API": "API contract rules (API)",
    "SEC": "Security (SEC)",
    "AUTH": "Authentication (AUTH)",
    "USR": "Users (USR)",
    "CAT": "Catalog (CAT)",
    "ORD": "Orders (ORD)",
    "NTF": "Notifications (NTF)",
    "EVT": "Events (EVT)",
    "OPS": "Operations (OPS)",
}

NO_TEST = "no test yet"


def _operation_links(requirement: Requirement, by_id: dict[str, Operation]) -> str:
    if requirement.cross_cutting:
        return "every operation"
    links = []
    for operation_id in requirement.operations:
        op = by_id.get(operation_id)
        if op is None:
            # an unknown id is a spec error the spec checks report; show it, do not link it
            links.append(f"{code(operation_id)} (unknown operation)")
        else:
            links.append(f"[{code(operation_id)}](api/{op.service}.md#{operation_id})")
    return ", ".join(links)


def _tests_text(requirement: Requirement, catalog: TracedCatalog) -> str:
    tests = catalog.tests.get(requirement.id, [])
    black_box = [code(t) for t in tests if t.black_box]
    own = [code(t) for t in tests if not t.black_box]
    parts = ["; ".join(black_box)] if black_box else []
    if own:
        parts.append("project's own tests (not black-box): " + "; ".join(own))
    return "; ".join(parts) or NO_TEST


def _verification(requirement: Requirement, catalog: TracedCatalog) -> str:
    """``conformance``, ``project tests`` or ``none``: how the requirement is checked."""
    tests = catalog.tests.get(requirement.id, [])
    if any(t.black_box for t in tests):
        return "conformance"
    return "project tests" if tests else "none"


def _section(requirement: Requirement, catalog: TracedCatalog, by_id: dict[str, Operation]) -> str:
    severity = badge(
        requirement.severity.upper(), "must" if requirement.severity == "must" else "should"
    )
    facts = [f"- **Operations:** {_operation_links(requirement, by_id)}"]
    if requirement.owasp:
        facts.append(
            "- **OWASP:** "
            + ", ".join(f"[{o}](owasp.md#{_owasp_anchor(o)})" for o in requirement.owasp)
        )
    tests = catalog.tests.get(requirement.id, [])
    black_box = [t for t in tests if t.black_box]
    own = [t for t in tests if not t.black_box]
    if black_box:
        facts.append(
            "- **Verified by the conformance suite (black-box):**\n"
            + "\n".join(f"    - {code(t)}" for t in black_box)
        )
    if own:
        facts.append(
            "- **Verified by the project's own tests** (inside the reference implementation, "
            "not black-box):\n" + "\n".join(f"    - {code(t)}" for t in own)
        )
    if not tests:
        facts.append(f"- **Verified by:** {NO_TEST}")
    return "\n\n".join(
        [
            f"### {requirement.id} {requirement.title} {{ #{requirement.id} }}",
            f"{severity} {requirement.statement}",
            "\n".join(facts),
        ]
    )


def _prefix(requirement_id: str) -> str:
    return requirement_id.rsplit("-", 1)[0]


def _source(catalog: TracedCatalog) -> str:
    own = f"`specs/requirements/{catalog.version}.yaml`"
    if catalog.extends is None:
        return f"Source: {own}."
    removed = "".join(
        f" {rid} does not hold in {catalog.version}: {why.rstrip('.')}."
        for rid, why in catalog.removed
    )
    return (
        f"Source: {own}, which extends the {catalog.extends} catalog: every {catalog.extends} "
        f"rule holds in {catalog.version} unless that file restates or removes it.{removed}"
    )


def render_requirements_page(catalog: TracedCatalog, ops: list[Operation]) -> str:
    by_id = {op.operation_id: op for op in ops}
    how = {r.id: _verification(r, catalog) for r in catalog.requirements}
    black_box = sum(1 for v in how.values() if v == "conformance")
    own_only = sum(1 for v in how.values() if v == "project tests")
    total = len(catalog.requirements)
    untested = total - black_box - own_only
    sections = [
        GENERATED_NOTICE,
        f"# Requirements catalog ({catalog.version})",
        _source(catalog) + " Each requirement has a stable id "
        "that means the same rule in every version and that the API reference, the "
        "conformance suite and its reports all use. Tests are "
        'found by their `@pytest.mark.requirement("ID")` marker, read by letting pytest '
        "collect the conformance suite (`conformance/suite`) and the project's own tests "
        "(`tests/`), so a tag written any way pytest accepts counts.",
        f"**{total} requirements: {black_box} verified by the black-box conformance suite, "
        f"{own_only} only by the project's own tests of the reference implementation (a "
        f"black-box client cannot reach them), {untested} "
        f"{'shows' if untested == 1 else 'show'} “{NO_TEST}”.**",
        table(
            ["Id", "Title", "Verified by (tests)"],
            [
                [
                    f"[{r.id}](#{r.id})",
                    r.title + (" (should)" if r.severity != "must" else ""),
                    f"{how[r.id]} ({len(catalog.tests.get(r.id, []))})",
                ]
                for r in catalog.requirements
            ],
        ),
        "## Cross-cutting rules",
        "These bind every operation of every service: "
        + (", ".join(f"[{r.id}](#{r.id})" for r in catalog.cross_cutting) or "none")
        + ".",
    ]
    prefixes = list(PREFIX_TITLES)
    for requirement in catalog.requirements:
        if _prefix(requirement.id) not in prefixes:
            prefixes.append(_prefix(requirement.id))
    for prefix in prefixes:
        group = [r for r in catalog.requirements if _prefix(r.id) == prefix]
        if not group:
            continue
        sections.append(f"## {PREFIX_TITLES.get(prefix, prefix)}")
        sections.extend(_section(r, catalog, by_id) for r in group)
    return "\n\n".join(sections) + "\n"


def _owasp_anchor(owasp_id: str) -> str:
    """``API1:2023`` -> ``api1-2023``."""
    return owasp_id.lower().replace(":", "-")


def render_owasp_page(catalog: TracedCatalog) -> str:
    summary_rows = []
    sections: list[str] = []
    for owasp_id, name in OWASP_API_TOP10_2023.items():
        requirements = catalog.for_owasp(owasp_id)
        tests = sorted({str(t) for r in requirements for t in catalog.tests.get(r.id, [])})
        summary_rows.append(
            [
                f"[{owasp_id}](#{_owasp_anchor(owasp_id)})",
                name,
                ", ".join(f"[{r.id}](requirements.md#{r.id})" for r in requirements) or "none",
                str(len(tests)),
            ]
        )
        body = [f"## {owasp_id} {name} {{ #{_owasp_anchor(owasp_id)} }}"]
        if not requirements:
            body.append(
                "No requirement in this catalog names this risk. The security chapter explains "
                "whether it applies to this platform."
            )
        else:
            body.append(
                table(
                    ["Requirement", "Statement", "Verified by"],
                    [
                        [f"[{r.id}](requirements.md#{r.id})", r.statement, _tests_text(r, catalog)]
                        for r in requirements
                    ],
                )
            )
        sections.append("\n\n".join(body))
    unknown = sorted(
        {o for r in catalog.requirements for o in r.owasp if o not in OWASP_API_TOP10_2023}
    )
    head = [
        GENERATED_NOTICE,
        f"# OWASP API Security Top 10 (2023) coverage ({catalog.version})",
        "Each risk of the OWASP API Security Top 10, 2023 edition, with the requirements that "
        "address it and the conformance tests that check them. A risk with no test is a gap, "
        "shown as one.",
        table(["Risk", "Name", "Requirements", "Tests"], summary_rows),
    ]
    if unknown:
        head.append(
            "Requirements also cite ids outside the 2023 list: "
            + ", ".join(code(u) for u in unknown)
            + "."
        )
    return "\n\n".join(head + sections) + "\n"
