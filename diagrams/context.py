"""C4 level 1, system context: who uses the platform, and what lies outside it.

The platform's box lists the services the OpenAPI specs define, so a new service shows up.
"""

from diagrams import Diagram, Edge
from refarch.docsgen.diagram_style import GRAPH, boundary, box, key
from refarch.docsgen.spec_facts import service_facts

PLANNED = {"style": "dashed", "color": "#777777"}


def draw(filename: str) -> None:
    services = [s.name for s in service_facts()]
    with Diagram(
        "refarch: system context",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr={**GRAPH, "ranksep": "0.8"},
    ):
        shopper = box("Shopper", "Person", "Browses products, places and follows orders")
        admin = box("Administrator", "Person", "Catalogue, stock, fulfilment, accounts")
        team = box("Service team / CI", "Person", "Proves an implementation meets the contract")
        architect = box("Architect", "Person", "Reviews design, decisions, reference")

        with boundary("refarch"):
            platform = box(
                "E-commerce platform",
                "System",
                "One versioned HTTP API: " + ", ".join(services),
            )
            docs = box("Documentation site", "System", "Generated from the same specs")

        payments = box("Payment provider", "Planned", "Not integrated in v1")
        messaging = box("Email / SMS provider", "Planned", "v1 stores notifications only")
        monitoring = box("Monitoring", "External", "Scrapes /metrics, collects logs")
        legend = key(
            [
                ("Person", "person"),
                ("System", "this system"),
                ("External", "system outside it"),
                ("Planned", "planned, not built"),
                ("solid", "request (arrow: caller to callee)"),
                ("dashed", "planned"),
            ]
        )

        shopper >> Edge(label="HTTPS, bearer token") >> platform
        admin >> Edge(label="admin operations") >> platform
        team >> Edge(label="refarch conform / load") >> platform
        architect >> Edge(label="reads") >> docs
        platform >> Edge(label="planned", **PLANNED) >> payments
        platform >> Edge(label="planned", **PLANNED) >> messaging
        # drawn below the platform; the arrow still points from the scraper to the scraped
        platform >> Edge(label="scraped by", dir="back") >> monitoring
        docs >> Edge(style="invis") >> legend


DIAGRAMS = {"context": draw}
