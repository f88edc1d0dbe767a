"""C4 level 2, containers: one stateless application image in front of one PostgreSQL."""

from diagrams import Diagram
from diagrams.c4 import Container, Database, Person, Relationship, System, SystemBoundary

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "16",
    "pad": "0.4",
    "splines": "spline",
    "nodesep": "0.7",
    "ranksep": "1.0",
}


# diagrams.c4 boxes are 2.6 in wide but wrap text at 40 characters, which overflows them
WIDE = {"width": "3.1"}


def draw(filename: str) -> None:
    with Diagram(
        "refarch: containers",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
    ):
        clients = Person("Shoppers and administrators", "Web, mobile or admin clients")
        monitoring = System(
            "Monitoring", "Prometheus-compatible scraper, log collector", external=True
        )

        with SystemBoundary("E-commerce platform"):
            edge = Container(
                "Edge",
                "HTTP load balancer",
                "Terminates TLS, spreads requests over healthy processes",
                **WIDE,
            )
            with SystemBoundary("Application process (N copies, stateless)"):
                gateway = Container(
                    "Gateway layer",
                    "ASGI middleware + spec router",
                    "Request ids, body limit, auth, validation, problem+json",
                    **WIDE,
                )
                users = Container("users", "Python module", "Accounts, login, tokens", **WIDE)
                catalog = Container(
                    "catalog", "Python module", "Categories, products, stock", **WIDE
                )
                orders = Container(
                    "orders", "Python module", "Orders, idempotency, state machine", **WIDE
                )
                notifications = Container(
                    "notifications", "Python module", "Messages per user, from events", **WIDE
                )
                relay = Container(
                    "Outbox relay",
                    "Background task",
                    "Delivers committed events at least once",
                    **WIDE,
                )
            database = Database(
                "PostgreSQL",
                "PostgreSQL 18",
                "One schema per service + refarch_meta; all shared state",
                **WIDE,
            )

        clients >> Relationship("HTTPS /api/v1") >> edge
        edge >> Relationship("HTTP") >> gateway
        gateway >> Relationship("calls by operationId") >> [users, catalog, orders, notifications]
        orders >> Relationship("reserve / release stock (in-process)") >> catalog
        [users, catalog, orders, notifications] >> Relationship("SQL, own schema") >> database
        relay >> Relationship("claims outbox rows, LISTEN/NOTIFY") >> database
        relay >> Relationship("hands events to") >> notifications
        monitoring >> Relationship("GET /metrics") >> gateway


DIAGRAMS = {"containers": draw}
