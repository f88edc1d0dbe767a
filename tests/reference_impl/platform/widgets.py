"""A tiny fixture service ("widgets") that exercises every platform feature.

The platform is tested against this spec and these handlers instead of the real services,
so its tests pin down routing, validation, auth and problem mapping independently of the
business code. The real operations spec (health, readiness) is served next to it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import yaml

from refarch.reference_impl.errors import Conflict, NotFound
from refarch.reference_impl.operations.handlers import OperationsHandlers
from refarch.reference_impl.platform.contract import (
    ApiRequest,
    ApiResponse,
    Handler,
    combine_operations,
)
from refarch.reference_impl.platform.routing import SpecSource
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.settings import Settings
from refarch.specs import specs_root

MISSING_WIDGET = "00000000-0000-0000-0000-000000000000"

_PROBLEM = {"$ref": "../common/problem.yaml#/components/schemas/Problem"}


def _problems(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": "problem",
            "content": {"application/problem+json": {"schema": _PROBLEM}},
        }
        for status in statuses
    }


_WIDGET = {
    "type": "object",
    "required": ["id", "name", "created_at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "idempotency_key": {"type": ["string", "null"]},
    },
}
_WIDGET_CREATE = {
    "type": "object",
    "required": ["name", "items"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 50},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["quantity"],
                "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": 100}},
            },
        },
        "owner_email": {"type": "string", "format": "email"},
    },
}


def _ok(schema: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {str(status): {"description": "ok", "content": {"application/json": {"schema": schema}}}}


WIDGETS_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "widgets", "version": "1.0.0"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/widgets": {
            "get": {
                "operationId": "listWidgets",
                "security": [],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                    {"name": "in_stock", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    **_ok(
                        {
                            "type": "object",
                            "properties": {
                                "limit": {"type": "integer"},
                                "in_stock": {"type": ["boolean", "null"]},
                            },
                        }
                    ),
                    **_problems(422),
                },
            },
            "post": {
                "operationId": "createWidget",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _WIDGET_CREATE}},
                },
                "responses": {**_ok(_WIDGET, 201), **_problems(400, 401, 413, 415, 422, 503)},
            },
        },
        "/widgets/{widget_id}": {
            "parameters": [
                {
                    "name": "widget_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "get": {
                "operationId": "getWidget",
                "security": [],
                "responses": {**_ok(_WIDGET), **_problems(404, 422)},
            },
            "delete": {
                "operationId": "deleteWidget",
                "x-required-role": "admin",
                "responses": {"204": {"description": "deleted"}, **_problems(401, 403, 409)},
            },
        },
        "/boom": {"get": {"operationId": "explode", "security": [], "responses": _problems(500)}},
        "/database-time": {
            "get": {
                "operationId": "getDatabaseTime",
                "security": [],
                "responses": {
                    **_ok({"type": "object", "required": ["now"]}),
                    **_problems(503),
                },
            }
        },
        "/contract-breach": {
            "get": {
                "operationId": "breachContract",
                "security": [],
                "responses": _ok(_WIDGET),
            }
        },
        "/missing-header": {
            "get": {
                "operationId": "omitRequiredHeader",
                "security": [],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {
                            "Location": {
                                "required": True,
                                "schema": {"type": "string", "pattern": "^/api/v1/"},
                            }
                        },
                        "content": {"application/json": {"schema": _WIDGET}},
                    }
                },
            }
        },
        "/undeclared-conflict": {
            "get": {
                "operationId": "raiseUndeclaredConflict",
                "security": [],
                "responses": _ok(_WIDGET),
            }
        },
    },
}

WIDGET_SOURCE_SERVICES = ("operations", "widgets")


def write_widget_specs(root: Path) -> SpecSource:
    """A specs tree holding the real operations and common specs plus the widgets spec.

    The real SQL migrations come along, so readiness (which checks the process-wide specs)
    and the app's start-up migration (which uses this tree) agree on what is applied.
    """
    real = specs_root()
    for part in ("openapi/common", "openapi/operations", "sql"):
        shutil.copytree(real / part, root / part)
    (root / "openapi" / "widgets").mkdir(parents=True)
    (root / "openapi" / "widgets" / "v1.yaml").write_text(yaml.safe_dump(WIDGETS_SPEC))
    return SpecSource(version="v1", services=WIDGET_SOURCE_SERVICES, root=root)


def widget_operations(pool: asyncpg.Pool | None = None) -> dict[str, Handler]:
    """The widgets handlers plus the real health and readiness ones, bound to ``pool``
    (``None`` is enough for tests that only compile routes)."""

    async def list_widgets(request: ApiRequest) -> ApiResponse:
        return ApiResponse(
            200, {"limit": request.query["limit"], "in_stock": request.query.get("in_stock")}
        )

    async def create_widget(request: ApiRequest) -> ApiResponse:
        widget = {
            "id": uuid.uuid4(),
            "name": request.body["name"],
            "created_at": datetime.now(UTC),
            "idempotency_key": request.headers.get("Idempotency-Key"),
        }
        return ApiResponse(201, widget, {"Location": f"/api/v1/widgets/{widget['id']}"})

    async def get_widget(request: ApiRequest) -> ApiResponse:
        if request.path_params["widget_id"] == MISSING_WIDGET:
            raise NotFound("No widget with this id.")
        widget_id = request.path_params["widget_id"]
        return ApiResponse(200, {"id": widget_id, "name": "w", "created_at": datetime.now(UTC)})

    async def delete_widget(request: ApiRequest) -> ApiResponse:
        return ApiResponse(204)

    async def explode(request: ApiRequest) -> ApiResponse:
        raise RuntimeError("internal detail: the widget flux capacitor is at /srv/secret")

    async def get_database_time(request: ApiRequest) -> ApiResponse:
        assert pool is not None, "a served widget app binds its pool"
        row = await pool.fetchrow("SELECT now() AS now, gen_random_uuid() AS id")
        return ApiResponse(200, {"now": row["now"], "id": row["id"]})  # asyncpg's own UUID type

    async def breach_contract(request: ApiRequest) -> ApiResponse:
        return ApiResponse(200, {"id": 123})

    async def omit_required_header(request: ApiRequest) -> ApiResponse:
        widget = {"id": uuid.uuid4(), "name": "w", "created_at": datetime.now(UTC)}
        return ApiResponse(200, widget)  # no Location, though the spec requires it

    async def raise_undeclared_conflict(request: ApiRequest) -> ApiResponse:
        raise Conflict("This status is not in the operation's spec.")

    return combine_operations(
        OperationsHandlers(pool).operations(),  # type: ignore[arg-type]
        {
            "listWidgets": list_widgets,
            "createWidget": create_widget,
            "getWidget": get_widget,
            "deleteWidget": delete_widget,
            "explode": explode,
            "getDatabaseTime": get_database_time,
            "breachContract": breach_contract,
            "omitRequiredHeader": omit_required_header,
            "raiseUndeclaredConflict": raise_undeclared_conflict,
        },
    )


@dataclass
class _Users:
    admins: list[str] = field(default_factory=list)

    async def ensure_bootstrap_admin(self, email: str, password: str) -> None:
        self.admins.append(email)


@dataclass
class WidgetServices:
    """Stands in for ``reference_impl.bootstrap.Services``: same shape, no business."""

    pool: asyncpg.Pool
    settings: Settings
    users: _Users = field(default_factory=_Users)
    tasks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    closed: bool = False

    def operations(self) -> dict[str, Handler]:
        return widget_operations(self.pool)

    async def start(self) -> None:
        if self.settings.admin_email and self.settings.admin_password:
            await self.users.ensure_bootstrap_admin(
                self.settings.admin_email, self.settings.admin_password
            )

    async def current_principal(self, claimed: Principal) -> Principal | None:
        return claimed  # no accounts behind the widgets: the token is the whole truth

    def background_tasks(self) -> list[Callable[[], Awaitable[None]]]:
        return self.tasks

    async def outbox_lag_seconds(self) -> float:
        return 0.0

    async def outbox_dead_letters(self) -> int:
        return 0

    def consumer_dead_letters(self) -> dict[str, int]:
        return {}

    async def mail_deliveries(self) -> dict[str, int]:
        return {}

    def consumer_lag(self) -> dict[str, tuple[float, float]]:
        return {}

    async def close(self) -> None:
        self.closed = True


async def build_widget_services(pool: asyncpg.Pool, settings: Settings) -> WidgetServices:
    return WidgetServices(pool, settings)
