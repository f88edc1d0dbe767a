"""The authenticated caller. Standard library only, so every layer may name it.

The platform builds one from a verified access token; services receive it to decide what
the caller may see or change.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: UUID
    role: str  # "customer" | "admin"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
