"""C4 level 1, system context: who uses the platform, and what lies outside it."""

from diagrams import Diagram
from diagrams.c4 import Person, Relationship, System, SystemBoundary

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "16",
    "pad": "0.4",
    "splines": "spline",
    "nodesep": "0.9",
    "ranksep": "1.1",
}


def draw(filename: str) -> None:
    with Diagram(
        "refarch: system context",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
    ):
        shopper = Person(
            "Shopper", "Browses and searches products, places, follows and cancels orders"
        )
        admin = Person(
            "Administrator",
            "Maintains categories, products and stock; fulfils orders; manages accounts",
        )
        team = Person(
            "Service team / CI pipeline",
            "Proves an implementation meets the contract and its load budget",
            external=True,
        )
        architect = Person(
            "Architect", "Reviews the design, decisions and reference", external=True
        )

        with SystemBoundary("refarch"):
            platform = System(
                "E-commerce platform",
                "Accounts, catalogue with stock, orders and notifications behind one versioned HTTP API",
            )
            docs = System("Documentation site", "Generated from the same specs; works offline")

        payments = System("Payment provider", "Planned; not integrated in v1", external=True)
        messaging = System(
            "Email / SMS provider", "Planned; v1 stores notifications only", external=True
        )
        monitoring = System("Monitoring", "Scrapes /metrics, collects JSON logs", external=True)

        shopper >> Relationship("HTTPS, JSON, bearer token") >> platform
        admin >> Relationship("HTTPS, admin-only operations") >> platform
        team >> Relationship("refarch conform / refarch load against a base URL") >> platform
        architect >> Relationship("reads") >> docs
        platform >> Relationship("planned", style="dotted") >> payments
        platform >> Relationship("planned", style="dotted") >> messaging
        monitoring >> Relationship("scrapes metrics") >> platform


DIAGRAMS = {"context": draw}
