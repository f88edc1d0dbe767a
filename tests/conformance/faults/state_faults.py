"""Faults in the account, stock and order rules that hold state consistent (the hardening
checks in ``conformance/suite/test_hardening_state.py``).

Each wraps a method of a service object that ``build_services`` returned and acts only
while the switch names it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

from reference_impl.bootstrap import Services
from reference_impl.principal import Principal
from tests.conformance.faults.asgi import Fault

__all__ = ["STATE_FAULTS"]


class AdminMayLockThemselfOut(Fault):
    """The self-lockout check forgets who is asking (another admin's id is passed on)."""

    name, requirement, select = "admin-may-lock-themself-out", "USR-012", ("USR-012",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        admin_update = services.users.admin_update

        async def forgetful(actor: Principal, user_id: UUID, changes: dict[str, Any]) -> Any:
            if active():
                actor = Principal(user_id=uuid.uuid4(), role=actor.role)
            return await admin_update(actor, user_id, changes)

        services.users.admin_update = forgetful  # type: ignore[method-assign]


STATE_FAULTS: list[Fault] = [
    AdminMayLockThemselfOut(),
]
