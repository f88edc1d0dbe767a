"""The ``refarch`` command line.

Sub-commands are imported only when invoked: ``refarch load`` must never import
Schemathesis and ``refarch conform`` must never import Locust (gevent's late monkey
patching breaks the other in the same process), and ``refarch --help`` stays instant.
"""

from __future__ import annotations

import importlib
import sys

import click

__all__ = ["main"]

#: name -> ("module:attribute", one-line help shown by ``refarch --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "specs": ("refarch.spec_checks.cli:specs", "Check the OpenAPI, SQL and requirements specs."),
    "serve": ("refarch.reference_impl.cli:serve", "Run the reference implementation."),
    "conform": ("refarch.conformance.cli:conform", "Run the conformance suite against a base URL."),
    "load": (
        "refarch.loadtests.cli:load",
        "Run a load test and gate on thresholds and a baseline.",
    ),
    "docs": ("refarch.docsgen.cli:docs", "Generate and build (or serve) the documentation site."),
    "mail": ("refarch.mail_cli:mail", "List and read the emails the local SMTP sink stored."),
    "analytics": (
        "refarch.reference_impl.analytics.cli:analytics",
        "Operate the analytics read model (rebuild it from the event stream).",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # list help texts without importing every sub-command
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup)
@click.version_option(package_name="refarch")
def cli() -> None:
    """refarch: spec-first reference architecture kit."""


def main() -> None:
    sys.exit(cli.main(prog_name="refarch", standalone_mode=True))
