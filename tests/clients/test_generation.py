"""Every bundle generates a complete client with the pinned generators: no warning, no
operation or response left out, and TypeScript that compiles with --strict."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clients.conftest import TYPESCRIPT_OPTIONS, bundled_services
from tests.clients.generators import BUNDLES, Generated, compile_typescript, generate_typescript

pytestmark = pytest.mark.xdist_group("clients")  # see conftest: a hint, not a guarantee

SERVICES = bundled_services()
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def operations(service: str) -> dict[str, set[str]]:
    """operationId -> its documented response status codes, read from the bundle."""
    document: dict[str, Any] = yaml.safe_load((BUNDLES / service / "v1.yaml").read_text())
    found = {}
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            if method in item:
                operation = item[method]
                found[operation["operationId"]] = {str(code) for code in operation["responses"]}
    return found


def test_there_is_a_bundle_for_every_service() -> None:
    assert (
        sorted(["analytics", "catalog", "notifications", "operations", "orders", "users"])
        == SERVICES
    )


@pytest.mark.parametrize("service", SERVICES)
def test_python_client_generates_without_warnings(
    python_clients: dict[str, Generated], service: str
) -> None:
    generated = python_clients[service]
    assert generated.returncode == 0, generated.output
    assert generated.warnings == [], generated.output


@pytest.mark.parametrize("service", SERVICES)
def test_python_client_has_every_operation_and_every_documented_response(
    python_clients: dict[str, Generated], service: str
) -> None:
    modules = {p.stem: p for p in (python_clients[service].path / "api").rglob("*.py")}
    for operation_id, statuses in operations(service).items():
        module = modules.get(_snake(operation_id))
        assert module is not None, f"{operation_id} was not generated"
        source = module.read_text(encoding="utf-8")
        for status in statuses:
            # a response the generator could not type is left out of _parse_response
            assert f"response.status_code == {status}:" in source, (
                f"{operation_id}: response {status} has no typed model"
            )


@pytest.mark.parametrize("service", SERVICES)
def test_typescript_types_generate_without_warnings(
    typescript_clients: dict[str, Generated], service: str
) -> None:
    generated = typescript_clients[service]
    assert generated.returncode == 0, generated.output
    assert generated.warnings == [], generated.output
    text = generated.path.read_text(encoding="utf-8")
    for operation_id in operations(service):
        assert f"    {operation_id}: {{" in text, f"{operation_id} has no operation type"


#: Type-level facts a TypeScript consumer relies on; `tsc --strict` proves them.
USAGE = """\
import type { components as Catalog } from "./catalog";
import type { operations as Orders } from "./orders";

// stock has a default, so it may be left out (needs --default-non-nullable false)
const product: Catalog["schemas"]["ProductCreate"] = {
  sku: "KNF-CHEF-20",
  name: "Chef's knife",
  price: { amount: 4999, currency: "EUR" },
};
type Sort = NonNullable<
  NonNullable<import("./catalog").operations["listProducts"]["parameters"]["query"]>["sort"]
>;
const sort: Sort = "-price";

type Conflict = Orders["placeOrder"]["responses"][409]["content"]["application/problem+json"];
type Invalid = Orders["placeOrder"]["responses"][422]["content"]["application/problem+json"];
export function shortLines(problem: Conflict): number[] {
  return (problem.out_of_stock ?? []).map((line) => line.requested - line.available);
}
export function formErrors(problem: Invalid): Record<string, string> {
  const marks: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    if (error.in === "body") marks[error.field] = error.message;
  }
  return marks;
}
// Problem is open: extension members are readable without a cast
export function extension(problem: Invalid): unknown {
  return problem["any_extension"];
}
export { product, sort };
"""


def test_typescript_types_compile_with_strict_and_serve_a_client(
    typescript_clients: dict[str, Generated], tmp_path: Path
) -> None:
    files = [generated.path for generated in typescript_clients.values()]
    usage = files[0].parent / "usage.ts"
    usage.write_text(USAGE, encoding="utf-8")
    code, output = compile_typescript([*files, usage])
    assert code == 0, output


def test_typescript_enums_take_their_names_from_the_spec(tmp_path: Path) -> None:
    generated = generate_typescript(
        BUNDLES / "catalog" / "v1.yaml", tmp_path / "catalog.ts", "--enum", *TYPESCRIPT_OPTIONS
    )
    assert generated.returncode == 0, generated.output
    text = generated.path.read_text(encoding="utf-8")
    assert 'PRICE_DESC = "-price"' in text
    assert 'CREATED_AT_DESC = "-created_at"' in text
