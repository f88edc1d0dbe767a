"""Project rule OAS124: every body and parameter example validates against its schema.

Examples are what the docs show and what readers copy, so a stale one is a bug even when
the schema is right. OpenAPI 3.1 schemas are JSON Schema 2020-12; a schema is validated in
place (``{"$ref": "<file uri>#<pointer>"}``) so its relative ``$ref``s resolve against the
file it is written in, including ``../common/*.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.openapi_model import OperationSite, finding_at, mapping
from refarch.spec_checks.yaml_source import Pointer, Ref, SourceCache, YamlSourceError

__all__ = ["RULES", "ExampleValidator"]

RULES: dict[str, str] = {
    "OAS124": "every body and parameter example validates against its schema",
}

_MAX_MESSAGE = 200


def _pointer_text(pointer: Pointer) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


class ExampleValidator:
    """Validates examples for one check run; spec files come from the run's ``SourceCache``."""

    def __init__(self, cache: SourceCache) -> None:
        self.cache = cache
        # ``retrieve`` is referencing's documented keyword; its attrs field is private, which
        # mypy's attrs plugin cannot see.
        self.registry: Registry[Any] = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]

    def _retrieve(self, uri: str) -> Resource[Any]:
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise Unresolvable(uri)
        try:
            data = self.cache.load(Path(unquote(parts.path))).data
        except YamlSourceError as exc:
            raise Unresolvable(uri) from exc
        return Resource.from_contents(data, default_specification=DRAFT202012)

    def rules(self, op: OperationSite) -> Iterator[Finding]:
        for param in op.parameters(self.cache):
            name = mapping(param.value).get("name")
            yield from self._check_examples(param, op.describe(param, f"parameter {name} example"))
        if "requestBody" in op.spec:
            try:
                body = self.cache.resolve(op.source, (*op.pointer, "requestBody"))
            except LookupError:
                body = None
            if body is not None:
                yield from self._media_examples(body, f"{op.name}: request body")
        for code in mapping(op.spec.get("responses")):
            try:
                response = self.cache.resolve(op.source, (*op.pointer, "responses", code))
            except LookupError:
                continue
            yield from self._media_examples(response, op.describe(response, f"response {code}"))

    def _media_examples(self, owner: Ref, label: str) -> Iterator[Finding]:
        for media_type in mapping(mapping(owner.value).get("content")):
            media = Ref(owner.source, (*owner.pointer, "content", media_type))
            yield from self._check_examples(media, f"{label} {media_type} example")

    def _check_examples(self, holder: Ref, label: str) -> Iterator[Finding]:
        """``holder`` is a media type or parameter object with a ``schema`` and examples."""
        value = mapping(holder.value)
        if "schema" not in value:
            return
        schema = Ref(holder.source, (*holder.pointer, "schema"))
        if "example" in value:
            yield from self._validate(
                schema, Ref(holder.source, (*holder.pointer, "example")), label
            )
        for name in mapping(value.get("examples")):
            try:
                example = self.cache.resolve(holder.source, (*holder.pointer, "examples", name))
            except LookupError:
                continue
            if "value" in mapping(example.value):
                yield from self._validate(
                    schema, Ref(example.source, (*example.pointer, "value")), f"{label} {name}"
                )

    def _validate(self, schema: Ref, example: Ref, label: str) -> Iterator[Finding]:
        target = f"{schema.source.path.as_uri()}#{_pointer_text(schema.pointer)}"
        validator = Draft202012Validator(
            {"$ref": target},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        try:
            error = best_match(validator.iter_errors(example.value))
        except Unresolvable:
            return  # an unresolvable $ref is reported by the validity phase
        except (AttributeError, TypeError, KeyError):
            return  # a malformed schema (jsonschema trips over it): the validity phase reports it
        if error is None:
            return
        where = _pointer_text(tuple(error.absolute_path)) or "/"
        message = " ".join(error.message.split())
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "…"
        yield finding_at(
            Ref(example.source, (*example.pointer, *error.absolute_path)),
            "OAS124",
            f"{label} does not match its schema at {where}: {message}",
            "fix the example (or the schema, if the example shows the intended contract)",
        )
