"""Configuration, read once from the environment, typed, failing fast on bad values.

Every knob has a safe default so ``refarch serve`` needs no configuration. The token signing
key is the one secret: a configured key must be strong; with none configured a random key is
generated once and kept (mode 0600) in the data directory.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["ConfigError", "Settings", "load_signing_key"]

MIN_KEY_BYTES = 32
#: Keys seen in tutorials and default configs; refusing them beats being the next breach.
KNOWN_WEAK_KEYS = frozenset(
    {
        "secret",
        "changeme",
        "change-me",
        "password",
        "your-256-bit-secret",
        "jwt-secret",
        "supersecret",
        "development",
        "test",
        "refarch",
    }
)


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the variable and how to fix it."""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: use true or false")


def _proxies(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (``10.0.0.1, 10.1.0.0/16``), each checked:
    uvicorn would take a mistyped one as a literal that never matches, silently."""
    entries = tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"{name}: {entry!r} is not an IP address or network; list the addresses of "
                "your reverse proxies, e.g. 10.0.0.5,10.1.0.0/16"
            ) from None
    return entries


def _nats_url(raw: str | None) -> str | None:
    """NATS_URL: a NATS server with JetStream, or None (serve starts the embedded one)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"(nats|tls)://[^\s/]+(:\d+)?/?", raw):
        raise ConfigError(
            f"NATS_URL={raw!r} is not a NATS URL; use e.g. nats://127.0.0.1:4222, or unset it "
            "to have `refarch serve` start the embedded server"
        )
    return raw


def _subject_prefix(raw: str | None) -> str:
    """REFARCH_EVENT_SUBJECT_PREFIX: the first tokens of every event subject."""
    raw = raw or "refarch"
    if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", raw):
        raise ConfigError(
            f"REFARCH_EVENT_SUBJECT_PREFIX={raw!r} is not a subject prefix: use letters,"
            " digits, - and _ in dot-separated tokens, e.g. refarch or shop.prod"
        )
    return raw


