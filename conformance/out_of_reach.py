"""Requirements a black-box client cannot verify, and why.

They appear in every report as *skipped* with this reason (a skip is never a pass), so a
reader knows they were not forgotten and where they are verified instead.
"""

from __future__ import annotations

__all__ = ["OUT_OF_REACH"]

_NEEDS_KEY = (
    "needs a correctly signed token with chosen claims, i.e. the target's signing key, "
    "which the suite deliberately does not have; verify it in the implementation's own tests"
)

_NEEDS_MAILBOX = (
    "email is observed at the SMTP relay and the recipients' mailboxes, which a run over the "
    "API cannot read; verify it in the implementation's own tests (the reference does so "
    "against real SMTP servers on loopback)"
)

OUT_OF_REACH: dict[str, str] = {
    "AUTH-010": _NEEDS_KEY,
    "AUTH-011": _NEEDS_KEY,
    "AUTH-013": (
        "throttling the suite's own client address would lock the rest of the run (and anyone "
        "sharing the address) out for 15 minutes; verify it in the implementation's own tests"
    ),
    "AUTH-016": (
        "observing the limit spends it: the suite's client address (and anyone sharing it) "
        "could not register for the rest of the target's window (15 minutes by default), so "
        "the check runs only on request: `refarch conform --requirements AUTH-016` on its own"
    ),
    "SEC-002": "password storage is not observable through the API",
    "ANL-010": (
        "a rebuild replays the stream into a fresh store with the service stopped, an operator "
        "action the suite cannot take through the API; verify it in the implementation's own tests"
    ),
    "ANL-011": (
        "the suite cannot choose the order in which the target's broker delivers events; "
        "verify it in the implementation's own tests"
    ),
    "SEC-007": (
        "a property of the specification (no operation takes a URL the server fetches), checked "
        "by `refarch specs`, not by probing the target"
    ),
    "SEC-013": "needs malformed events injected into the target's event stream",
    "NTF-006": _NEEDS_MAILBOX,
    "NTF-007": _NEEDS_MAILBOX,
    "NTF-008": _NEEDS_MAILBOX,
    "OPS-003": "needs control over the target's database to take it down",
    "OPS-004": "needs control over the target's database to make it hang",
    "ORD-017": (
        "needs waiting past the target's pending-order time limit (30 minutes by default); "
        "verify it in the implementation's own tests"
    ),
}
