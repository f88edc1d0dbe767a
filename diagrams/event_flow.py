"""The event flow: outbox rows written with the change, relayed at least once, consumed once.

Top to bottom in the order an event travels. The outbox tables are the ones the
migrations create (a new producer's outbox shows up); what each producer writes is
stated here until the events have their own AsyncAPI document.
"""

from diagrams import Diagram, Edge
from refarch.docsgen.diagram_style import GRAPH, boundary, box, key
from refarch.docsgen.spec_facts import service_facts

#: producer -> what it writes to its outbox
PRODUCES = {
    "users": "registerUser adds user.registered",
    "orders": "place, cancel, transition add order.placed / order.status_changed",
}


def draw(filename: str) -> None:
    producers = [s for s in service_facts() if "outbox" in s.tables]
    with Diagram(
        "refarch: event flow through the transactional outbox",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
    ):
        outboxes = []
        with boundary("Producers: change and event in one transaction"):
            for producer in producers:
                service = box(
                    f"{producer.name} service",
                    "Component",
                    PRODUCES.get(producer.name, "writes events"),
                    colour="Component",
                )
                outbox = box(
                    f"{producer.name}.outbox", "Database: table", "id = event id; published_at"
                )
                service >> Edge(label="INSERT, same\ntransaction") >> outbox
                outboxes.append(outbox)
        relay = box(
            "Outbox relay",
            "Container: background task",
            "Wakes on NOTIFY (polls as fallback), claims rows SKIP LOCKED",
        )
        with boundary("Consumer: same transaction as the claim"):
            consumer = box(
                "notifications service",
                "Component: handle_event",
                "Maps the event to a notification",
                colour="Component",
            )
            store = box(
                "notifications", "Database: table", "event_id UNIQUE: a redelivery is ignored"
            )
        reader = box("listMyNotifications", "Operation", "The user reads the message")
        legend = key(
            [
                ("Component", "service code"),
                ("Database", "table"),
                ("solid", "write / call"),
                ("dotted", "notification or bookkeeping"),
            ]
        )

        for outbox in outboxes:
            outbox >> Edge(label="NOTIFY on commit", style="dotted") >> relay
        relay >> Edge(label="at least once") >> consumer
        consumer >> Edge(label="INSERT … ON CONFLICT\nDO NOTHING") >> store
        store >> Edge(label="read by") >> reader
        reader >> Edge(style="invis") >> legend


DIAGRAMS = {"event-flow": draw}
