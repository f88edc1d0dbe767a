"""Administrators can never lock every administrator out: not themselves, not the last one."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.errors import Conflict
from refarch.reference_impl.principal import Principal
from refarch.reference_impl.users.domain import NewUser, User

pytestmark = pytest.mark.anyio


async def _new_admin(services: Services) -> User:
    user = await services.users.register(
        NewUser(
            email=f"admin-{uuid.uuid4().hex[:12]}@example.test",
            first_name="Grace",
            last_name="Hopper",
        ),
        "correct horse battery staple",
    )
    return await services.users.admin_update(
        Principal(user_id=uuid.uuid4(), role="admin"), user.id, {"role": "admin"}
    )


def _as_actor(user: User) -> Principal:
    return Principal(user_id=user.id, role=user.role)


async def _active_admins(services: Services) -> int:
    count: int = await services.pool.fetchval(
        "SELECT count(*) FROM users.users WHERE role = 'admin' AND status = 'active'"
    )
    return count


@pytest.mark.parametrize("change", [{"status": "suspended"}, {"role": "customer"}])
async def test_an_admin_cannot_suspend_or_demote_themself(
    services: Services, change: dict[str, str]
) -> None:
    first, second = await _new_admin(services), await _new_admin(services)

    with pytest.raises(Conflict, match="their own account"):
        await services.users.admin_update(_as_actor(first), first.id, change)

    user = await services.users.get_user(_as_actor(second), first.id)
    assert (user.role, user.status) == ("admin", "active")


async def test_the_last_active_admin_cannot_be_suspended_demoted_or_deleted(
    services: Services,
) -> None:
    only = await _new_admin(services)
    assert await _active_admins(services) == 1
    # An actor that is not (or no longer) an active admin row, e.g. a token issued before
    # its own demotion: the last admin is protected whoever asks.
    outsider = Principal(user_id=uuid.uuid4(), role="admin")

    for change in ({"status": "suspended"}, {"role": "customer"}):
        with pytest.raises(Conflict, match="last active administrator"):
            await services.users.admin_update(outsider, only.id, change)
    with pytest.raises(Conflict, match="last active administrator"):
        await services.users.delete_user(outsider, only.id)

    assert await _active_admins(services) == 1


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    services: Services,
) -> None:
    first, second = await _new_admin(services), await _new_admin(services)
    assert await _active_admins(services) == 2

    outcomes = await asyncio.gather(
        services.users.admin_update(_as_actor(first), second.id, {"role": "customer"}),
        services.users.admin_update(_as_actor(second), first.id, {"role": "customer"}),
        return_exceptions=True,
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert len(refused) == 1, outcomes
    assert await _active_admins(services) == 1


async def test_an_admin_may_still_demote_another_admin_and_reactivate_accounts(
    services: Services,
) -> None:
    first, second = await _new_admin(services), await _new_admin(services)

    demoted = await services.users.admin_update(_as_actor(first), second.id, {"role": "customer"})
    suspended = await services.users.admin_update(
        _as_actor(first), second.id, {"status": "suspended"}
    )
    back = await services.users.admin_update(_as_actor(first), second.id, {"status": "active"})

    assert (demoted.role, suspended.status, back.status) == ("customer", "suspended", "active")
