"""The event flow, drawn from the AsyncAPI document: who publishes which event, through the
outbox and NATS JetStream, to which consumer.

Top to bottom in the order an event travels. Producers, their event types and the
consumers come from ``specs/asyncapi/v1.yaml`` (through ``refarch.event_contract``), so a
new event, producer or consumer shows up here and the stale-diagram check fails until the
picture is re-rendered.
"""

from diagrams import Diagram, Edge
from refarch.docsgen.diagram_style import GRAPH, boundary, box, key
from refarch.event_contract import DEFAULT_PREFIX, event_contract

#: What a consumer does with what it receives, beyond storing it (the SMTP relay).
DELIVERS = {"notifications": "Email to the user's address"}


def _types(names: list[str]) -> str:
    return "\n".join(names)


def draw(filename: str) -> None:
    contract = event_contract()
    producers: dict[str, list[str]] = {}
    consumers: dict[str, list[str]] = {}
    for event in contract:
        producers.setdefault(event.producer, []).append(event.type)
        for consumer in event.consumers:
            consumers.setdefault(consumer, []).append(event.type)
    with Diagram(
        "refarch: event flow, from the AsyncAPI document",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
    ):
        outboxes = []
        with boundary("Producers: change and event in one transaction"):
            for producer, types in producers.items():
                service = box(
                    f"{producer} service",
                    "Component",
                    f"publishes {len(types)} event types",
                    colour="Component",
                )
                outbox = box(f"{producer}.outbox", "Database: table", "id = event id; sequence")
                service >> Edge(label=_types(types)) >> outbox
                outboxes.append(outbox)
        relay = box(
            "Outbox relay",
            "Container: background task",
            "Publishes committed rows with Nats-Msg-Id = event id",
        )
        broker = box(
            "NATS JetStream",
            "Container: message broker",
            f"One stream on {DEFAULT_PREFIX}.>; drops a repeated Nats-Msg-Id",
        )
        dead_letters = box(
            "Dead letters", "Container: stream", "Malformed messages, set aside and counted"
        )
        legend = key(
            [
                ("Component", "service code"),
                ("Container", "runtime part"),
                ("Database", "table"),
                ("External", "outside the platform"),
                ("solid", "write / publish / deliver"),
                ("dotted", "notification or set aside"),
            ]
        )
        for outbox in outboxes:
            outbox >> Edge(label="NOTIFY on commit", style="dotted") >> relay
        relay >> Edge(label="publish, at least once") >> broker
        for consumer, types in consumers.items():
            with boundary(f"Consumer: durable, acks after its own commit ({consumer})"):
                handler = box(
                    f"{consumer} service",
                    "Component: durable consumer",
                    "De-duplicates by event id",
                    colour="Component",
                )
            broker >> Edge(label=_types(types)) >> handler
            handler >> Edge(label="malformed", style="dotted") >> dead_letters
            if consumer in DELIVERS:
                smtp = box("SMTP relay", "External", DELIVERS[consumer])
                handler >> Edge(label="SMTP, retried with backoff") >> smtp
                smtp >> Edge(style="invis") >> legend


DIAGRAMS = {"event-flow": draw}
