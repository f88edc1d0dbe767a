"""``refarch analytics``: operate the analytics read model.

``rebuild`` replays the event stream into a fresh store and swaps it in (see rebuild.py).
It runs while the service is stopped; with no NATS_URL it starts the embedded broker of
the data directory for the replay, as ``refarch serve`` would, and stops it afterwards.
Exit codes: 0 rebuilt, 2 could not run (the message says why and what to do).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import click

from refarch import nats_server, pg
from refarch.reference_impl.analytics.rebuild import StoreInUse, StreamUnavailable, rebuild
from refarch.reference_impl.analytics.store import STORE_FILE
from refarch.reference_impl.settings import ConfigError, Settings

__all__ = ["analytics"]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


@click.group()
def analytics() -> None:
    """Operate the analytics read model."""


@analytics.command("rebuild")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data directory of `refarch serve` (default: REFARCH_DATA_DIR or the usual one).",
)
def rebuild_command(data_dir: Path | None) -> None:
    """Replay the event stream from its start into a fresh store and swap it in.

    Stop `refarch serve` first: the store and the embedded broker belong to one process.
    """
    directory = data_dir or Path(os.environ.get("REFARCH_DATA_DIR") or pg.default_data_dir())
    if not directory.is_dir():
        _fail(f"{directory} is not a data directory; pass the one `refarch serve` uses")
    try:
        settings = Settings.from_env(data_dir=directory)
    except ConfigError as exc:
        _fail(str(exc))
        return
    with contextlib.ExitStack() as resources:
        url = settings.nats_url
        if url is None:
            try:
                broker = resources.enter_context(
                    nats_server.owned_embedded(directory, lambda text: click.echo(text, err=True))
                )
            except nats_server.BrokerStartupError as exc:
                _fail(str(exc))
                return
            url = broker.url
        try:
            report = asyncio.run(
                rebuild(directory / STORE_FILE, url, settings.event_subject_prefix)
            )
        except StoreInUse:
            _fail(
                f"the analytics store {directory / STORE_FILE} is open in another process:"
                " stop `refarch serve` first, then run the rebuild again"
            )
            return
        except StreamUnavailable as exc:
            _fail(f"{exc}; the store was left as it was")
            return
    click.echo(
        f"analytics store rebuilt from {report.replayed} messages: {report.applied} events"
        f" applied, {report.set_aside} set aside as malformed; now in {report.path}"
    )
