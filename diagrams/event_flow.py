"""The event flow: outbox rows written with the change, relayed at least once, consumed once."""

from diagrams import Diagram
from diagrams.c4 import Container, Database, Relationship, SystemBoundary

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "16",
    "pad": "0.4",
    "splines": "spline",
    "nodesep": "0.8",
    "ranksep": "1.0",
}


# diagrams.c4 boxes are 2.6 in wide but wrap text at 40 characters, which overflows them
WIDE = {"width": "3.1"}


def draw(filename: str) -> None:
    with Diagram(
        "refarch: event flow through the transactional outbox",
        filename=filename,
        outformat="svg",
        show=False,
        direction="LR",
        graph_attr=GRAPH,
    ):
        with SystemBoundary("Producers (one transaction each)"):
            users = Container(
                "users service",
                "registerUser",
                "Inserts the account and a user.registered event",
                **WIDE,
            )
            orders = Container(
                "orders service",
                "orders module",
                "Place, cancel, transition: adds order.placed or order.status_changed",
                **WIDE,
            )
            users_outbox = Database(
                "users.outbox", "table", "id = event id; published_at null until relayed", **WIDE
            )
            orders_outbox = Database(
                "orders.outbox", "table", "id = event id; published_at null until relayed", **WIDE
            )
        relay = Container(
            "Outbox relay",
            "background task",
            "Wakes on NOTIFY (polls as a fallback) and claims rows with SKIP LOCKED",
            **WIDE,
        )
        with SystemBoundary("Consumer (same transaction as the claim)"):
            consumer = Container(
                "notifications service", "handle_event", "Maps the event to a notification", **WIDE
            )
            store = Database(
                "notifications.notifications",
                "table",
                "event_id UNIQUE: a redelivered event is ignored",
                **WIDE,
            )
        reader = Container(
            "listMyNotifications", "GET /api/v1/notifications", "The user sees the message", **WIDE
        )

        users >> Relationship("INSERT in the same transaction") >> users_outbox
        orders >> Relationship("INSERT in the same transaction") >> orders_outbox
        users_outbox >> Relationship("trigger: NOTIFY on commit") >> relay
        orders_outbox >> Relationship("trigger: NOTIFY on commit") >> relay
        relay >> Relationship("at least once") >> consumer
        consumer >> Relationship("INSERT … ON CONFLICT (event_id) DO NOTHING") >> store
        relay >> Relationship("marks published_at", style="dotted") >> users_outbox
        store >> Relationship("read by") >> reader


DIAGRAMS = {"event-flow": draw}
