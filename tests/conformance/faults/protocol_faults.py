"""Faults below the ASGI app, in the HTTP connection: no read deadline, no header limit,
and the HTTP server's own text/plain refusals. The middleware never sees such requests, so
these faults switch the guarded protocol's limits while they are in force (a descriptor
consulted per connection) and leave them untouched otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from refarch.reference_impl.bootstrap import Services
from refarch.reference_impl.platform.http_protocol import GuardedHttpProtocol
from tests.conformance.faults.asgi import Fault

__all__ = ["PROTOCOL_FAULTS"]

UNBOUNDED = 1e9


class _WhileActive:
    """A class attribute that reads ``faulty`` while the fault is in force."""

    def __init__(self, normal: Any, faulty: Any, active: Callable[[], bool]) -> None:
        self.normal, self.faulty, self.active = normal, faulty, active

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        value = self.faulty if self.active() else self.normal
        if instance is not None and callable(value):
            return value.__get__(instance, owner)
        return value


def _switch(attribute: str, faulty: Any, active: Callable[[], bool]) -> None:
    normal = GuardedHttpProtocol.__dict__[attribute]
    if isinstance(normal, _WhileActive):  # a second faulty server in this process
        normal = normal.normal
    setattr(GuardedHttpProtocol, attribute, _WhileActive(normal, faulty, active))


class NoHeaderDeadline(Fault):
    name, requirement, select = "no-header-read-deadline", "API-022", ("API-022",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        _switch("header_timeout", UNBOUNDED, active)


class NoHeaderSizeLimit(Fault):
    name, requirement, select = "no-header-size-limit", "API-023", ("API-023",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        _switch("max_header_bytes", int(UNBOUNDED), active)


def _plain_text_refusal(self: GuardedHttpProtocol, problem: Any) -> None:
    HttpToolsProtocol.send_400_response(self, "Invalid HTTP request received.")


class PlainTextProtocolRefusals(Fault):
    """What uvicorn does on its own: text/plain, no X-Request-ID, no nosniff."""

    name, requirement, select = "plain-text-protocol-refusals", "API-001", ("API-001",)

    def patch_services(self, services: Services, active: Callable[[], bool]) -> None:
        _switch("_refuse_now", _plain_text_refusal, active)


PROTOCOL_FAULTS: list[Fault] = [
    NoHeaderDeadline(),
    NoHeaderSizeLimit(),
    PlainTextProtocolRefusals(),
]
