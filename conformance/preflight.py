"""Checks made before any test runs, so "could not run" is never mistaken for "non-conformant".

Each failure says what is wrong and how to fix it; the CLI exits 2 on any of them.
"""

from __future__ import annotations

import textwrap

import httpx

from refarch.conformance.options import RunOptions
from refarch.requirements import RequirementCatalog
from refarch.specs import SERVICES, spec_path, versions
from refarch.target import TargetNotReady, admin_login, check_health

__all__ = ["PreflightError", "preflight"]


class PreflightError(Exception):
    """The run cannot start; the message is shown to the operator as is."""


def _check_selection(options: RunOptions) -> None:
    known_versions = versions()
    if options.version not in known_versions:
        raise PreflightError(
            f"unknown spec version {options.version!r}; this suite knows: {', '.join(known_versions)}"
        )
    unknown = [service for service in options.services if service not in SERVICES]
    if unknown:
        raise PreflightError(
            f"unknown service(s): {', '.join(unknown)}; choose from {', '.join(SERVICES)} "
            "(--services takes a comma-separated list)"
        )
    missing = [s for s in options.services if not spec_path(s, options.version).is_file()]
    if missing:
        raise PreflightError(f"no {options.version} spec for: {', '.join(missing)}")
    _check_requirement_ids(options)
    if not options.admin_email or not options.admin_password:
        raise PreflightError(
            "no admin account: pass --admin-email and --admin-password, or set "
            "REFARCH_CONFORM_ADMIN_EMAIL and REFARCH_CONFORM_ADMIN_PASSWORD "
            "(the suite needs an admin to test admin-only operations and to clean up)"
        )


def _normalised(requirement_id: str) -> str:
    """``ord-4`` -> ``ORD-004``: the catalog's spelling of a sloppily typed id."""
    prefix, _, number = requirement_id.strip().upper().partition("-")
    return f"{prefix}-{int(number):03d}" if number.isdigit() else requirement_id


def _check_requirement_ids(options: RunOptions) -> None:
    """An unknown ``--requirements`` id is a typo to name, not an empty or partial run."""
    catalog = RequirementCatalog.load(options.version)
    unknown = catalog.unknown(list(options.requirements))
    if not unknown:
        return
    valid = [requirement.id for requirement in catalog]
    hints = []
    for rid in unknown:
        close = _normalised(rid)
        hints.append(f"{rid} (did you mean {close}?)" if close in valid else rid)
    listing = textwrap.fill(
        ", ".join(valid), width=100, initial_indent="  ", subsequent_indent="  "
    )
    raise PreflightError(
        f"--requirements names unknown id(s): {', '.join(hints)}; the {options.version} "
        f"catalog has these ids:\n{listing}"
    )


def preflight(options: RunOptions) -> None:
    _check_selection(options)
    try:
        with httpx.Client(timeout=10.0) as client:
            check_health(client, options.api_url)
            admin_login(
                client,
                options.api_url,
                options.admin_email,
                options.admin_password,
                env_prefix="REFARCH_CONFORM_ADMIN",
            )
    except TargetNotReady as error:
        raise PreflightError(str(error)) from None
