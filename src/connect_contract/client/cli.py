"""``connect-contract check-client``: the CI gate for a client of the operation."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from connect_contract.client.adapters.builtin import BUILTIN, ClientSpec, builtin_client, command_client
from connect_contract.client.adapters.protocol import DEFAULT_TIMEOUT
from connect_contract.client.report import junit_xml, markdown, print_matrix
from connect_contract.client.runner import run_clients, select_vectors
from connect_contract.report_paths import report_path_callback

_OUT = click.Path(dir_okay=False, path_type=Path)


def _specs(
    clients: tuple[str, ...], commands: tuple[str, ...], names: tuple[str, ...], persistent: bool, one_shot: bool
) -> list[ClientSpec]:
    specs = [builtin_client(name) for name in dict.fromkeys(clients)]
    if one_shot:
        specs = [ClientSpec(s.name, s.command, False, s.env, s.unavailable) for s in specs]
    for index, command in enumerate(commands):
        if not command.strip():
            raise click.BadParameter("the command is empty", param_hint="--client-cmd")
        name = names[index] if index < len(names) else ("custom" if index == 0 else f"custom-{index + 1}")
        specs.append(command_client(command, name=name, persistent=persistent))
    taken = [s.name for s in specs]
    if len(set(taken)) != len(taken):
        raise click.BadParameter(f"client names must be unique, got {', '.join(taken)}", param_hint="--client-name")
    return specs


@click.command("check-client")
@click.option("--client", "clients", multiple=True, type=click.Choice(BUILTIN), help="A built-in client (repeatable).")
@click.option(
    "--client-cmd",
    "commands",
    multiple=True,
    metavar="COMMAND",
    help="Adapter command of any client (repeatable; protocol in the README).",
)
@click.option("--client-name", "names", multiple=True, metavar="NAME", help="Column name for each --client-cmd.")
@click.option("--persistent", is_flag=True, help="Run --client-cmd adapters once, in JSON-lines mode.")
@click.option("--one-shot", is_flag=True, help="Run the built-in adapters once per vector (the plain protocol).")
@click.option("--vector", "patterns", multiple=True, metavar="GLOB", help="Only vectors whose id matches (repeatable).")
@click.option("--strict", is_flag=True, help="Fail on recommended vectors too.")
@click.option("--list", "list_only", is_flag=True, help="List the (selected) vectors and exit.")
@click.option("--report", "report_path", type=_OUT, callback=report_path_callback, help="Write a Markdown report.")
@click.option("--junitxml", "junit_path", type=_OUT, callback=report_path_callback, help="Write JUnit XML.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one call may take before the adapter counts as broken.",
)
def check_client(
    clients: tuple[str, ...],
    commands: tuple[str, ...],
    names: tuple[str, ...],
    persistent: bool,
    one_shot: bool,
    patterns: tuple[str, ...],
    strict: bool,
    list_only: bool,
    report_path: Path | None,
    junit_path: Path | None,
    timeout: float,
) -> None:
    """Check that a client calls UpdateParticipantAuthentication as the contract says.

    \b
    connect-contract check-client --client boto3 --client awscli --client js
    connect-contract check-client --client-cmd "node my_adapter.cjs" --report client.md

    Exit 0 when every required vector passed (and, with --strict, every recommended one),
    1 when one failed or an adapter broke, 2 on usage errors.
    """
    vectors = select_vectors(patterns)
    if not vectors:
        raise click.BadParameter(f"no vector id matches {', '.join(patterns)}", param_hint="--vector")
    if list_only:
        for vector in vectors:
            level = "required" if vector.required else "recommended"
            click.echo(f"{vector.id}\t{level}\t{vector.summary}\t{vector.source}")
        return
    if not clients and not commands:
        raise click.UsageError("give at least one --client or --client-cmd")
    specs = _specs(clients, commands, names, persistent, one_shot)
    console = Console(stderr=False, soft_wrap=False)
    with console.status(f"running {len(vectors)} vectors against {', '.join(s.name for s in specs)}"):
        runs = run_clients(specs, vectors, timeout=timeout)
    print_matrix(runs, console, strict=strict)
    if report_path:
        report_path.write_text(markdown(runs, strict=strict), encoding="utf-8")
    if junit_path:
        junit_xml(runs, junit_path, strict=strict)
    sys.exit(1 if any(run.failed(strict=strict) for run in runs) else 0)
