"""Thresholds: the budget each operation must stay within, and the noise margins for regressions.

Defaults come from the contract itself: every operation in ``specs/openapi/*/<version>.yaml``
carries ``x-slo: {p95_ms, p99_ms, max_error_ratio}``. A TOML file (see
``thresholds.example.toml``) overrides them field by field (``[every_operation]``, then
``[operations.<operationId>]``), adds throughput floors (``min_rps``) and an ``[overall]``
budget, and tunes the regression margins. Typos are errors,
not silent no-ops: an unknown key or operationId would otherwise switch a gate off unnoticed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from refarch import specs
from refarch.loadtests.errors import CannotRun

__all__ = [
    "DEFAULT_OVERALL",
    "Limits",
    "RegressionMargins",
    "Thresholds",
    "load_thresholds",
    "spec_slos",
]


@dataclass(frozen=True)
class Limits:
    """Upper bounds on latency and errors, lower bound on throughput; None = not gated."""

    p95_ms: float | None = None
    p99_ms: float | None = None
    max_error_ratio: float | None = None
    min_rps: float | None = None

    def overridden_by(self, other: Limits) -> Limits:
        return replace(
            self, **{f.name: v for f in fields(other) if (v := getattr(other, f.name)) is not None}
        )


@dataclass(frozen=True)
class RegressionMargins:
    """A change counts as a regression only when it beats BOTH the relative and the absolute
    margin, and only when both runs have ``min_samples`` requests: on a shared 2-core runner a
    5 ms p95 easily doubles to 10 ms without anything having changed."""

    p95_relative: float = 0.25
    p95_absolute_ms: float = 10.0
    rps_relative: float = 0.25
    rps_absolute: float = 1.0
    min_samples: int = 30


#: Applied to all requests together unless a thresholds file says otherwise.
DEFAULT_OVERALL = Limits(max_error_ratio=0.01)


@dataclass(frozen=True)
class Thresholds:
    overall: Limits
    operations: dict[str, Limits]
    regression: RegressionMargins
    source: str  # shown in reports: where the numbers came from

    def for_operation(self, operation_id: str) -> Limits:
        return self.operations.get(operation_id, Limits())


def spec_slos(version: str = "v1") -> dict[str, Limits]:
    """operationId -> the ``x-slo`` budget declared in the spec (empty Limits when absent)."""
    slos: dict[str, Limits] = {}
    for service in specs.SERVICES:
        try:
            found = specs.operations(version, services=(service,))
        except FileNotFoundError:
            continue  # a service without a spec in this version has no operations to gate
        for op in found:
            slo = op.spec.get("x-slo") or {}
            slos[op.operation_id] = Limits(
                p95_ms=slo.get("p95_ms"),
                p99_ms=slo.get("p99_ms"),
                max_error_ratio=slo.get("max_error_ratio"),
            )
    return slos


def load_thresholds(path: Path | None, *, version: str = "v1") -> Thresholds:
    slos = spec_slos(version)
    if path is None:
        return Thresholds(
            DEFAULT_OVERALL, slos, RegressionMargins(), f"x-slo in the {version} specs"
        )
    document = _read_toml(path)
    where = str(path)
    _only_keys(document, {"overall", "every_operation", "operations", "regression"}, where)
    overall = DEFAULT_OVERALL.overridden_by(
        _limits(document.get("overall", {}), f"{where} [overall]")
    )
    every = _limits(document.get("every_operation", {}), f"{where} [every_operation]")
    operations = {operation_id: slo.overridden_by(every) for operation_id, slo in slos.items()}
    for operation_id, table in _table(
        document.get("operations", {}), f"{where} [operations]"
    ).items():
        if operation_id not in slos:
            known = ", ".join(sorted(slos)) or "none (no specs found)"
            raise CannotRun(
                f"{where} sets thresholds for operationId {operation_id!r}, which no {version} spec "
                f"declares; check the spelling (known operationIds: {known})."
            )
        operations[operation_id] = operations[operation_id].overridden_by(
            _limits(table, f"{where} [operations.{operation_id}]")
        )
    regression = _margins(document.get("regression", {}), f"{where} [regression]")
    return Thresholds(overall, operations, regression, f"{where} over x-slo in the {version} specs")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CannotRun(
            f"thresholds file {path} does not exist; pass an existing TOML file to --thresholds."
        ) from None
    except OSError as exc:
        raise CannotRun(f"thresholds file {path} cannot be read: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CannotRun(f"thresholds file {path} is not valid TOML: {exc}.") from None


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CannotRun(f"{where} must be a table, got {value!r}.")
    return value


def _only_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise CannotRun(
            f"{where} has unknown key(s) {', '.join(unknown)}; allowed here: {', '.join(sorted(allowed))}."
        )


def _number(
    table: dict[str, Any], key: str, where: str, *, upper: float = math.inf
) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= upper:
        bound = f"between 0 and {upper:g}" if upper != math.inf else "a number >= 0"
        raise CannotRun(f"{where} {key} must be {bound}, got {value!r}.")
    return float(value)


def _limits(value: Any, where: str) -> Limits:
    table = _table(value, where)
    _only_keys(table, {f.name for f in fields(Limits)}, where)
    return Limits(
        p95_ms=_number(table, "p95_ms", where),
        p99_ms=_number(table, "p99_ms", where),
        max_error_ratio=_number(table, "max_error_ratio", where, upper=1),
        min_rps=_number(table, "min_rps", where),
    )


def _margins(value: Any, where: str) -> RegressionMargins:
    table = _table(value, where)
    defaults = RegressionMargins()
    _only_keys(table, {f.name for f in fields(RegressionMargins)}, where)
    min_samples = table.get("min_samples", defaults.min_samples)
    if isinstance(min_samples, bool) or not isinstance(min_samples, int) or min_samples < 1:
        raise CannotRun(f"{where} min_samples must be a whole number >= 1, got {min_samples!r}.")
    numbers = {
        f.name: _number(table, f.name, where)
        for f in fields(RegressionMargins)
        if f.name != "min_samples"
    }
    return replace(
        defaults, min_samples=min_samples, **{k: v for k, v in numbers.items() if v is not None}
    )
