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

_NEEDS_MAIL = (
    "the mail relay is not part of the HTTP contract: a black-box client cannot see what the "
    "target emails; verified by the project's tests against real SMTP servers"
)

OUT_OF_REACH: dict[str, str] = {
    "AUTH-010": _NEEDS_KEY,
    "AUTH-011": _NEEDS_KEY,
    "AUTH-013": (
        "throttling the suite's own client address would lock the rest of the run (and anyone "
        "sharing the address) out for 15 minutes; verify it in the implementation's own tests"
    ),
    "AUTH-016": (
        "throttling the suite's own client address would stop the rest of the run (and anyone "
        "sharing the address) from registering for 15 minutes; verify it in the "
        "implementation's own tests"
    ),
    "SEC-002": "password storage is not observable through the API",
    "SEC-007": (
        "a property of the specification (no operation takes a URL the server fetches), checked "
        "by `refarch specs`, not by probing the target"
    ),
    "SEC-013": "needs malformed events injected into the target's event stream",
    "OPS-003": "needs control over the target's database to take it down",
    "OPS-004": "needs control over the target's database to make it hang",
    "NTF-006": _NEEDS_MAIL,
    "NTF-007": _NEEDS_MAIL,
    "NTF-008": _NEEDS_MAIL,
    "ORD-017": (
        "needs waiting past the target's pending-order time limit (30 minutes by default); "
        "verify it in the implementation's own tests"
    ),
}
