"""C4 level 2, containers: one stateless application image, PostgreSQL, NATS JetStream.

One box per service that has an OpenAPI document (with its operation count), one schema
per service that has migrations: both read from the specs, so a new service shows up.
"""

from diagrams import Diagram, Edge
from refarch.docsgen.diagram_style import GRAPH, boundary, box, key
from refarch.docsgen.spec_facts import service_facts
from refarch.specs import versions

#: A module whose public methods another module calls inside its own transaction.
IN_PROCESS_CALLS = {("orders", "catalog"): "reserve / release stock"}
#: The module that consumes events from the broker and sends email through the SMTP relay.
EVENT_CONSUMER = "notifications"
ASYNC = {"style": "dotted"}
#: Modules whose data is not in PostgreSQL: analytics keeps an embedded DuckDB file (ADR 0047).
OWN_STORES = {"analytics": "its DuckDB file"}


def draw(filename: str) -> None:
    services = service_facts()
    with Diagram(
        "refarch: containers",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
    ):
        clients = box("Shoppers and administrators", "Person", "Web, mobile or admin clients")
        monitoring = box("Monitoring", "External", "Scrapes /metrics, collects logs")

        with boundary("E-commerce platform"):
            edge = box("Edge", "Container: load balancer", "TLS, spreads requests")
            with boundary("Application process (N copies, stateless)"):
                gateway = box(
                    "Gateway layer",
                    "Container: ASGI + spec router",
                    "Request ids, body limit, auth, validation, problem+json",
                )
                modules = {
                    s.name: box(
                        s.name,
                        f"Module: {len(s.operation_ids)} operation{'' if len(s.operation_ids) == 1 else 's'}",
                        s.summary,
                        colour="Component",
                    )
                    for s in services
                }
                relay = box(
                    "Outbox relay", "Background task", "Publishes committed events at least once"
                )
            database = box(
                "PostgreSQL 18",
                "Database",
                "Schemas: "
                + ", ".join(s.name for s in services if s.tables and s.name not in OWN_STORES)
                + ", refarch_meta",
            )
            broker = box(
                "NATS JetStream",
                "Container: message broker",
                "Event streams, durable consumers; embedded by default",
            )
        smtp = box("SMTP relay", "External", "Delivers notification email; a local sink by default")
        legend = key(
            [
                ("Person", "person"),
                ("Container", "deployable / runtime part"),
                ("Component", "service module (from the specs)"),
                ("External", "outside the platform"),
                ("solid", "synchronous call"),
                ("dotted", "asynchronous (events)"),
            ]
        )

        clients >> Edge(label="HTTPS " + ", ".join(f"/api/{v}" for v in versions())) >> edge
        edge >> Edge(label="HTTP") >> gateway
        for module in modules.values():
            gateway >> module
        # More than four modules side by side make the picture too wide to read on a page:
        # an invisible edge pushes every module after the fourth one rank down.
        row = list(modules.values())
        for upper, lower in zip(row, row[4:], strict=False):
            upper >> Edge(style="invis") >> lower
        for (caller, callee), what in IN_PROCESS_CALLS.items():
            if caller in modules and callee in modules:
                modules[caller] >> Edge(label=what) >> modules[callee]
        for service in services:
            if service.tables and service.name not in OWN_STORES:
                modules[service.name] >> Edge(color="#888888") >> database
        relay >> Edge(label="claims outbox rows", **ASYNC) >> database
        relay >> Edge(label="publishes events", **ASYNC) >> broker
        if EVENT_CONSUMER in modules:
            broker >> Edge(label="delivers events", **ASYNC) >> modules[EVENT_CONSUMER]
            modules[EVENT_CONSUMER] >> Edge(label="SMTP") >> smtp
        for name, store in OWN_STORES.items():
            if name in modules:
                broker >> Edge(label=f"events, into {store}", **ASYNC) >> modules[name]
        monitoring >> Edge(label="GET /metrics") >> gateway
        database >> Edge(style="invis") >> legend
        broker >> Edge(style="invis") >> smtp


DIAGRAMS = {"containers": draw}
