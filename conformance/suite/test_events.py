"""Events as contracts (EVT-001..EVT-008): what the implementation publishes on its broker.

Needs ``--broker-url``: the suite subscribes to the implementation's JetStream stream (found
by subject, ``<prefix>.>``), drives the API, and judges the messages against
the AsyncAPI document the run's API version publishes by (``specs/asyncapi/v1.yaml`` for
/api/v1 and /api/v2 alike; refarch.specs.asyncapi_version_for). Without it every test here
is reported as skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator
from typing import Any

import pytest

from refarch.conformance.actors import Actor, Cleanup, register_user
from refarch.conformance.concurrency import Call, all_at_once
from refarch.conformance.events.checks import (
    changed_id_problems,
    distinct,
    envelope_problems,
    order_lifecycle_problems,
    sequence_problems,
)
from refarch.conformance.events.journey import Journey, new_request_id, run_journey
from refarch.conformance.events.log import EventLog, ReceivedEvent
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_status, json_object
from refarch.conformance.kept_accounts import SPARE, kept_user
from refarch.conformance.options import RunOptions
from refarch.conformance.polling import wait_for_notification
from refarch.conformance.shop import create_category, create_product, order_body, place_order
from refarch.event_contract import EventContract, event_contract
from refarch.specs import asyncapi_version_for

pytestmark = [pytest.mark.services("users", "catalog", "orders"), pytest.mark.layer("scenarios")]

NO_BROKER = "no --broker-url given: the event tests read the implementation's broker"


@pytest.fixture(scope="module")
def events(run_options: RunOptions) -> Iterator[EventLog]:
    if not run_options.broker_url:
        pytest.skip(NO_BROKER)
    log = EventLog(run_options.broker_url, run_options.subject_prefix)
    yield log
    log.close()


@pytest.fixture(scope="module")
def contract(run_options: RunOptions) -> EventContract:
    # the events are versioned apart from the HTTP API: /api/v2 publishes asyncapi/v1's
    return event_contract(asyncapi_version_for(run_options.version))


@pytest.fixture(scope="module")
def journey(
    api: ApiClient, admin: Actor, cleanup: Cleanup, events: EventLog, run_options: RunOptions
) -> Journey:
    return run_journey(api, admin, cleanup, events, run_options.event_timeout)


def _problems_text(problems: list[str]) -> str:
    return "\n".join(problems[:20]) + (
        f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
    )


def _about(kind: str, aggregate_id: str, **data: object) -> Callable[[ReceivedEvent], bool]:
    """Matches the events of one aggregate whose data has these values."""
    return lambda event: (
        event.aggregate == (kind, aggregate_id)
        and all(event.data.get(key) == value for key, value in data.items())
    )


def _of(events: EventLog, kind: str, aggregate_id: str) -> list[ReceivedEvent]:
    return [e for e in events.events() if e.aggregate == (kind, aggregate_id)]


@pytest.mark.requirement("EVT-001")
def test_evt_001_every_action_publishes_its_declared_event_schema_valid_in_time(
    journey: Journey, contract: EventContract, run_options: RunOptions
) -> None:
    problems = []
    for step in journey.steps:
        for index, wanted in enumerate(step.expected):
            arrived = step.published(index)
            if not arrived:
                problems.append(
                    f"{step.operation_id} (X-Request-ID {step.request_id}): no {wanted.type} for "
                    f"{wanted.aggregate_id} within {run_options.event_timeout:g} s"
                )
            for event in arrived:
                problems += [
                    f"{step.operation_id}: {p}"
                    for p in envelope_problems(event, contract, run_options.subject_prefix)
                ]
    expect(not problems, "each action's declared event, schema-valid, on its subject, in time",
           actual=_problems_text(problems))  # fmt: skip


@pytest.mark.requirement("EVT-002")
def test_evt_002_events_name_the_ids_the_api_answered_and_the_causing_request(
    journey: Journey,
) -> None:
    problems = []
    for step in journey.steps:
        for index, wanted in enumerate(step.expected):
            if step.strays.get(index):
                named = sorted({e.aggregate[1] for e in step.strays[index]})
                problems.append(
                    f"{step.operation_id}: {wanted.type} names aggregate {named}, not "
                    f"{wanted.aggregate_id} with data {wanted.data} from the API's answer"
                )
            for event in step.published(index):
                envelope, where = event.envelope, f"{step.operation_id} → {event.type}"
                if envelope.get("request_id") != step.request_id:
                    problems.append(
                        f"{where}: request_id {envelope.get('request_id')!r}, but the call "
                        f"carried X-Request-ID {step.request_id!r}"
                    )
                if event.headers.get("Nats-Msg-Id") != event.id:
                    problems.append(
                        f"{where}: header Nats-Msg-Id {event.headers.get('Nats-Msg-Id')!r} is "
                        f"not the event id {event.id!r}"
                    )
    expect(not problems, "ids and request id match the API call that caused the event",
           actual=_problems_text(problems))  # fmt: skip


@pytest.mark.requirement("EVT-005")
def test_evt_005_each_aggregates_events_are_numbered_in_commit_order(
    journey: Journey, events: EventLog
) -> None:
    problems = []
    for kind, aggregate_id in journey.aggregates():
        problems += [
            f"{kind} {aggregate_id}: {p}"
            for p in sequence_problems(_of(events, kind, aggregate_id))
        ]
    product_types = [e.type for e in distinct(_of(events, "product", journey.product_id))]
    wanted = ["product.created", "product.updated", *["product.stock_changed"] * 4]
    if product_types != wanted:
        problems.append(
            f"the product's events arrived as {product_types}, the changes were {wanted}"
        )
    expect(not problems, "sequence 1, 2, 3, … per aggregate, in the order of the changes",
           actual=_problems_text(problems))  # fmt: skip


@pytest.mark.requirement("EVT-007")
def test_evt_007_an_orders_events_follow_its_state_machine(
    journey: Journey, events: EventLog
) -> None:
    problems = []
    for order_id in journey.orders:
        problems += [
            f"order {order_id}: {p}"
            for p in order_lifecycle_problems(_of(events, "order", order_id))
        ]
    delivered, cancelled = journey.orders
    final = [e.type for e in distinct(_of(events, "order", cancelled))]
    if final != ["order.placed", "order.cancelled"]:
        problems.append(
            f"the cancelled order published {final}, not order.placed then order.cancelled"
        )
    if len(distinct(_of(events, "order", delivered))) != 4:
        problems.append("the delivered order did not publish placed + 3 status changes")
    expect(not problems, "placed, then one step at a time, or cancelled and then nothing",
           actual=_problems_text(problems))  # fmt: skip


@pytest.mark.requirement("EVT-006")
def test_evt_006_a_change_keeps_one_id_however_often_it_is_published(
    journey: Journey, events: EventLog
) -> None:
    mine = [e for e in events.events() if e.aggregate in journey.aggregates()]
    problems = changed_id_problems(mine)
    expect(not problems, "one event id per change (redeliveries and retries repeat it)",
           actual=_problems_text(problems))  # fmt: skip


@pytest.mark.requirement("EVT-006")
def test_evt_006_a_redelivered_event_is_the_same_event(
    api: ApiClient, admin: Actor, cleanup: Cleanup, events: EventLog, run_options: RunOptions
) -> None:
    subject = f"{run_options.subject_prefix}.product.created"
    bodies = events.redeliveries(
        subject,
        lambda: create_product(api, admin, cleanup, stock=1),
        run_options.event_timeout,
    )
    expect(len(bodies) == 2, f"a {subject} message not acknowledged is delivered again",
           actual=f"{len(bodies)} deliveries")  # fmt: skip
    expect(bodies[0] == bodies[1], "the redelivered message is byte for byte the first one",
           actual=f"{bodies[0][:200]!r} then {bodies[1][:200]!r}")  # fmt: skip


@pytest.mark.requirement("EVT-003")
def test_evt_003_a_refused_action_publishes_nothing(
    api: ApiClient, admin: Actor, cleanup: Cleanup, events: EventLog, run_options: RunOptions
) -> None:
    timeout = run_options.event_timeout
    # One order line in stock and one short: an implementation may take the first line's
    # stock (and record its event) before it finds the second short and rolls back.
    plenty = create_product(api, admin, cleanup, stock=5)["id"]
    short = create_product(api, admin, cleanup, stock=1)["id"]
    for pid in (plenty, short):
        created = events.wait_for(_about("product", pid), timeout)
        expect(bool(created), f"product.created for {pid} (the starting point of this test)")
    buyer = register_user(api, cleanup, role="refused")
    expect_status(place_order(api, buyer, (plenty, 1), (short, 5)), 409, why="a line is short")
    expect_status(place_order(api, buyer, (plenty, 0)), 422, why="quantity 0 is invalid")
    expect_status(
        api.post(f"/products/{plenty}/stock-adjustments", json={"delta": 0},
                 headers=admin.headers), 422, why="a zero adjustment is invalid",
    )  # fmt: skip
    # Fences: changes that succeed on the same aggregates. One aggregate's events arrive in
    # commit order, so whatever the refused calls published is in the log before these.
    for pid in (plenty, short):
        expect_status(
            api.post(f"/products/{pid}/stock-adjustments", json={"delta": 1},
                     headers=admin.headers), 200, why="a valid adjustment",
        )  # fmt: skip
        fence = events.wait_for(_about("product", pid, delta=1), timeout)
        expect(bool(fence), f"product.stock_changed with delta 1 for the +1 adjustment of {pid}")
    order = json_object(expect_status(place_order(api, buyer, (short, 1)), 201, why="in stock"))
    events.wait_for(lambda e: e.aggregate == ("order", order["id"]), timeout)
    problems = [
        f"{e.type} for product {e.aggregate[1]}: {e.data}"
        for pid in (plenty, short)
        for e in distinct(_of(events, "product", pid))
        if not (e.type == "product.created"
                or (e.type == "product.stock_changed" and e.data.get("delta") == 1)
                or e.data.get("order_id") == order["id"])
    ]  # fmt: skip
    problems += [
        f"{e.type} for order {e.aggregate[1]} of the refused buyer"
        for e in distinct(events.events())
        if e.data.get("user_id") == buyer.user_id and e.aggregate[0] == "order"
        and e.aggregate[1] != order["id"]
    ]  # fmt: skip
    expect(not problems, "no event for a refused (409, 422) request",
           actual=_problems_text(problems))  # fmt: skip


def _stock_returned_by(order_id: str) -> Callable[[ReceivedEvent], bool]:
    return lambda event: (
        event.type == "product.stock_changed"
        and event.data.get("order_id") == order_id
        and event.data.get("delta", 0) > 0
    )


@pytest.mark.requirement("EVT-002")
def test_evt_002_a_cancellation_says_who_cancelled_and_why_stock_came_back(
    api: ApiClient,
    admin: Actor,
    alice: Actor,
    cleanup: Cleanup,
    events: EventLog,
    run_options: RunOptions,
) -> None:
    # order.cancelled's reason is `customer` for a customer's own cancellation and `admin`
    # for an administrator's; the stock it returns is reason order_cancelled either way
    timeout = run_options.event_timeout
    pid = create_product(api, admin, cleanup, stock=5)["id"]
    problems: list[str] = []
    for who, actor, reason in (("its owner", alice, "customer"), ("an admin", admin, "admin")):
        placed = place_order(api, alice, (pid, 1))  # alice's pending count ends as it began
        oid = json_object(expect_status(placed, 201, why="in stock"))["id"]
        cancel = api.post(f"/orders/{oid}/cancel", headers=actor.headers)
        expect_status(cancel, 200, why=f"{who} cancels a pending order")
        cancelled = events.wait_for(_about("order", oid), timeout, count=2)
        said = [e.data.get("reason") for e in distinct(cancelled) if e.type == "order.cancelled"]
        if said != [reason]:
            problems.append(f"cancelled by {who}: order.cancelled reason {said}, not [{reason!r}]")
        returned = events.wait_for(_stock_returned_by(oid), timeout)
        given = [e.data.get("reason") for e in distinct(returned)]
        if given != ["order_cancelled"]:
            problems.append(
                f"cancelled by {who}: the returned stock's reason {given}, not ['order_cancelled']"
            )
    expect(not problems, "a cancellation's events say who cancelled it and why stock came back",
           actual=_problems_text(problems))  # fmt: skip


def _caused_by(
    event_type: str, aggregate: tuple[str, str], request_ids: Collection[str]
) -> Callable[[ReceivedEvent], bool]:
    """``event_type`` events of one aggregate caused by one of these requests (an event's
    request_id is the X-Request-ID of the call that caused it)."""
    return lambda event: (
        event.type == event_type
        and event.aggregate == aggregate
        and event.envelope.get("request_id") in request_ids
    )


def _admin_patch(api: ApiClient, admin: Actor, path: str, body: dict[str, Any]) -> str:
    """PATCH ``path`` as the admin with a request id of its own; returns that id."""
    request_id = new_request_id()
    response = api.patch(path, json=body, headers={**admin.headers, "X-Request-ID": request_id})
    expect_status(response, 200, why=f"an admin sends PATCH {path} {body}")
    return request_id


def _changed_problems(
    events: EventLog,
    event_type: str,
    aggregate: tuple[str, str],
    steps: list[tuple[dict[str, Any], list[str]]],
    request_ids: list[str],
) -> list[str]:
    """Where the ``event_type`` events each PATCH of ``steps`` caused (by request id) do not
    name exactly the fields it changed: one event naming them, or none for no change."""
    problems = []
    for (body, wanted), request_id in zip(steps, request_ids, strict=True):
        caused = _caused_by(event_type, aggregate, {request_id})
        got = [sorted(e.data.get("changed") or []) for e in distinct(events.events()) if caused(e)]
        if got != ([wanted] if wanted else []):
            wanted_text = f"one with changed={wanted}" if wanted else "none"
            problems.append(f"PATCH {body}: {event_type} events {got}, wanted {wanted_text}")
    return problems


@pytest.mark.requirement("EVT-002")
def test_evt_002_user_updated_names_exactly_the_fields_that_changed(
    api: ApiClient, admin: Actor, events: EventLog, run_options: RunOptions
) -> None:
    # user.updated is published when adminUpdateUser changes the role or the status, with
    # the names of the fields that changed; a change of nothing changes nothing
    user = kept_user(api, admin, SPARE)  # restored to an active customer; left as one
    steps: list[tuple[dict[str, str], list[str]]] = [
        ({"role": "admin"}, ["role"]),
        ({"role": "admin", "status": "active"}, []),
        ({"role": "customer", "status": "suspended"}, ["role", "status"]),
        ({"status": "active"}, ["status"]),
    ]
    sent = [_admin_patch(api, admin, f"/users/{user.user_id}", body) for body, _ in steps]
    # one aggregate's events arrive in commit order: once the last change's event is in,
    # whatever the earlier changes published is in the log too
    aggregate = ("user", user.user_id)
    events.wait_for(_caused_by("user.updated", aggregate, {sent[-1]}), run_options.event_timeout)
    problems = _changed_problems(events, "user.updated", aggregate, steps, sent)
    expect(
        not problems,
        "one user.updated per change of role or status, naming exactly the fields that changed,"
        " and none for a change of nothing",
        actual=_problems_text(problems),
    )


#: identical promotions of one account sent at once; only the first changes the role
CONCURRENT_PROMOTIONS = 8


@pytest.mark.requirement("EVT-002")
def test_evt_002_identical_concurrent_updates_publish_one_user_updated(
    api: ApiClient, admin: Actor, events: EventLog, run_options: RunOptions
) -> None:
    # an update that compares with the row as it was before a concurrent one committed
    # (no row lock) publishes a change that did not happen
    user = kept_user(api, admin, SPARE)  # restored to an active customer; left as one
    request_ids = [new_request_id() for _ in range(CONCURRENT_PROMOTIONS)]

    promote = [
        Call(
            "PATCH",
            f"/users/{user.user_id}",
            {"role": "admin"},
            {**admin.headers, "X-Request-ID": request_id},
        )
        for request_id in request_ids
    ]
    statuses = sorted(response.status_code for response in all_at_once(promote))
    expect(
        statuses == [200] * len(request_ids),
        f"all {len(request_ids)} concurrent promotions of one account answer 200",
        actual=f"statuses {statuses}",
    )
    fence = _admin_patch(api, admin, f"/users/{user.user_id}", {"role": "customer"})
    # one aggregate's events arrive in commit order: the fence's event comes after them all
    aggregate = ("user", user.user_id)
    events.wait_for(_caused_by("user.updated", aggregate, {fence}), run_options.event_timeout)
    by_promotions = _caused_by("user.updated", aggregate, request_ids)
    promoted = [e for e in distinct(events.events()) if by_promotions(e)]
    expect(
        len(promoted) == 1,
        f"exactly one user.updated for {len(request_ids)} identical concurrent promotions (only"
        " the first changes the role)",
        actual="\n".join(event.describe() for event in promoted) or "none",
    )


@pytest.mark.requirement("EVT-002")
def test_evt_002_product_events_name_exactly_what_changed(
    api: ApiClient,
    admin: Actor,
    alice: Actor,
    cleanup: Cleanup,
    events: EventLog,
    run_options: RunOptions,
) -> None:
    # Mutants: product.updated named the fields that did not change (read(before) ==
    # read(product)) or was published only for a change of nothing (if not changed); an
    # order's product.stock_changed said delta +quantity (reserve_stock, USub -> UAdd) or
    # order_id null while an adjustment's said "None" (_stock_event, twice). The journey
    # (EVT-001) checks that the events arrive schema-valid, not what they say.
    category = create_category(api, admin, cleanup)
    product = create_product(api, admin, cleanup, stock=10, price=1500)
    pid = product["id"]
    updates: list[tuple[dict[str, Any], list[str]]] = [
        ({"price": {"amount": 1600, "currency": "EUR"}}, ["price"]),
        ({"name": product["name"]}, []),  # a change of nothing publishes nothing
        (
            {
                "name": "Evented widget",
                "description": "Changed",
                "category_id": category["id"],
                "price": {"amount": 1700, "currency": "EUR"},
            },
            ["category", "description", "name", "price"],
        ),
    ]
    sent = [_admin_patch(api, admin, f"/products/{pid}", body) for body, _ in updates]
    adjusted = api.post(
        f"/products/{pid}/stock-adjustments",
        json={"delta": -3, "reason": "conformance count"},
        headers=admin.headers,
    )
    expect_status(adjusted, 200, why="an admin removes 3 units")
    placed = place_order(api, alice, (pid, 2))
    oid = json_object(expect_status(placed, 201, why="an order in stock"))["id"]
    cancel = api.post(f"/orders/{oid}/cancel", headers=alice.headers)
    expect_status(cancel, 200, why="the owner cancels a pending order")

    # one aggregate's events arrive in commit order: once the cancellation's stock event
    # (the product's last change) is in, whatever the earlier changes published is too
    events.wait_for(_about("product", pid, order_id=oid), run_options.event_timeout, count=2)
    problems = _changed_problems(events, "product.updated", ("product", pid), updates, sent)
    stock = [
        (e.data.get("delta"), e.data.get("reason"), e.data.get("order_id"), e.data.get("stock"))
        for e in distinct(_of(events, "product", pid))
        if e.type == "product.stock_changed"
    ]
    wanted_stock = [
        (-3, "adjustment", None, 7),
        (-2, "order_placed", oid, 5),
        (2, "order_cancelled", oid, 7),
    ]
    if stock != wanted_stock:
        problems.append(
            f"product.stock_changed (delta, reason, order_id, stock) {stock}, wanted {wanted_stock}"
        )
    expect(
        not problems,
        "product.updated names exactly the fields that changed (none for a change of nothing); "
        "product.stock_changed gives the signed change, its cause and the order that caused it",
        actual=_problems_text(problems),
    )


@pytest.mark.requirement("EVT-004")
def test_evt_004_an_idempotent_retry_publishes_one_event(
    api: ApiClient, admin: Actor, cleanup: Cleanup, events: EventLog, run_options: RunOptions
) -> None:
    timeout = run_options.event_timeout
    pid = create_product(api, admin, cleanup, stock=5)["id"]
    buyer = register_user(api, cleanup, role="retry")
    key = str(uuid.uuid4())
    body = order_body((pid, 1))
    headers = {**buyer.headers, "Idempotency-Key": key}
    first = json_object(expect_status(api.post("/orders", json=body, headers=headers), 201,
                                      why="the first attempt places the order"))  # fmt: skip
    again = json_object(expect_status(api.post("/orders", json=body, headers=headers), 201,
                                      why="the retry replays the answer"))  # fmt: skip
    expect(again.get("id") == first["id"], "the retry answers the same order")
    oid = first["id"]
    expect_status(
        api.post(f"/orders/{oid}/transitions", json={"to": "paid"}, headers=admin.headers),
        200, why="an admin marks the order paid (the fence)",
    )  # fmt: skip
    events.wait_for(lambda e: e.type == "order.status_changed" and e.aggregate[1] == oid, timeout)
    placed = distinct(
        e for e in events.events() if e.type == "order.placed" and e.aggregate[1] == oid
    )
    taken = distinct(
        e for e in events.events()
        if e.type == "product.stock_changed" and e.data.get("order_id") == oid
    )  # fmt: skip
    expect(len(placed) == 1 and len(taken) == 1,
           "exactly one order.placed and one product.stock_changed for an order placed twice "
           "with one Idempotency-Key", actual=f"{len(placed)} order.placed, {len(taken)} "
           "product.stock_changed")  # fmt: skip


@pytest.mark.requirement("EVT-008")
def test_evt_008_a_malformed_message_does_not_stop_the_consumers(
    api: ApiClient, admin: Actor, cleanup: Cleanup, events: EventLog, run_options: RunOptions
) -> None:
    subject = f"{run_options.subject_prefix}.order.placed"
    events.publish(subject, b'{"id": "not an event', {"Nats-Msg-Id": new_request_id()})
    pid = create_product(api, admin, cleanup, stock=2)["id"]
    buyer = register_user(api, cleanup, role="after-garbage")
    order = json_object(expect_status(place_order(api, buyer, (pid, 1)), 201, why="in stock"))
    confirmation = wait_for_notification(
        api, buyer, "order_confirmation", lambda n: n["data"].get("order_id") == order["id"]
    )
    expect(confirmation is not None,
           "the order after a malformed message on its subject is still confirmed: the "
           "consumer set the bad message aside and went on")  # fmt: skip
