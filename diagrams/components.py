"""C4 level 3, one component view per service: handlers -> service -> repository -> schema.

Every service has the same layers (the reference implementation's packages under
``reference_impl/<service>/``); the views differ in the collaborators each one needs.
"""

from collections.abc import Callable

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

# service -> (handler operations, service responsibilities, repositories, tables, collaborators)
SERVICES: dict[str, dict[str, str | list[tuple[str, str, str]]]] = {
    "users": {
        "handlers": "registerUser, login, refreshTokens, logout, profiles, admin account management",
        "service": "UsersService: Argon2id hashing, token issue and rotation, self-or-admin reads",
        "repository": "UserRepository, RefreshTokenRepository",
        "tables": "users, refresh_tokens, login_failures, outbox",
        "collaborators": [
            (
                "LoginThrottle",
                "users/throttle.py",
                "Counts failures per account and address in PostgreSQL",
            ),
            ("Token issuer", "reference_impl/tokens.py", "Signs and verifies HS256 access tokens"),
        ],
    },
    "catalog": {
        "handlers": "categories and products CRUD, listProducts filters and search, adjustStock",
        "service": "CatalogService: slug and SKU rules, reserve_stock / release_stock for orders",
        "repository": "CategoryRepository, ProductRepository (conditional stock updates)",
        "tables": "categories, products",
        "collaborators": [
            (
                "orders service",
                "in-process caller",
                "Reserves and releases stock inside its own transaction",
            ),
        ],
    },
    "orders": {
        "handlers": "placeOrder, getOrder, listMyOrders, cancelOrder, transitionOrder, listAllOrders",
        "service": "OrdersService: pricing from the catalog, state machine, idempotent placement",
        "repository": "OrderRepository, IdempotencyKeys",
        "tables": "orders, order_items, idempotency_keys, outbox",
        "collaborators": [
            (
                "catalog service",
                "in-process",
                "reserve_stock / release_stock in the same unit of work",
            ),
        ],
    },
    "notifications": {
        "handlers": "listMyNotifications",
        "service": "NotificationsService: one notification per event, reads per user",
        "repository": "NotificationRepository (insert once per event id)",
        "tables": "notifications",
        "collaborators": [
            (
                "Outbox relay",
                "reference_impl/outbox.py",
                "Delivers user and order events at least once",
            ),
        ],
    },
}


def _drawer(service: str) -> Callable[[str], None]:
    spec = SERVICES[service]

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
                "Gateway layer", "platform", "Authenticated, validated request bound by operationId"
            )
            with SystemBoundary(f"reference_impl/{service}"):
                handlers = Container("Handlers", f"{service}/handlers.py", str(spec["handlers"]))
                logic = Container("Service", f"{service}/service.py", str(spec["service"]))
                domain = Container(
                    "Domain",
                    f"{service}/domain.py",
                    "Entities, rules and domain errors; stdlib only",
                )
                repository = Container(
                    "Repository", f"{service}/repository.py", str(spec["repository"])
                )
            schema = Database(f"schema {service}", "PostgreSQL", str(spec["tables"]))

            gateway >> Relationship("ApiRequest") >> handlers
            handlers >> Relationship("calls") >> logic
            logic >> Relationship("uses") >> domain
            logic >> Relationship("unit of work") >> repository
            repository >> Relationship("SQL (asyncpg)") >> schema
            for name, technology, description in spec["collaborators"]:  # type: ignore[misc]
                other = Container(name, technology, description, fillcolor="gray60")
                if service in ("catalog", "notifications"):
                    other >> Relationship("calls") >> logic
                else:
                    logic >> Relationship("uses") >> other

    return draw


DIAGRAMS = {f"components-{service}": _drawer(service) for service in SERVICES}
