"""``refarch mail``: read the mail the local SMTP sink of ``refarch serve`` stored."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from refarch import pg
from refarch.smtp_sink import list_mail, maildir_of, read_mail

__all__ = ["mail"]


def _maildir(data_dir: Path | None) -> Path:
    directory = data_dir or Path(os.environ.get("REFARCH_DATA_DIR") or pg.default_data_dir())
    return maildir_of(directory)


_DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data directory `refarch serve` used (default: $REFARCH_DATA_DIR or the user "
    "data dir).",
)


@click.group(invoke_without_command=True)
@_DATA_DIR
@click.pass_context
def mail(ctx: click.Context, data_dir: Path | None) -> None:
    """List the emails the local SMTP sink stored (`refarch mail read N` shows one).

    `refarch serve` starts the sink when SMTP_URL is not set; the mail is a maildir, so
    any mail client (e.g. `mutt -f PATH`) can open the printed path too.
    """
    ctx.obj = _maildir(data_dir)
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@mail.command("list")
@click.option("--to", "recipient", default=None, help="Only mail to this address.")
@click.pass_obj
def list_command(maildir: Path, recipient: str | None = None) -> None:
    """Number, time, recipient and subject of every stored email, oldest first."""
    click.echo(f"maildir: {maildir}")
    stored = list_mail(maildir)
    shown = 0
    for number, item in enumerate(stored, start=1):
        if recipient and recipient.lower() not in item.to.lower():
            continue
        shown += 1
        when = item.received_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{number:>4}  {when}  {item.to}  {item.subject}")
    if not shown:
        click.echo("no mail" + (f" to {recipient}" if recipient else "") + " yet")


@mail.command("read")
@click.argument("which")
@click.pass_obj
def read_command(maildir: Path, which: str) -> None:
    """Print one email: WHICH is its number in `refarch mail list`, or its maildir key."""
    stored = list_mail(maildir)
    key = which
    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(stored):
            _bad_usage(
                f"no email number {number} in {maildir} "
                f"({len(stored)} stored); run `refarch mail list` to see them"
            )
        key = stored[number - 1].key
    try:
        click.echo(read_mail(maildir, key), nl=False)
    except KeyError:
        _bad_usage(f"no email {which!r} in {maildir}; run `refarch mail list` to see them")


@mail.command("path")
@click.pass_obj
def path_command(maildir: Path) -> None:
    """Print the maildir's path (for a mail client, or a script)."""
    click.echo(str(maildir))


def _bad_usage(message: str) -> None:
    click.echo(f"refarch mail: {message}", err=True)
    sys.exit(2)
