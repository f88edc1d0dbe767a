"""The one failure a load run can end with besides a failed gate."""

from __future__ import annotations

__all__ = ["CannotRun"]


class CannotRun(Exception):
    """The run could not take place or could not be judged: exit code 2.

    The message is shown to the user as-is, so it must say what was wrong and what to do,
    in one paragraph, without a traceback.
    """
