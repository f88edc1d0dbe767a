"""Test data unique per run, so the suite can share a long-lived deployment with others.

Every value carries the run's tag (and a random part), so a rerun never collides with
what an earlier run left behind and an operator can find the run's data by its tag.
"""

from __future__ import annotations

import secrets

__all__ = [
    "MISSING_ID",
    "RUN_TAG",
    "address",
    "random_email",
    "random_password",
    "random_sku",
    "random_slug",
]

RUN_TAG = secrets.token_hex(3)
#: A well-formed UUID (version 4 layout) that names nothing: the nil UUID with its version
#: and variant bits set, which no random version 4 generator yields in practice.
MISSING_ID = "00000000-0000-4000-8000-000000000000"


def _unique() -> str:
    return f"{RUN_TAG}{secrets.token_hex(4)}"


def random_email(role: str = "user") -> str:
    # example.com is reserved (RFC 2606): no mail can reach a real person
    return f"conform-{role}-{_unique()}@example.com"


def random_password() -> str:
    return f"Cf-{secrets.token_urlsafe(18)}"


def random_sku() -> str:
    return f"CONF-{_unique().upper()}"


def random_slug() -> str:
    return f"conform-{_unique()}"


def address() -> dict[str, str]:
    return {
        "name": "Ada Conformance",
        "line1": "1 Spec Street",
        "city": "Berlin",
        "postal_code": "10115",
        "country": "DE",
    }
