"""The suite's event log against a real JetStream server: it finds the stream by subject,
records what is published after it started, sees an unacknowledged message again, and
says clearly when the broker cannot be used."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from refarch.conformance.events.log import BrokerUnusable, EventLog
from refarch.conformance.events.preflight import check_broker
from tests.conformance.events.nats_broker import create_stream, nats_server, publish


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with nats_server(tmp_path_factory.mktemp("jetstream")) as url:
        # a stream name the suite cannot guess: it must find the stream by subject
        create_stream(url, "SHOP_EVENTS_X", ["shop.>"])
        yield url


def _body(event_id: str, kind: str = "order.placed") -> bytes:
    return json.dumps({"id": event_id, "type": kind}).encode()


def test_the_log_records_what_is_published_after_it_started(broker: str) -> None:
    publish(broker, "shop.order.placed", _body("before"), "before")
    log = EventLog(broker, "shop")
    try:
        publish(broker, "shop.order.placed", _body("e-1"), "e-1")
        publish(broker, "shop.user.registered", b"not json", "e-2")

        found = log.wait_for(lambda e: e.subject.startswith("shop."), 5, count=2)

        assert log.stream == "SHOP_EVENTS_X"
        assert [(e.subject, e.id, e.headers.get("Nats-Msg-Id")) for e in found] == [
            ("shop.order.placed", "e-1", "e-1"),
            ("shop.user.registered", "", "e-2"),
        ]
        assert found[1].body is None and found[1].raw == b"not json"
    finally:
        log.close()


def test_a_message_never_acknowledged_comes_back(broker: str) -> None:
    log = EventLog(broker, "shop")
    try:
        bodies = log.redeliveries(
            "shop.product.created",
            lambda: publish(broker, "shop.product.created", _body("p-1", "product.created"), "p-1"),
            timeout=5,
        )
    finally:
        log.close()

    assert bodies == [_body("p-1", "product.created")] * 2


def test_no_stream_for_the_prefix_is_a_clear_error(broker: str) -> None:
    with pytest.raises(BrokerUnusable, match=r"no JetStream stream stores the subjects other\.>"):
        check_broker(broker, "other")


def test_an_unreachable_broker_is_a_clear_error() -> None:
    with pytest.raises(
        BrokerUnusable, match=r"cannot connect to the broker at nats://127\.0\.0\.1:1"
    ):
        check_broker("nats://127.0.0.1:1", "shop")


@pytest.mark.parametrize(
    ("url", "prefix", "message"),
    [
        ("http://127.0.0.1:4222", "shop", "is not a NATS URL"),
        ("nats://127.0.0.1:4222", "shop.*", "is not a NATS subject prefix"),
    ],
)
def test_bad_options_are_refused_before_connecting(url: str, prefix: str, message: str) -> None:
    with pytest.raises(BrokerUnusable, match=message):
        check_broker(url, prefix)
