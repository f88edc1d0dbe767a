"""Accounts the suite keeps on the target between runs, so runs register almost nothing.

A correct target limits registrations per client address (AUTH-016; the reference allows 30
in 15 minutes), so a suite that registered every account afresh could not run three times
in a row. Accounts that a run leaves usable — the shared customers, the throwaway
administrator, the accounts a check suspends (suspension is reversible) — are remembered in
``accounts.json`` in the run's working directory, which the CLI makes the per-target state
directory (``REPORT_DIR/.state/<target>/``). The next run restores such an account with the
operator's admin token (status active, role customer, a pending-order backlog cancelled)
and logs in with the stored password; it registers anew only when that fails (the target
was reset, or someone changed the account). Accounts a check locks or deletes are never
kept: those checks register fresh ones.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from refarch.conformance.actors import Actor, Cleanup, actor_for, register_user
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_object

__all__ = ["KEPT_ACCOUNTS_FILE", "KEPT_ROLES", "SPARE", "kept_user"]

#: relative to the run's working directory, the per-target state directory
KEPT_ACCOUNTS_FILE = Path("accounts.json")
#: One customer that checks may change in any reversible way (promote, suspend, fill its
#: pending-order limit): every check that takes it gets it restored, so one account serves
#: them all, one after the other.
SPARE = "spare"
#: Every account a run keeps: the first run against a target registers these, later runs
#: only the accounts that checks lock or delete (see conformance.budget).
KEPT_ROLES = ("alice", "bob", "carol", "lockout", SPARE)
#: what a kept account is restored to before a run uses it
_AS_REGISTERED = {"status": "active", "role": "customer"}


def _load() -> dict[str, dict[str, str]]:
    try:
        stored = json.loads(KEPT_ACCOUNTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no file yet, or one a person broke: register anew
    return stored if isinstance(stored, dict) else {}


def _store(role: str, actor: Actor) -> None:
    stored = _load()
    stored[role] = {"email": actor.email, "password": actor.password, "user_id": actor.user_id}
    # the passwords of throwaway accounts on the target: readable by the run's owner only
    descriptor = os.open(KEPT_ACCOUNTS_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # also when an older file had wider permissions
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(stored, file, indent=2, sort_keys=True)


def _cancel_pending_orders(client: ApiClient, actor: Actor) -> None:
    """A check may leave a kept customer with pending orders (up to the per-customer
    limit, ORD-016); cancelling them restores the account to what a new one offers."""
    listing = client.get(
        "/orders", params={"status": "pending", "limit": 100}, headers=actor.headers
    )
    if listing.status_code != 200:
        return
    for order in json_object(listing).get("items", []):
        client.post(f"/orders/{order['id']}/cancel", headers=actor.headers)


def _restored(client: ApiClient, admin: Actor, stored: dict[str, str]) -> Actor | None:
    """The stored account, active, a customer and logged in, or None when it is gone."""
    if not all(isinstance(stored.get(key), str) for key in ("email", "password", "user_id")):
        return None
    restore = client.patch(
        f"/users/{stored['user_id']}", json=_AS_REGISTERED, headers=admin.headers
    )
    if restore.status_code != 200 or str(json_object(restore).get("email", "")).lower() != (
        stored["email"].lower()
    ):
        return None  # the target was reset, or the id now names someone else
    login = client.post(
        "/auth/login", json={"email": stored["email"], "password": stored["password"]}
    )
    if login.status_code != 200:
        # its password was changed: one failed login, then a new account (a 429 stops the
        # run before this line: the client treats it as the suite's address throttled)
        return None
    return actor_for(client, stored["email"], stored["password"])


def kept_user(client: ApiClient, admin: Actor, role: str) -> Actor:
    """The account kept for ``role`` on this target, restored, or a new one kept for next time.

    The spare's pending orders are cancelled first: a check fills its pending-order limit
    (ORD-016), and the next check to take it must be able to order."""
    if role not in KEPT_ROLES:
        raise ValueError(f"{role!r} is not a kept role; add it to KEPT_ROLES and the budget")
    actor = None
    stored = _load().get(role)
    if isinstance(stored, dict):
        actor = _restored(client, admin, stored)
    if actor is None:
        # kept on purpose: no deletion is scheduled, the next run reuses it
        actor = register_user(client, Cleanup(), role=role)
        _store(role, actor)
    if role == SPARE:
        _cancel_pending_orders(client, actor)
    expect_status(
        client.get("/users/me", headers=actor.headers), 200, why="a kept account reads its profile"
    )
    return actor
