"""C4 level 3, one component view per service: handlers -> service -> repository -> schema.

Every service has the same layers (the reference implementation's packages under
``reference_impl/<service>/``); the views differ in the collaborators each one needs. The
operations the handlers serve come from the service's OpenAPI document and the tables from
its migrations, so the pictures follow the specs; what the code layers do is written here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from diagrams import Diagram, Edge
from refarch.docsgen.diagram_style import GRAPH, boundary, box, key
from refarch.docsgen.spec_facts import ServiceFacts, service_facts


@dataclass(frozen=True)
class ServiceView:
    service: str  # what the service layer decides
    repository: str  # the repository classes
    # (name, technology, description, True if it calls this service rather than the reverse)
    collaborators: tuple[tuple[str, str, str, bool], ...]
    repository_module: str = "repository.py"
    database: str = "PostgreSQL"
    driver: str = "asyncpg"


VIEWS = {
    "users": ServiceView(
        service="UsersService: Argon2id hashing, token issue and rotation, self-or-admin reads",
        repository="UserRepository, RefreshTokenRepository",
        collaborators=(
            (
                "LoginThrottle",
                "users/throttle.py",
                "Counts failures per account and address in PostgreSQL",
                False,
            ),
            (
                "Token issuer",
                "reference_impl/tokens.py",
                "Signs and verifies HS256 access tokens",
                False,
            ),
        ),
    ),
    "catalog": ServiceView(
        service="CatalogService: slug and SKU rules, reserve_stock / release_stock for orders",
        repository="CategoryRepository, ProductRepository (conditional stock updates)",
        collaborators=(
            (
                "orders service",
                "in-process caller",
                "Reserves and releases stock inside its own transaction",
                True,
            ),
        ),
    ),
    "orders": ServiceView(
        service="OrdersService: pricing from the catalog, state machine, idempotent placement",
        repository="OrderRepository, IdempotencyKeys",
        collaborators=(
            (
                "catalog service",
                "in-process",
                "reserve_stock / release_stock in the same unit of work",
                False,
            ),
        ),
    ),
    "notifications": ServiceView(
        service="NotificationsService: one notification per event, reads per user",
        repository="NotificationRepository (insert once per event id)",
        collaborators=(
            (
                "Outbox relay",
                "reference_impl/outbox.py",
                "Delivers user and order events at least once",
                True,
            ),
        ),
    ),
    "analytics": ServiceView(
        service="AnalyticsService: reports, freshness; the store on one thread",
        repository="AnalyticsStore: event-id ledger and facts in one transaction; reports.py",
        collaborators=(
            (
                "AnalyticsConsumer",
                "analytics/consumer.py",
                "Durable JetStream consumer: acks after the DuckDB commit",
                True,
            ),
        ),
        repository_module="store.py",
        database="DuckDB (embedded file)",
        driver="duckdb",
    ),
}


def _drawer(facts: ServiceFacts, view: ServiceView) -> Callable[[str], None]:
    service = facts.name

    def draw(filename: str) -> None:
        with Diagram(
            f"{service}: components",
            filename=filename,
            outformat="svg",
            show=False,
            direction="TB",
            graph_attr=GRAPH,
        ):
            gateway = box(
                "Gateway layer", "Container: platform", "Validated request bound by operationId"
            )
            with boundary(f"reference_impl/{service}"):
                handlers = box(
                    "Handlers",
                    f"Component: {service}/handlers.py",
                    facts.operations_text(limit=6),
                    colour="Component",
                )
                logic = box(
                    "Service", f"Component: {service}/service.py", view.service, colour="Component"
                )
                domain = box(
                    "Domain",
                    f"Component: {service}/domain.py",
                    "Entities, rules, errors; stdlib only",
                    colour="Component",
                )
                repository = box(
                    "Repository",
                    f"Component: {service}/{view.repository_module}",
                    view.repository,
                    colour="Component",
                )
            schema = box(
                f"schema {service}",
                f"Database: {view.database}",
                ", ".join(facts.tables) or "no tables",
            )
            legend = key(
                [
                    ("Container", "other container"),
                    ("Component", "code in this service"),
                    ("External", "collaborator outside it"),
                    ("Database", "its own schema (from the migrations)"),
                    ("solid", "call (arrow: caller to callee)"),
                ]
            )

            gateway >> Edge(label="ApiRequest") >> handlers
            handlers >> Edge(label="calls") >> logic
            logic >> Edge(label="uses") >> domain
            logic >> Edge(label="unit of work") >> repository
            repository >> Edge(label=f"SQL ({view.driver})") >> schema
            schema >> Edge(style="invis") >> legend
            for name, technology, description, calls_in in view.collaborators:
                other = box(name, f"External: {technology}", description)
                if calls_in:
                    other >> Edge(label="calls") >> logic
                else:
                    logic >> Edge(label="uses") >> other

    return draw


DIAGRAMS = {
    f"components-{facts.name}": _drawer(facts, VIEWS[facts.name])
    for facts in service_facts()
    if facts.tables  # a service with a schema has the full layering; the probes have none
}
