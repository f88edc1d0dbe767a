"""C4 level 3, one component view per service: handlers -> service -> repository -> schema.

Every service has the same layers (the reference implementation's packages under
``reference_impl/<service>/``); the views differ in the collaborators each one needs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from diagrams import Diagram
from diagrams.c4 import Container, Database, Relationship, SystemBoundary

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "16",
    "pad": "0.4",
    "splines": "spline",
    "nodesep": "0.7",
    "ranksep": "0.9",
}


@dataclass(frozen=True)
class ServiceView:
    handlers: str  # the operations its handlers serve
    service: str  # what the service layer decides
    repository: str  # the repository classes
    tables: str  # the tables of its schema
    # (name, technology, description, True if it calls this service rather than the reverse)
    collaborators: tuple[tuple[str, str, str, bool], ...]


VIEWS = {
    "users": ServiceView(
        handlers="registerUser, login, refreshTokens, logout, profiles, admin account management",
        service="UsersService: Argon2id hashing, token issue and rotation, self-or-admin reads",
        repository="UserRepository, RefreshTokenRepository",
        tables="users, refresh_tokens, login_failures, outbox",
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
        handlers="categories and products CRUD, listProducts filters and search, adjustStock",
        service="CatalogService: slug and SKU rules, reserve_stock / release_stock for orders",
        repository="CategoryRepository, ProductRepository (conditional stock updates)",
        tables="categories, products",
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
        handlers="placeOrder, getOrder, listMyOrders, cancelOrder, transitionOrder, listAllOrders",
        service="OrdersService: pricing from the catalog, state machine, idempotent placement",
        repository="OrderRepository, IdempotencyKeys",
        tables="orders, order_items, idempotency_keys, outbox",
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
        handlers="listMyNotifications",
        service="NotificationsService: one notification per event, reads per user",
        repository="NotificationRepository (insert once per event id)",
        tables="notifications",
        collaborators=(
            (
                "Outbox relay",
                "reference_impl/outbox.py",
                "Delivers user and order events at least once",
                True,
            ),
        ),
    ),
}


# diagrams.c4 boxes are 2.6 in wide but wrap text at 40 characters, which overflows them
WIDE = {"width": "3.1"}


def _drawer(service: str, view: ServiceView) -> Callable[[str], None]:
    def draw(filename: str) -> None:
        with Diagram(
            f"{service}: components",
            filename=filename,
            outformat="svg",
            show=False,
            direction="TB",
            graph_attr=GRAPH,
        ):
            gateway = Container(
                "Gateway layer",
                "platform",
                "Authenticated, validated request bound by operationId",
                **WIDE,
            )
            with SystemBoundary(f"reference_impl/{service}"):
                handlers = Container("Handlers", f"{service}/handlers.py", view.handlers, **WIDE)
                logic = Container("Service", f"{service}/service.py", view.service, **WIDE)
                domain = Container(
                    "Domain",
                    f"{service}/domain.py",
                    "Entities, rules and domain errors; stdlib only",
                    **WIDE,
                )
                repository = Container(
                    "Repository", f"{service}/repository.py", view.repository, **WIDE
                )
            schema = Database(f"schema {service}", "PostgreSQL", view.tables, **WIDE)

            gateway >> Relationship("ApiRequest") >> handlers
            handlers >> Relationship("calls") >> logic
            logic >> Relationship("uses") >> domain
            logic >> Relationship("unit of work") >> repository
            repository >> Relationship("SQL (asyncpg)") >> schema
            for name, technology, description, calls_in in view.collaborators:
                other = Container(name, technology, description, fillcolor="gray60", **WIDE)
                if calls_in:
                    other >> Relationship("calls") >> logic
                else:
                    logic >> Relationship("uses") >> other

    return draw


DIAGRAMS = {f"components-{service}": _drawer(service, view) for service, view in VIEWS.items()}
