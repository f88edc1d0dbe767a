"""A pytest plugin, loaded only by ``refarch.docsgen.test_tags`` in a child pytest.

After collection it writes every test's ``requirement`` marker arguments, exactly as pytest
resolved them (module ``pytestmark``, class and function marks, starred tuples), to the
JSON file named by ``REFARCH_TAGS_OUT``. It runs with ``--collect-only``: nothing executes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

OUT_ENV = "REFARCH_TAGS_OUT"


_ALL_ITEMS = pytest.StashKey[list[pytest.Item]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test as collected, before a suite's own hooks narrow the run (the conformance
    suite keeps only the tests of the run's API version; the docs list every version's)."""
    config.stash[_ALL_ITEMS] = list(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    out = os.environ.get(OUT_ENV)
    if not out:
        return
    found: list[dict[str, object]] = []
    for item in session.config.stash.get(_ALL_ITEMS, session.items):
        ids = [str(a) for m in item.iter_markers("requirement") for a in m.args]
        if ids:
            found.append(
                {
                    "file": str(item.path),
                    # the test as written: parametrised and generated cases share one entry
                    "name": item.nodeid.split("::", 1)[1].split("[", 1)[0]
                    if "::" in item.nodeid
                    else item.name,
                    "requirements": ids,
                }
            )
    Path(out).write_text(json.dumps(found), encoding="utf-8")
