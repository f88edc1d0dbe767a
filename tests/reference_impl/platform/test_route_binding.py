"""Start-up refuses a spec/handler mismatch and names it (no half-served API)."""

from __future__ import annotations

import pytest

from reference_impl.platform.contract import ApiRequest, ApiResponse
from reference_impl.platform.routing import SpecSource, build_route_table
from reference_impl.platform.validation import SpecError
from tests.reference_impl.platform.widgets import widget_registry


async def _handler(request: ApiRequest) -> ApiResponse:
    return ApiResponse()


def test_an_operation_without_a_handler_stops_start_up(widget_specs: SpecSource) -> None:
    registry = widget_registry()
    del registry.handlers["getWidget"]
    with pytest.raises(SpecError, match="operations without a handler: getWidget"):
        build_route_table(widget_specs, registry)


def test_a_handler_for_an_unknown_operation_stops_start_up(widget_specs: SpecSource) -> None:
    registry = widget_registry()
    registry.operation("launchRocket")(_handler)
    with pytest.raises(SpecError, match="no spec declares: launchRocket"):
        build_route_table(widget_specs, registry)


def test_a_registered_operation_id_cannot_get_a_second_handler() -> None:
    registry = widget_registry()
    with pytest.raises(RuntimeError, match="two handlers"):
        registry.operation("getWidget")(_handler)


def test_static_paths_win_over_templates_and_405_lists_the_path_methods(
    widget_specs: SpecSource,
) -> None:
    table = build_route_table(widget_specs, widget_registry())
    match = table.match("DELETE", "/api/v1/widgets/abc")
    assert match is not None and match.route is not None
    assert match.route.operation_id == "deleteWidget"
    assert match.path_params == {"widget_id": "abc"}
    wrong = table.match("PATCH", "/api/v1/widgets")
    assert wrong is not None and wrong.route is None
    assert wrong.allowed == ("GET", "POST")
    assert table.match("GET", "/api/v1/widgets/abc/extra") is None


def test_every_real_v1_operation_compiles() -> None:
    from reference_impl.platform.contract import HandlerRegistry

    registry = HandlerRegistry()
    from refarch.specs import operations

    for operation in operations("v1"):
        registry.operation(operation.operation_id)(_handler)
    table = build_route_table(SpecSource(), registry)
    assert {route.operation_id for route in table.routes} == set(registry.handlers)