def load_signing_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key if strong enough, else the generated one kept in ``data_dir``."""
    if configured:
        if configured.lower() in KNOWN_WEAK_KEYS or len(configured.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                "REFARCH_TOKEN_SIGNING_KEY is too weak: use at least "
                f"{MIN_KEY_BYTES} random bytes, e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`, or unset it to have one generated"
            )
        return configured.encode()
    key_file = data_dir / "token-signing.key"
    if key_file.exists():
        mode = key_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(
                f"{key_file} is readable by other users (mode {mode:o}); run `chmod 600 {key_file}`"
            )
        return key_file.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None  # None: start the embedded server in data_dir
    signing_key: bytes = field(default=b"", repr=False)
    jwt_issuer: str = "refarch"
    jwt_audience: str = "refarch-api"
    access_token_ttl: int = 900  # seconds; short so a stolen token is useful briefly
    refresh_token_ttl: int = 14 * 24 * 3600
    # argon2id at the OWASP minimum profile (m=19 MiB, t=2, p=1): ~15 ms per verify on a
    # 2-core machine, versus ~93 ms for argon2-cffi's default (ADR 0011).
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    login_max_failures: int = 5  # per account, within login_window_seconds
    login_ip_max_failures: int = 100  # per client address, within login_window_seconds
    login_window_seconds: int = 900
    #: Registrations per client address within login_window_seconds (AUTH-016).
    registration_ip_max: int = 30
    body_limit_bytes: int = 1024 * 1024
    validate_responses: bool = False
    pool_min_size: int = 2
    pool_max_size: int = 10
    #: Longest wait for the database: a pooled connection, one statement, a commit. Past
    #: it the request answers 503 with Retry-After instead of hanging with a hung server.
    database_deadline_seconds: int = 5
    #: Stock hoarding: unpaid pending orders a customer may hold at once, and how long an
    #: order may stay pending before housekeeping cancels it and returns its stock.
    max_pending_orders: int = 100
    pending_order_ttl_seconds: int = 1800
    admin_email: str | None = None
    admin_password: str | None = field(default=None, repr=False)
    outbox_poll_seconds: float = 0.5  # fallback; LISTEN/NOTIFY wakes the relay sooner
    #: NATS server with JetStream carrying the events (ADR 0036). `refarch serve` starts an
    #: embedded one unless NATS_URL is set; None here means no broker: the relay hands
    #: events to the in-process consumer (tests, embeddings).
    nats_url: str | None = None
    #: Events travel on `<prefix>.<type>`, dead letters on `<prefix>-dead.<consumer>`.
    event_subject_prefix: str = "refarch"
    #: A delivery not acknowledged within this time is redelivered (a consumer that died).
    event_ack_wait_seconds: int = 30
    metrics_port: int | None = None  # set by `refarch serve --metrics-port`, not from the env
    # X-Forwarded-For / X-Forwarded-Proto are believed only from these addresses (none by
    # default): otherwise any client names its own address for the login throttle
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, data_dir: Path | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        from refarch.pg import default_data_dir

        directory = data_dir or Path(env.get("REFARCH_DATA_DIR") or default_data_dir())
        admin_email = env.get("REFARCH_ADMIN_EMAIL") or None
        admin_password = env.get("REFARCH_ADMIN_PASSWORD") or None
        if bool(admin_email) != bool(admin_password):
            raise ConfigError("set both REFARCH_ADMIN_EMAIL and REFARCH_ADMIN_PASSWORD, or neither")
        # Each default is stated once, on its field; the environment only overrides it.
        return cls(
            data_dir=directory,
            database_url=env.get("DATABASE_URL") or None,
            signing_key=load_signing_key(env.get("REFARCH_TOKEN_SIGNING_KEY"), directory),
            access_token_ttl=_int(
                env, "REFARCH_ACCESS_TOKEN_TTL", cls.access_token_ttl, minimum=30
            ),
            refresh_token_ttl=_int(
                env, "REFARCH_REFRESH_TOKEN_TTL", cls.refresh_token_ttl, minimum=60
            ),
            login_max_failures=_int(
                env, "REFARCH_LOGIN_MAX_FAILURES", cls.login_max_failures, minimum=1
            ),
            login_ip_max_failures=_int(
                env, "REFARCH_LOGIN_IP_MAX_FAILURES", cls.login_ip_max_failures, minimum=1
            ),
            registration_ip_max=_int(
                env, "REFARCH_REGISTRATION_IP_MAX", cls.registration_ip_max, minimum=1
            ),
            login_window_seconds=_int(
                env, "REFARCH_LOGIN_WINDOW_SECONDS", cls.login_window_seconds, minimum=1
            ),
            body_limit_bytes=_int(
                env, "REFARCH_BODY_LIMIT_BYTES", cls.body_limit_bytes, minimum=1024
            ),
            validate_responses=_bool(env, "REFARCH_VALIDATE_RESPONSES", cls.validate_responses),
            pool_min_size=_int(env, "REFARCH_POOL_MIN_SIZE", cls.pool_min_size, minimum=1),
            pool_max_size=_int(env, "REFARCH_POOL_MAX_SIZE", cls.pool_max_size, minimum=1),
            max_pending_orders=_int(
                env, "REFARCH_MAX_PENDING_ORDERS", cls.max_pending_orders, minimum=1
            ),
            pending_order_ttl_seconds=_int(
                env, "REFARCH_PENDING_ORDER_TTL_SECONDS", cls.pending_order_ttl_seconds, minimum=60
            ),
            database_deadline_seconds=_int(
                env, "REFARCH_DATABASE_DEADLINE_SECONDS", cls.database_deadline_seconds, minimum=1
            ),
            nats_url=_nats_url(env.get("NATS_URL")),
            event_subject_prefix=_subject_prefix(env.get("REFARCH_EVENT_SUBJECT_PREFIX")),
            event_ack_wait_seconds=_int(
                env, "REFARCH_EVENT_ACK_WAIT_SECONDS", cls.event_ack_wait_seconds, minimum=1
            ),
            admin_email=admin_email,
            admin_password=admin_password,
            trusted_proxies=_proxies(env, "REFARCH_TRUSTED_PROXIES"),
        )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
