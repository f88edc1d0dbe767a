"""The v2 bundles generate complete clients too: every v2 operation and documented response
typed, no generator warning, TypeScript that compiles with --strict. The v2 orders client
is the one that changed (shipping, totals, cursor pages); the others serve v1's paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clients.conftest import TYPESCRIPT_OPTIONS
from tests.clients.generators import (
    BUNDLES,
    compile_typescript,
    generate_python,
    generate_typescript,
)

pytestmark = pytest.mark.xdist_group("clients")

V2_SERVICES = sorted(p.parent.name for p in BUNDLES.glob("*/v2.yaml"))
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _operations(service: str) -> dict[str, set[str]]:
    document: dict[str, Any] = yaml.safe_load((BUNDLES / service / "v2.yaml").read_text())
    return {
        item[method]["operationId"]: {str(code) for code in item[method]["responses"]}
        for item in document["paths"].values()
        for method in HTTP_METHODS
        if method in item
    }


def test_every_service_has_a_v2_bundle() -> None:
    assert sorted(p.parent.name for p in BUNDLES.glob("*/v1.yaml")) == V2_SERVICES


@pytest.mark.parametrize("service", V2_SERVICES)
def test_python_client_from_the_v2_bundle_is_complete(service: str, tmp_path: Path) -> None:
    generated = generate_python(BUNDLES / service / "v2.yaml", tmp_path, f"{service}_v2")
    assert generated.returncode == 0, generated.output
    assert generated.warnings == [], generated.output
    modules = {p.stem: p for p in (generated.path / "api").rglob("*.py")}
    for operation_id, statuses in _operations(service).items():
        module = modules.get(re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower())
        assert module is not None, f"{operation_id} was not generated"
        source = module.read_text(encoding="utf-8")
        for status in statuses:
            assert f"response.status_code == {status}:" in source, (operation_id, status)


USAGE_V2 = """\
import type { components as Orders } from "./orders";

const body: Orders["schemas"]["PlaceOrderRequest"] = {
  items: [{ product_id: "9c4e2b7d-1f3a-4c5e-8b6d-0a1b2c3d4e5f", quantity: 1 }],
  shipping: {
    method: "express",
    address: { name: "Ada", line1: "1 Street", city: "London", postal_code: "N1", country: "GB" },
  },
};
export function amountDue(order: Orders["schemas"]["Order"]): number {
  return order.totals.total.amount;
}
export function nextPage(page: Orders["schemas"]["OrderPage"]): string | null {
  return page.page.next_cursor ?? null;
}
export { body };
"""


def test_v2_orders_types_compile_and_carry_the_new_shapes(tmp_path: Path) -> None:
    generated = generate_typescript(
        BUNDLES / "orders" / "v2.yaml", tmp_path / "orders.ts", *TYPESCRIPT_OPTIONS
    )
    assert generated.returncode == 0, generated.output
    assert generated.warnings == [], generated.output
    text = generated.path.read_text(encoding="utf-8")
    assert "    listShippingMethods: {" in text
    usage = tmp_path / "usage.ts"
    usage.write_text(USAGE_V2, encoding="utf-8")
    code, output = compile_typescript([generated.path, usage])
    assert code == 0, output
