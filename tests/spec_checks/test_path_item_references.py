"""A v2 document may serve v1's paths by referencing its path items (ADR 0044): the project
rules and the requirements check see those operations, located where they are written."""

from __future__ import annotations

from pathlib import Path

from refarch.spec_checks.openapi_model import iter_operations
from refarch.spec_checks.yaml_source import SourceCache

V1 = """\
openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /things/{id}:
    get:
      operationId: getThing
      responses: {'200': {description: ok}}
"""
V2 = """\
openapi: 3.1.0
info: {title: t, version: 2.0.0}
paths:
  /things/{id}:
    $ref: 'v1.yaml#/paths/~1things~1{id}'
  /gone:
    $ref: 'v1.yaml#/paths/~1gone'
"""


def test_operations_behind_a_path_item_reference_are_found_where_written(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(V1)
    (tmp_path / "v2.yaml").write_text(V2)
    cache = SourceCache()
    v2 = cache.load(tmp_path / "v2.yaml")
    found = list(iter_operations("things", v2, cache))
    assert [(op.operation_id, op.url_path, op.source.path.name) for op in found] == [
        ("getThing", "/things/{id}", "v1.yaml")
    ]
    # without a cache (the old call) nothing is followed: no operation appears from nowhere
    assert list(iter_operations("things", v2)) == []
