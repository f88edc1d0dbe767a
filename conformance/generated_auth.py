"""Who generated requests act as: a Schemathesis auth provider on every service schema.

Schemathesis applies it to each generated case except where negative generation removed or
corrupted the credentials on purpose, so "must be refused" cases stay refused. Admin-only
operations (``x-required-role: admin``) run as the operator's admin, everything else as a
fresh ordinary user; stateful chains may also read back, as the admin, objects another
identity created earlier in the chain (``also_as_admin``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import schemathesis

from refarch.conformance.actors import Actor
from refarch.specs import Operation, operations

__all__ = ["IDENTITIES", "GeneratedIdentities", "use_bearer_tokens"]


@dataclass
class GeneratedIdentities:
    """Filled by a session fixture before the first case is generated."""

    user: Actor | None = None
    admin: Actor | None = None
    also_as_admin: frozenset[str] = field(default_factory=frozenset)  # operationIds

    def for_operation(self, operation: Operation) -> Actor | None:
        as_admin = operation.admin_only or operation.operation_id in self.also_as_admin
        return self.admin if as_admin else self.user


IDENTITIES = GeneratedIdentities()


def use_bearer_tokens(schema: schemathesis.BaseSchema, version: str) -> None:
    index = {(op.method, op.path): op for op in operations(version)}

    def operation_of(ctx: schemathesis.AuthContext) -> Operation:
        return index[(ctx.operation.method.upper(), ctx.operation.path)]

    def identity_key(case: schemathesis.Case[Any], ctx: schemathesis.AuthContext) -> str:
        # tokens are cached per key: one per identity, and none at all for public operations
        operation = operation_of(ctx)
        actor = None if operation.public else IDENTITIES.for_operation(operation)
        return actor.user_id if actor else "anonymous"

    @schema.auth(cache_by_key=identity_key)
    class BearerTokens:
        def get(self, case: schemathesis.Case[Any], ctx: schemathesis.AuthContext) -> str | None:
            operation = operation_of(ctx)
            actor = None if operation.public else IDENTITIES.for_operation(operation)
            return actor.access_token if actor else None

        def set(
            self, case: schemathesis.Case[Any], data: str | None, ctx: schemathesis.AuthContext
        ) -> None:
            if data:
                case.headers["Authorization"] = f"Bearer {data}"
