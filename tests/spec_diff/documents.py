"""Small OpenAPI documents built in code, for one rule at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from refarch.spec_diff import OpenApiDocument, diff_documents
from refarch.spec_diff.document import parse_document

Doc = dict[str, Any]


def base_document() -> Doc:
    """One operation with a path and query parameter, a JSON body and a JSON response."""
    item = {
        "type": "object",
        "required": ["sku", "quantity"],
        "properties": {
            "sku": {"type": "string", "maxLength": 40, "minLength": 1, "pattern": "^[A-Z0-9-]+$"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
            "note": {"type": "string"},
            "colour": {"type": "string", "enum": ["red", "blue"]},
            "gift": {"type": "boolean", "default": False},
        },
    }
    order = {
        "type": "object",
        "required": ["id", "status", "total"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["pending", "paid"]},
            "total": {"type": "integer", "minimum": 0, "maximum": 1000000},
            "note": {"type": "string", "maxLength": 200},
            "lines": {"type": "array", "items": item, "maxItems": 50, "minItems": 1},
            "tags": {"type": "object", "maxProperties": 10},
            "created": {"type": "string", "minLength": 1},
            "payment": {
                "oneOf": [
                    {"type": "object", "properties": {"card": {"type": "string"}}},
                    {"type": "object", "properties": {"iban": {"type": "string"}}},
                ]
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "shop", "version": "1.0.0"},
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Item": item, "Order": order},
        },
        "paths": {
            "/orders/{id}": {
                "put": {
                    "operationId": "replaceOrder",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}},
                        {
                            "name": "Trace",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["lines"],
                                    "properties": {
                                        "lines": {
                                            "type": "array",
                                            "maxItems": 50,
                                            "minItems": 1,
                                            "items": {"$ref": "#/components/schemas/Item"},
                                        },
                                        "payment": {
                                            "oneOf": [
                                                {
                                                    "type": "object",
                                                    "properties": {"card": {"type": "string"}},
                                                },
                                                {
                                                    "type": "object",
                                                    "properties": {"iban": {"type": "string"}},
                                                },
                                            ]
                                        },
                                        "meta": {"type": "object", "maxProperties": 10},
                                        "comment": {
                                            "type": "string",
                                            "maxLength": 500,
                                            "minLength": 1,
                                        },
                                        "count": {"type": "integer", "minimum": 0, "maximum": 10},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "the order",
                            "headers": {"ETag": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Order"}
                                }
                            },
                        },
                        "404": {"description": "no such order"},
                    },
                },
                "get": {
                    "operationId": "getOrder",
                    "responses": {
                        "200": {
                            "description": "the order",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Order"}
                                }
                            },
                        }
                    },
                },
            }
        },
    }


def resolved(tree: Doc, source: str = "doc.yaml") -> OpenApiDocument:
    return parse_document(tree, source, Path("/nonexistent") / source)


def rule_ids(old: Doc, new: Doc) -> set[str]:
    return {change.rule_id for change in diff_documents(resolved(old), resolved(new))}


def edited(edit: Callable[[Doc], Any]) -> Doc:
    """A copy of the base document with one edit applied."""
    document = copy.deepcopy(base_document())
    edit(document)
    return document


def put(doc: Doc) -> Doc:
    operation: Doc = doc["paths"]["/orders/{id}"]["put"]
    return operation


def request(doc: Doc) -> Doc:
    schema: Doc = put(doc)["requestBody"]["content"]["application/json"]["schema"]
    return schema


def item(doc: Doc) -> Doc:
    schema: Doc = doc["components"]["schemas"]["Item"]
    return schema


def order(doc: Doc) -> Doc:
    schema: Doc = doc["components"]["schemas"]["Order"]
    return schema


def query(doc: Doc, name: str) -> Doc:
    return next(p for p in put(doc)["parameters"] if p["name"] == name)
