"""The users spec's JSON shapes, built from the domain. Standard library only."""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.representation import iso
from refarch.reference_impl.users.domain import TokenPair, User

__all__ = ["token_pair_json", "user_json"]


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "role": user.role,
        "status": user.status,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }


def token_pair_json(pair: TokenPair) -> dict[str, Any]:
    return {
        "access_token": pair.access_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token,
        "refresh_expires_in": pair.refresh_expires_in,
    }
