"""Start-up refuses a spec/handler mismatch and names it (no half-served API)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from refarch.reference_impl.platform.contract import (
    ApiRequest,
    ApiResponse,
    Handler,
    combine_operations,
)
from refarch.reference_impl.platform.routing import SpecSource, build_route_table
from refarch.reference_impl.platform.validation import SpecError
from refarch.reference_impl.settings import Settings
from refarch.specs import operations
from tests.reference_impl.platform.widgets import WidgetServices, widget_operations
from tests.support.server import reference_server


async def _handler(request: ApiRequest) -> ApiResponse:
    return ApiResponse()


def test_an_operation_without_a_handler_stops_start_up(widget_specs: SpecSource) -> None:
    handlers = widget_operations()
    del handlers["getWidget"]
    with pytest.raises(SpecError, match="operations without a handler: getWidget"):
        build_route_table(widget_specs, handlers)


def test_a_handler_for_an_unknown_operation_stops_start_up(widget_specs: SpecSource) -> None:
    handlers = widget_operations()
    handlers["launchRocket"] = _handler
    with pytest.raises(SpecError, match="no spec declares: launchRocket"):
        build_route_table(widget_specs, handlers)


def test_a_registered_operation_id_cannot_get_a_second_handler() -> None:
    with pytest.raises(RuntimeError, match="two handlers"):
        combine_operations(widget_operations(), {"getWidget": _handler})


def test_static_paths_win_over_templates_and_405_lists_the_path_methods(
    widget_specs: SpecSource,
) -> None:
    table = build_route_table(widget_specs, widget_operations())
    match = table.match("DELETE", "/api/v1/widgets/abc")
    assert match is not None and match.route is not None
    assert match.route.operation_id == "deleteWidget"
    assert match.path_params == {"widget_id": "abc"}
    wrong = table.match("PATCH", "/api/v1/widgets")
    assert wrong is not None and wrong.route is None
    assert wrong.allowed == ("GET", "POST")
    assert table.match("GET", "/api/v1/widgets/abc/extra") is None


def test_every_real_v1_operation_compiles() -> None:
    handlers = {operation.operation_id: _handler for operation in operations("v1")}
    table = build_route_table(SpecSource(), handlers)
    assert {route.operation_id for route in table.routes} == set(handlers)


def test_domain_field_names_map_to_where_they_were_in_the_request() -> None:
    table = build_route_table(SpecSource(), {op.operation_id: _handler for op in operations("v1")})
    place_order = next(r for r in table.routes if r.operation_id == "placeOrder")
    assert place_order.wire_field("items[1].product_id") == ("body", "/items/1/product_id")
    assert place_order.wire_field("idempotency_key") == ("header", "/Idempotency-Key")
    get_order = next(r for r in table.routes if r.operation_id == "getOrder")
    assert get_order.wire_field("order_id") == ("path", "/order_id")


def test_the_served_app_refuses_to_start_without_a_handler(
    tmp_path: Path,
    widget_database_url: str,
    widget_specs: SpecSource,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Incomplete(WidgetServices):
        def operations(self) -> dict[str, Handler]:
            handlers = super().operations()
            del handlers["getWidget"]
            return handlers

    async def build(pool: asyncpg.Pool, settings: Settings) -> Incomplete:
        return Incomplete(pool, settings)

    with (
        pytest.raises(RuntimeError, match="stopped during start-up"),
        reference_server(
            tmp_path,
            widget_database_url,
            services_factory=build,
            app_options={"specs": widget_specs},
        ),
    ):
        pass
    assert "operations without a handler: getWidget" in caplog.text
