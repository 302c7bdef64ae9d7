"""The ``connect-contract`` command line.

Each capability owns its commands in its own package; this module only knows their names and
imports them when they are used, so ``--help`` stays fast and one broken area cannot hide another.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from connect_contract import __version__

# name -> (import target, one-line help shown by --help without importing the command)
COMMANDS = {
    "contracts": ("connect_contract.contracts.cli:contracts", "Generate the contracts or check them for drift."),
    "serve": ("connect_contract.mock.cli:serve", "Run the reference mock (or replay cassettes)."),
    "check": ("connect_contract.server.cli:check", "Check a server implementation against the contract."),
    "check-client": ("connect_contract.client.cli:check_client", "Check a client against the contract."),
    "merge-reports": ("connect_contract.server.merge:merge_reports", "Merge the reports of `check --shard` runs."),
    "record": ("connect_contract.cassettes.cli:record", "Record scenario cassettes from an endpoint."),
    "lint": ("connect_contract.cassettes.cli:lint", "Lint cassettes against the contracts."),
    "verify": ("connect_contract.cassettes.cli:verify", "Replay cassettes to a live provider and compare."),
    "proxy": (
        "connect_contract.proxy.cli:proxy",
        "Forward a client to an upstream; judge (and record) each exchange.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="connect-contract")
def main() -> None:
    """Contract testing and conformance for Amazon Connect UpdateParticipantAuthentication.

    \b
    connect-contract check                 check a server (default: the built-in mock)
    connect-contract check-client ...      check a client (boto3, awscli, js, or any command)
    connect-contract serve                 run the reference mock
    connect-contract contracts check       fail when contracts/ drifted from botocore's model
    """


def default_contracts_dir() -> Path:
    return Path(os.environ.get("CONNECT_CONTRACT_DIR", "contracts"))


def run(argv: list[str] | None = None) -> Any:
    """Entry point: usage errors exit 2 with one line; an internal error never dumps a traceback
    unless CONNECT_CONTRACT_DEBUG is set."""
    try:
        return main.main(args=argv, prog_name="connect-contract", standalone_mode=True)
    except Exception as exc:  # click already handled usage errors and exits
        if os.environ.get("CONNECT_CONTRACT_DEBUG"):
            raise
        click.echo(f"connect-contract: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("(set CONNECT_CONTRACT_DEBUG=1 to see the traceback)", err=True)
        sys.exit(1)
