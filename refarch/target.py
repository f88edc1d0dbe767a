"""The target of a run: is the implementation up, and does the admin account work?

``refarch conform`` and ``refarch load`` both ask this before they start, so that "could not
run" (exit 2, with a reason) is never mistaken for "non-conformant" or "too slow". Each
failure is a :class:`TargetNotReady` whose message says what was wrong and how to fix it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

__all__ = ["TargetNotReady", "admin_login", "check_health"]


class TargetNotReady(Exception):
    """The target cannot be used for a run; the message is shown to the operator as is."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_health(client: httpx.Client, api_url: str) -> None:
    """One GET of the health operation under ``api_url`` (e.g. ``http://host:8000/api/v1``)."""
    url = f"{api_url}/health"
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise TargetNotReady(
            f"target unreachable: cannot reach {_origin(url)} (GET {url}: "
            f"{type(error).__name__}: {error}); check --base-url (scheme://host:port, "
            "without /api/<version>) and that the service is running"
        ) from None
    if response.status_code != 200:
        raise TargetNotReady(
            f"target not healthy: {_origin(url)} answered GET {urlsplit(url).path} with "
            f"{response.status_code}; check --base-url (without /api/<version>) and the "
            "service's logs"
        )


def admin_login(
    client: httpx.Client, api_url: str, email: str, password: str, *, env_prefix: str
) -> str:
    """Log in as the admin and confirm the role; returns the access token.

    ``env_prefix`` names the environment variables the operator may use instead of the
    options (``REFARCH_CONFORM_ADMIN`` -> ``REFARCH_CONFORM_ADMIN_EMAIL``/``_PASSWORD``).
    """
    fix = (
        f"check --admin-email/--admin-password (or {env_prefix}_EMAIL/{env_prefix}_PASSWORD) "
        "name the admin account the implementation was started with"
    )
    try:
        response = client.post(f"{api_url}/auth/login", json={"email": email, "password": password})
        if response.status_code in (401, 422):
            raise TargetNotReady(
                f"admin login for {email!r} refused: the credentials were rejected "
                f"({response.status_code}); {fix}"
            )
        if response.status_code == 429:
            raise TargetNotReady(
                f"admin login for {email!r} throttled (429, Retry-After "
                f"{response.headers.get('Retry-After', '?')} s); wait and run again"
            )
        body = response.json() if response.status_code == 200 else None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise TargetNotReady(
                f"admin login for {email!r} failed: POST {urlsplit(api_url).path}/auth/login "
                f"answered {response.status_code} without an access token: "
                f"{response.text[:300].strip()}; run `refarch conform` against the target"
            )
        me = client.get(f"{api_url}/users/me", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as error:
        raise TargetNotReady(
            f"lost contact with {_origin(api_url)} while logging in as the admin "
            f"({type(error).__name__}: {error})"
        ) from None
    except ValueError:  # a body that is not JSON
        raise TargetNotReady(
            f"admin login for {email!r}: {_origin(api_url)} answered with a body that is not "
            "JSON; check --base-url points at the API"
        ) from None
    if me.status_code != 200 or _role(me) != "admin":
        raise TargetNotReady(
            f"{email} can log in but is not an admin (GET /users/me: HTTP {me.status_code}); "
            "grant it the admin role or pass an admin's credentials"
        )
    return token


def _role(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("role") if isinstance(body, dict) else None
