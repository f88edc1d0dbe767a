"""Compare two resolved OpenAPI documents operation by operation.

Operations are matched by method and path with parameter names blanked out, so renaming
``{id}`` to ``{orderId}`` is not a removed operation: a client's URL does not change.
"""

from __future__ import annotations

import re
from typing import Any

from refarch.spec_diff.changes import Change, pointer
from refarch.spec_diff.document import OpenApiDocument
from refarch.spec_diff.schema_diff import SchemaComparison

__all__ = ["diff_documents"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PATH_PARAMETER = re.compile(r"\{[^}/]+\}")

Node = dict[str, Any]
Where = tuple[str | int, ...]


def _operations(tree: Node) -> dict[tuple[str, str], tuple[str, Node, Node]]:
    """(METHOD, normalised path) -> (path as written, path item, operation)."""
    found = {}
    for path, item in (tree.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                key = (method.upper(), _PATH_PARAMETER.sub("{}", path))
                found[key] = (path, item, item[method])
    return found


def _parameters(
    path: str, method: str, item: Node, operation: Node
) -> dict[tuple[str, str], tuple[Node, Where]]:
    """(in, name) -> (parameter, its JSON pointer parts); the operation's own parameter
    overrides its path item's."""
    result: dict[tuple[str, str], tuple[Node, Where]] = {}
    listed: list[tuple[Any, Where]] = [
        *(
            (p, ("paths", path, "parameters", i))
            for i, p in enumerate(item.get("parameters") or [])
        ),
        *(
            (p, ("paths", path, method, "parameters", i))
            for i, p in enumerate(operation.get("parameters") or [])
        ),
    ]
    for parameter, where in listed:
        if isinstance(parameter, dict) and "name" in parameter:
            location = str(parameter.get("in", ""))
            name = str(parameter["name"])
            # header names are case-insensitive; path names are positional (see above)
            key = name.lower() if location == "header" else name
            result[(location, "" if location == "path" else key)] = (parameter, where)
    return result


def _security(tree: Node, operation: Node) -> set[frozenset[str]]:
    """The accepted ways to authenticate: each a set of scheme names (empty = anonymous)."""
    requirements = operation.get("security", tree.get("security"))
    if not requirements:
        return {frozenset()}
    return {frozenset(r) for r in requirements if isinstance(r, dict)}


def _status_kind(status: str) -> str:
    return "success" if status[:1] in ("1", "2", "3") else "error"


class _OperationComparison:
    def __init__(self, label: str, base: Where) -> None:
        self.label = label
        self.base = base
        self.changes: list[Change] = []

    def add(self, rule: str, where: Where, detail: str) -> None:
        self.add_at(rule, (*self.base, *where), detail)

    def add_at(self, rule: str, where: Where, detail: str) -> None:
        self.changes.append(Change(self.label, pointer(*where), rule, detail))

    def schemas(self, direction: str, old: Any, new: Any, where: Where) -> None:
        comparison = SchemaComparison(self.label, direction)
        comparison.compare(old, new, (*self.base, *where))
        self.changes += comparison.changes

    def parameters(
        self,
        old: dict[tuple[str, str], tuple[Node, Where]],
        new: dict[tuple[str, str], tuple[Node, Where]],
    ) -> None:
        # parameters may sit on the path item, so their locations are absolute pointers
        for key in sorted(old.keys() - new.keys()):
            if key[0] != "path":
                detail = f"{key[0]} parameter `{key[1]}` removed"
                self.add_at("parameter-removed", old[key][1], detail)
        for key in sorted(new.keys() - old.keys()):
            required = new[key][0].get("required") is True
            rule = "parameter-added-required" if required else "parameter-added-optional"
            self.add_at(rule, new[key][1], f"{key[0]} parameter `{key[1]}` added")
        for key in sorted(old.keys() & new.keys()):
            (before, _), (after, where) = old[key], new[key]
            name = f"{key[0]} parameter `{before['name']}`"
            if after.get("required") is True and before.get("required") is not True:
                self.add_at("parameter-became-required", where, f"{name} became required")
            elif before.get("required") is True and after.get("required") is not True:
                self.add_at("parameter-became-optional", where, f"{name} became optional")
            if after.get("deprecated") is True and before.get("deprecated") is not True:
                self.add_at("parameter-deprecated", where, f"{name} deprecated")
            comparison = SchemaComparison(self.label, "request")
            comparison.compare(before.get("schema"), after.get("schema"), (*where, "schema"))
            self.changes += comparison.changes

    def request_body(self, old: Node | None, new: Node | None) -> None:
        if new is None:
            return  # nothing to send any more: what clients still send is ignored
        required = new.get("required") is True
        if old is None:
            if required:
                self.add(
                    "request-body-added-required", ("requestBody",), "a required body was added"
                )
            return
        if required and old.get("required") is not True:
            self.add("request-body-became-required", ("requestBody",), "the body became required")
        elif old.get("required") is True and not required:
            self.add("request-body-became-optional", ("requestBody",), "the body became optional")
        old_media, new_media = old.get("content") or {}, new.get("content") or {}
        for media in sorted(old_media.keys() - new_media.keys()):
            self.add(
                "request-media-type-removed",
                ("requestBody", "content"),
                f"{media} no longer accepted",
            )
        for media in sorted(new_media.keys() - old_media.keys()):
            self.add(
                "request-media-type-added", ("requestBody", "content"), f"{media} now accepted"
            )
        for media in sorted(old_media.keys() & new_media.keys()):
            self.schemas(
                "request",
                (old_media[media] or {}).get("schema"),
                (new_media[media] or {}).get("schema"),
                ("requestBody", "content", media, "schema"),
            )

    def responses(self, old: Node, new: Node) -> None:
        # YAML reads an unquoted 200 as a number; a status is a string in the spec
        old, new = {str(k): v for k, v in old.items()}, {str(k): v for k, v in new.items()}
        for status in sorted(old.keys() - new.keys()):
            rule = f"response-{_status_kind(str(status))}-status-removed"
            self.add(rule, ("responses",), f"status {status} removed")
        for status in sorted(new.keys() - old.keys()):
            self.add("response-status-added", ("responses", status), f"status {status} added")
        for status in sorted(old.keys() & new.keys()):
            before, after = old[status] or {}, new[status] or {}
            old_headers = {h.lower(): h for h in before.get("headers") or {}}
            new_headers = {h.lower(): h for h in after.get("headers") or {}}
            for header in sorted(old_headers.keys() - new_headers.keys()):
                self.add(
                    "response-header-removed",
                    ("responses", status, "headers"),
                    f"{status}: header {old_headers[header]} removed",
                )
            for header in sorted(new_headers.keys() - old_headers.keys()):
                self.add(
                    "response-header-added",
                    ("responses", status, "headers", new_headers[header]),
                    f"{status}: header {new_headers[header]} added",
                )
            old_media, new_media = before.get("content") or {}, after.get("content") or {}
            for media in sorted(old_media.keys() - new_media.keys()):
                self.add(
                    "response-media-type-removed",
                    ("responses", status, "content"),
                    f"{status}: {media} no longer returned",
                )
            for media in sorted(new_media.keys() - old_media.keys()):
                self.add(
                    "response-media-type-added",
                    ("responses", status, "content", media),
                    f"{status}: {media} now returned",
                )
            for media in sorted(old_media.keys() & new_media.keys()):
                self.schemas(
                    "response",
                    (old_media[media] or {}).get("schema"),
                    (new_media[media] or {}).get("schema"),
                    ("responses", status, "content", media, "schema"),
                )

    def security(self, old: set[frozenset[str]], new: set[frozenset[str]]) -> None:
        # anonymous access (the empty requirement) admits everyone: nothing is lost when the
        # new document allows it, and nothing is gained when the old one already did
        anonymous = frozenset[str]()
        lost = set() if anonymous in new else old - new
        gained = set() if anonymous in old else new - old
        for requirement in sorted(lost, key=sorted):
            schemes = " + ".join(sorted(requirement)) or "anonymous"
            self.add("security-added", ("security",), f"no longer accepted: {schemes}")
        for requirement in sorted(gained, key=sorted):
            schemes = " + ".join(sorted(requirement)) or "anonymous"
            self.add("security-removed", ("security",), f"now also accepted: {schemes}")


def diff_documents(old: OpenApiDocument, new: OpenApiDocument) -> list[Change]:
    """Every change from ``old`` to ``new``, sorted by operation, location and rule."""
    changes: list[Change] = []
    old_ops, new_ops = _operations(old.tree), _operations(new.tree)
    for key in old_ops.keys() - new_ops.keys():
        path = old_ops[key][0]
        label = f"{key[0]} {path}"
        changes.append(
            Change(
                label,
                pointer("paths", path, key[0].lower()),
                "operation-removed",
                f"{label} removed",
            )
        )
    for key in new_ops.keys() - old_ops.keys():
        path = new_ops[key][0]
        label = f"{key[0]} {path}"
        changes.append(
            Change(
                label, pointer("paths", path, key[0].lower()), "operation-added", f"{label} added"
            )
        )
    for key in old_ops.keys() & new_ops.keys():
        _, old_item, old_op = old_ops[key]
        path, new_item, new_op = new_ops[key]
        comparison = _OperationComparison(f"{key[0]} {path}", ("paths", path, key[0].lower()))
        if old_op.get("operationId") and old_op.get("operationId") != new_op.get("operationId"):
            comparison.add(
                "operation-id-changed",
                ("operationId",),
                f"operationId {old_op['operationId']} -> {new_op.get('operationId')}",
            )
        if new_op.get("deprecated") is True and old_op.get("deprecated") is not True:
            comparison.add("operation-deprecated", ("deprecated",), "operation deprecated")
        method = key[0].lower()
        comparison.parameters(
            _parameters(old_ops[key][0], method, old_item, old_op),
            _parameters(path, method, new_item, new_op),
        )
        comparison.request_body(old_op.get("requestBody"), new_op.get("requestBody"))
        comparison.responses(old_op.get("responses") or {}, new_op.get("responses") or {})
        comparison.security(_security(old.tree, old_op), _security(new.tree, new_op))
        changes += comparison.changes
    return sorted(set(changes))
