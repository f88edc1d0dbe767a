"""Explaining a failure costs the same for 60 bad array items as for 10,000: the validator
explains arrays cut one item past the schema's largest maxItems (it builds every error
eagerly, and 10,000 bad items once took 0.7 s of event loop)."""

from __future__ import annotations

from refarch.reference_impl.platform.validation import compile_schema

LINES = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["quantity"],
                "properties": {"quantity": {"type": "integer"}},
            },
        }
    },
}


def test_an_oversized_array_is_still_reported_as_too_long() -> None:
    schema = compile_schema(LINES, "body", where="test")
    errors = schema.errors({"items": [{}] * 10_000})
    assert {"in": "body", "field": "/items", "message": "must contain at most 50 items"} in errors
    assert {"in": "body", "field": "/items/0/quantity", "message": "is required"} in errors


def test_a_failure_beyond_the_sample_is_still_explained() -> None:
    schema = compile_schema(LINES, "body", where="test")
    lines = [{"quantity": 1}] * 50
    lines[49] = {}  # only the last allowed line is wrong: inside the sample of 51
    assert schema.errors({"items": lines}) == [
        {"in": "body", "field": "/items/49/quantity", "message": "is required"}
    ]


def test_arrays_without_max_items_are_explained_whole() -> None:
    unbounded = {**LINES, "properties": {"items": {**LINES["properties"]["items"]}}}  # type: ignore[dict-item]
    del unbounded["properties"]["items"]["maxItems"]
    schema = compile_schema(unbounded, "body", where="test")
    lines = [{"quantity": 1}] * 200 + [{}]
    assert schema.errors({"items": lines}) == [
        {"in": "body", "field": "/items/200/quantity", "message": "is required"}
    ]
