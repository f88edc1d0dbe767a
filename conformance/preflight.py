"""Checks made before any test runs, so "could not run" is never mistaken for "non-conformant".

Each failure says what is wrong and how to fix it; the CLI exits 2 on any of them.
"""

from __future__ import annotations

import httpx

from conformance.options import RunOptions
from refarch.specs import SERVICES, spec_path, versions

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


def _check_reachable(client: httpx.Client, options: RunOptions) -> None:
    url = f"{options.api_url}/health"
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise PreflightError(
            f"target unreachable: GET {url} failed ({type(error).__name__}: {error}); "
            "check --base-url (scheme://host:port, without /api/v1) and that the service is up"
        ) from None
    if response.status_code != 200:
        raise PreflightError(
            f"target not healthy: GET {url} answered HTTP {response.status_code}; "
            "check --base-url (without /api/v1) and the service's logs"
        )


def _check_admin(client: httpx.Client, options: RunOptions) -> None:
    response = client.post(
        f"{options.api_url}/auth/login",
        json={"email": options.admin_email, "password": options.admin_password},
    )
    if response.status_code != 200:
        raise PreflightError(
            f"admin login for {options.admin_email} refused (HTTP {response.status_code}); "
            "check --admin-email/--admin-password (or REFARCH_CONFORM_ADMIN_*) match the "
            "admin account the implementation was started with"
        )
    token = response.json().get("access_token", "")
    me = client.get(f"{options.api_url}/users/me", headers={"Authorization": f"Bearer {token}"})
    if me.status_code != 200 or me.json().get("role") != "admin":
        raise PreflightError(
            f"{options.admin_email} can log in but is not an admin (GET /users/me: "
            f"HTTP {me.status_code}); grant it the admin role"
        )


def preflight(options: RunOptions) -> None:
    _check_selection(options)
    with httpx.Client(timeout=10.0) as client:
        _check_reachable(client, options)
        _check_admin(client, options)
