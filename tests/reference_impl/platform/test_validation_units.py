"""Pure unit tests of the compiled validators: coercion, normalisation, messages."""

from __future__ import annotations

import pytest

from refarch.reference_impl.platform.validation import ParameterSet, SpecError, compile_schema

ORDER = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quantity": {"type": "integer"},
                    "weight": {"type": "number"},
                },
            },
        },
        "status": {"enum": ["pending", "paid"]},
    },
}


def test_integral_floats_in_integer_fields_become_int() -> None:
    schema = compile_schema(ORDER, "body", where="test")
    body = schema.normalize({"items": [{"quantity": 2.0, "weight": 1.0}]})
    quantity, weight = body["items"][0]["quantity"], body["items"][0]["weight"]
    assert (quantity, type(quantity)) == (2, int)
    assert (weight, type(weight)) == (1.0, float)  # a number stays a number


def test_enum_failure_lists_the_allowed_values() -> None:
    schema = compile_schema(ORDER, "body", where="test")
    assert schema.errors({"status": "lost"}) == [
        {"in": "body", "field": "/status", "message": "must be one of: pending, paid"}
    ]


@pytest.mark.parametrize("raw", ["+5", " 5", "5_000", "5.0", "", "0x10"])
def test_only_plain_decimal_strings_count_as_integers(raw: str) -> None:
    params = ParameterSet(
        "query", [{"name": "limit", "in": "query", "schema": {"type": "integer"}}], where="t"
    )
    values, errors = params.extract(lambda name: [raw])
    assert values == {"limit": raw}
    assert errors == [{"in": "query", "field": "/limit", "message": "must be of type integer"}]


def test_defaults_apply_only_to_absent_parameters() -> None:
    params = ParameterSet(
        "query",
        [{"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}}],
        where="t",
    )
    assert params.extract(lambda name: []) == ({"offset": 0}, [])
    assert params.extract(lambda name: ["40"]) == ({"offset": 40}, [])


def test_an_object_parameter_is_refused_at_start_up() -> None:
    with pytest.raises(SpecError, match="filter"):
        ParameterSet(
            "query", [{"name": "filter", "in": "query", "schema": {"type": "object"}}], where="t"
        )


def test_a_pattern_failure_is_explained_by_the_specs_example_not_the_regex() -> None:
    phone = {"type": "string", "pattern": r"^\+[1-9][0-9]{1,14}$", "example": "+4915112345678"}
    schema = compile_schema({"properties": {"phone": phone}}, "body", where="test")
    assert schema.errors({"phone": "12"}) == [
        {
            "in": "body",
            "field": "/phone",
            "message": "is not in the expected format (for example +4915112345678)",
        }
    ]


def test_null_for_an_optional_member_says_to_leave_it_out() -> None:
    schema = compile_schema(
        {"properties": {"line2": {"type": "string"}, "note": {"type": ["string", "null"]}}},
        "body",
        where="test",
    )
    assert schema.errors({"line2": None, "note": None}) == [
        {
            "in": "body",
            "field": "/line2",
            "message": "must not be null; leave the field out instead",
        }
    ]


def test_field_pointers_escape_slash_and_tilde_as_rfc_6901_says() -> None:
    schema = compile_schema(
        {"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}},
        "body",
        where="test",
    )
    assert [e["field"] for e in schema.errors({"a/b": 1, "c~d": 2})] == ["/a~1b", "/c~0d"]
