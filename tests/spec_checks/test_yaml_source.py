"""Unit tests for locating values in YAML files and following $refs between them."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.spec_checks.yaml_source import (
    SourceCache,
    YamlSource,
    YamlSourceError,
    parse_pointer,
)

DOCUMENT = """\
openapi: 3.1.0
paths:
  /a/{id}:
    get:
      responses:
        '200':
          $ref: 'common.yaml#/components/responses/Ok'
        '404':
          $ref: '#/components/responses/Missing'
components:
  responses:
    Missing:
      $ref: 'common.yaml#/components/responses/Gone'
    Loop:
      $ref: '#/components/responses/Loop'
"""

COMMON = """\
components:
  responses:
    Ok:
      description: fine
      examples: [2026-11-18T08:00:00Z]
    Gone:
      description: gone
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "common.yaml").write_text(COMMON)
    main = tmp_path / "main.yaml"
    main.write_text(DOCUMENT)
    return main


def test_position_is_the_line_and_column_of_the_deepest_key(files: Path) -> None:
    source = YamlSource.load(files)

    assert source.position(("paths", "/a/{id}", "get", "responses", "404")) == (8, 9)
    assert source.position(("paths", "/a/{id}", "get", "no-such-key")) == (4, 5)


def test_position_of_a_list_item(files: Path) -> None:
    common = YamlSource.load(files.parent / "common.yaml")

    assert common.position(("components", "responses", "Ok", "examples", 0)) == (5, 18)


def test_timestamps_stay_strings_like_json_tools_read_them(files: Path) -> None:
    common = YamlSource.load(files.parent / "common.yaml")

    assert common.get(("components", "responses", "Ok", "examples")) == ["2026-11-18T08:00:00Z"]


def test_syntax_error_carries_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: 1\nb: [2\nc: 3\n")

    with pytest.raises(YamlSourceError) as caught:
        YamlSource.load(broken)

    assert caught.value.line == 3
    assert "invalid YAML" in caught.value.message


def test_pointer_unescapes_slashes_and_tildes() -> None:
    assert parse_pointer("/paths/~1a~1{id}/x~0y") == ("paths", "/a/{id}", "x~y")


def test_resolve_follows_a_chain_across_files(files: Path) -> None:
    cache = SourceCache()
    source = cache.load(files)

    target = cache.resolve(source, ("paths", "/a/{id}", "get", "responses", "404"))

    assert target.source.path == (files.parent / "common.yaml").resolve()
    assert target.pointer == ("components", "responses", "Gone")
    assert target.value == {"description": "gone"}


def test_follow_explains_what_is_missing(files: Path) -> None:
    cache = SourceCache()
    source = cache.load(files)

    with pytest.raises(LookupError, match="has no #/components/responses/Nope"):
        cache.follow(source, "common.yaml#/components/responses/Nope")
    with pytest.raises(LookupError, match=r"file other\.yaml does not exist"):
        cache.follow(source, "other.yaml#/x")
    with pytest.raises(LookupError, match="no URLs"):
        cache.follow(source, "https://example.com/x.yaml#/x")


def test_circular_ref_is_a_lookup_error_not_a_hang(files: Path) -> None:
    cache = SourceCache()
    source = cache.load(files)

    with pytest.raises(LookupError, match="circular"):
        cache.resolve(source, ("components", "responses", "Loop"))
