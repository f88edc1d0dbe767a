"""Forged access tokens for the broken-authentication checks (OWASP API2:2023).

The suite does not know the target's signing key, so every token made here must be refused:
a token without a signature (``alg: none``), a real token whose claims were changed after
signing, and a real token with a corrupted signature.
"""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["claims_of", "corrupt_signature", "escalate_claims", "header_of", "unsigned_token"]


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(_b64decode(token.split(".")[1]))
    return claims


def unsigned_token(token: str) -> str:
    """The same claims, promoted to admin, with ``alg: none`` and no signature."""
    claims = {**claims_of(token), "role": "admin"}
    return f"{_b64encode({'alg': 'none', 'typ': 'JWT'})}.{_b64encode(claims)}."


def escalate_claims(token: str) -> str:
    """The original header and signature around claims changed to ``role: admin``."""
    header, _, signature = token.split(".")
    return f"{header}.{_b64encode({**claims_of(token), 'role': 'admin'})}.{signature}"


def corrupt_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    # change a middle character: the last one may only carry padding bits
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def header_of(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(_b64decode(token.split(".")[0]))
    return header
