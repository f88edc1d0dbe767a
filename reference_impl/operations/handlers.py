"""``getHealth`` (liveness) and ``getReadiness`` (database reachable, migrations applied).

Liveness never touches the database, so an orchestrator does not restart healthy processes
during a database outage; readiness does, so traffic is routed away until it is back.
"""

from __future__ import annotations

import asyncio

import asyncpg

from refarch.migrate import MigrationError, pending
from refarch.reference_impl.platform.contract import ApiRequest, ApiResponse, Operations
from refarch.reference_impl.platform.problems import (
    DATABASE_RETRY_AFTER_SECONDS,
    HttpProblem,
    is_database_unavailable,
)

__all__ = ["OperationsHandlers"]

#: A readiness probe must answer quickly even when the database hangs.
READINESS_TIMEOUT_SECONDS = 2.0


def _not_ready(detail: str) -> HttpProblem:
    return HttpProblem(
        503,
        "Service unavailable",
        detail,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


class OperationsHandlers:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def operations(self) -> Operations:
        return {"getHealth": self.get_health, "getReadiness": self.get_readiness}

    async def get_health(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse(200, {"status": "ok"})

    async def get_readiness(self, request: ApiRequest) -> ApiResponse:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
                async with self._pool.acquire() as conn:
                    todo = await pending(conn)
        except MigrationError as exc:
            raise _not_ready(f"The database schema disagrees with the migrations: {exc}") from None
        except Exception as exc:
            if is_database_unavailable(exc):
                raise _not_ready("The database is unreachable.") from None
            raise
        if todo:
            raise _not_ready(f"{len(todo)} migration(s) are not applied yet.")
        return ApiResponse(
            200, {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
        )
