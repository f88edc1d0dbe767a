"""Checks made before any test runs, so "could not run" is never mistaken for "non-conformant".

Each failure says what is wrong and how to fix it; the CLI exits 2 on any of them.
"""

from __future__ import annotations

import httpx

from refarch.conformance.options import RunOptions
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
    if not options.admin_email or not options.admin_password:
        raise PreflightError(
            "no admin account: pass --admin-email and --admin-password, or set "
            "REFARCH_CONFORM_ADMIN_EMAIL and REFARCH_CONFORM_ADMIN_PASSWORD "
            "(the suite needs an admin to test admin-only operations and to clean up)"
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
