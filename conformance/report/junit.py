"""JUnit XML with two suites: one testcase per requirement, and one per test.

CI systems show one line per testcase, so a reader sees both which requirements fail and
which operations or scenarios proved it. Skips carry their reason, never count as passes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from refarch.conformance.results import RequirementVerdict, RunResult, TestRecord

__all__ = ["write_junit"]


def _testcase(parent: ET.Element, classname: str, name: str, seconds: float) -> ET.Element:
    return ET.SubElement(parent, "testcase", classname=classname, name=name, time=f"{seconds:.3f}")


def _failure_text(test: TestRecord) -> str:
    lines = [f"expected: {test.expected}", f"actual:   {test.actual}"] if test.expected else []
    lines += [f"reproduce: {curl}" for curl in test.curl]
    lines.append(test.details)
    return "\n".join(line for line in lines if line)


def _run_properties(suite: ET.Element, result: RunResult) -> None:
    """What replays the run (the seed above all), as the suite's JUnit properties."""
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("seed", result.seed),
        ("max_examples", result.max_examples),
        ("quick", str(result.quick).lower()),
        ("target", result.target),
        ("version", result.version),
    ):
        ET.SubElement(properties, "property", name=name, value=str(value))


def _suite(root: ET.Element, name: str, cases: int, failures: int, skipped: int) -> ET.Element:
    return ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(cases),
        failures=str(failures),
        skipped=str(skipped),
        errors="0",
    )


def write_junit(result: RunResult, verdicts: list[RequirementVerdict], path: Path) -> None:
    root = ET.Element("testsuites", name=f"refarch conformance {result.version}")
    suite = _suite(
        root,
        "requirements",
        len(verdicts),
        sum(v.status == "failed" for v in verdicts),
        sum(v.status == "skipped" for v in verdicts),
    )
    _run_properties(suite, result)
    for verdict in verdicts:
        case = _testcase(
            suite,
            "requirements",
            f"{verdict.id} {verdict.title}",
            sum(t.duration for t in verdict.tests),
        )
        if verdict.status == "failed":
            failed = [t for t in verdict.tests if t.outcome == "failed"]
            failure = ET.SubElement(case, "failure", message=verdict.reason)
            failure.text = "\n\n".join(f"{t.nodeid}\n{_failure_text(t)}" for t in failed)
        elif verdict.status == "skipped":
            ET.SubElement(case, "skipped", message=verdict.reason)
    tests = _suite(
        root,
        "tests",
        len(result.tests),
        sum(t.outcome == "failed" for t in result.tests),
        sum(t.outcome == "skipped" for t in result.tests),
    )
    _run_properties(tests, result)
    for test in result.tests:
        module, _, name = test.nodeid.rpartition("::")
        case = _testcase(tests, module.replace("/", ".").removesuffix(".py"), name, test.duration)
        ET.SubElement(
            ET.SubElement(case, "properties"),
            "property",
            name="requirements",
            value=",".join(test.requirements),
        )
        if test.outcome == "failed":
            failure = ET.SubElement(case, "failure", message=test.message[:500])
            failure.text = _failure_text(test)
        elif test.outcome == "skipped":
            ET.SubElement(case, "skipped", message=test.message)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
