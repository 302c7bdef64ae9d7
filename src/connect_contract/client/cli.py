"""``connect-contract check-client``: the CI gate for a client of the operation."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from connect_contract.client.adapters.builtin import BUILTIN, ClientSpec, builtin_client, command_client
from connect_contract.client.adapters.protocol import DEFAULT_TIMEOUT, AdapterUnusable
from connect_contract.client.covering import UNCOVERED, coverage, covering_operations
from connect_contract.client.judge import Judgement
from connect_contract.client.report import junit_xml, markdown, print_matrix
from connect_contract.client.runner import OnResult, run_clients, select_vectors, vectors_for
from connect_contract.client.vectors import Vector
from connect_contract.operations import ServiceOperation
from connect_contract.operations.options import operation_options
from connect_contract.report_paths import report_options

# Wide enough for any matrix: a table is only as wide as its content, so off a terminal (CI logs) it
# is printed at its natural width instead of wrapping vector ids at 80 columns.
_LOG_WIDTH = 1000


class CannotRun(click.ClickException):
    """A client that cannot run at all (not installed, wrong protocol mode): one line, exit 2."""

    exit_code = 2


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: adapters are stopped before the harness exits."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _console() -> Console:
    console = Console(soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(soft_wrap=False, width=_LOG_WIDTH)
    return console


@contextmanager
def _progress(
    console: Console, specs: Sequence[ClientSpec], vectors: Sequence[Vector], strict: bool
) -> Iterator[OnResult]:
    """A transient progress line, like ``check``'s: vectors done per client, the last one, failures so far."""
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    )
    task = progress.add_task(f"starting {', '.join(s.name for s in specs)}", total=None)
    done = {spec.name: 0 for spec in specs}
    failing = [0]
    lock = threading.Lock()

    def on_result(client: str, judgement: Judgement) -> None:
        with lock:
            done[client] += 1
            failing[0] += judgement.verdict in ("fail", "broken") and (judgement.vector.required or strict)
            counts = ", ".join(f"{name} {count}/{len(vectors)}" for name, count in done.items())
            description = f"vector {counts} · {client}: {judgement.vector.id} · {failing[0]} failing"
        progress.update(task, description=description)

    if not console.is_terminal:  # a log gets the result only (a live line there is just a stray blank line)
        yield on_result
        return
    with progress:
        yield on_result


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


def _print_covering_set(operations: Sequence[ServiceOperation]) -> None:
    """The covering set: each operation with its vector count, then each (location x type) pair and where."""
    for op in operations:
        click.echo(f"{op.service_name}:{op.name}\t{len(vectors_for([op]))} vectors\t{op.http_method} {op.request_uri}")
    click.echo("")
    for (side, location, kind), where in coverage().items():
        click.echo(f"{side}\t{location}\t{kind}\t{', '.join(where[:3])}{' …' if len(where) > 3 else ''}")
    for (side, location, kind), why in UNCOVERED.items():
        click.echo(f"{side}\t{location}\t{kind}\tnot covered: {why}")


@click.command("check-client")
@operation_options()
@click.option(
    "--covering-set",
    is_flag=True,
    help="The covering set: operations of Connect and four other services exercising every binding (overrides "
    "--service/--operation; with --list, prints the set).",
)
@click.option("--client", "clients", multiple=True, type=click.Choice(BUILTIN), help="A built-in client (repeatable).")
@click.option(
    "--client-cmd",
    "commands",
    multiple=True,
    metavar="COMMAND",
    help="Adapter command of any client (repeatable; protocol in docs/adapter-protocol.md).",
)
@click.option("--client-name", "names", multiple=True, metavar="NAME", help="Column name for each --client-cmd.")
@click.option("--persistent", is_flag=True, help="Run --client-cmd adapters once, in JSON-lines mode.")
@click.option("--one-shot", is_flag=True, help="Run the built-in adapters once per vector (the plain protocol).")
@click.option("--vector", "patterns", multiple=True, metavar="GLOB", help="Only vectors whose id matches (repeatable).")
@click.option("--strict", is_flag=True, help="Fail on recommended vectors too.")
@click.option("--list", "list_only", is_flag=True, help="List the (selected) vectors and exit.")
@report_options(junit_help="Write JUnit XML.", junit_dest="junit_path")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one call may take before the adapter counts as broken.",
)
def check_client(
    operations: tuple[ServiceOperation, ...],
    covering_set: bool,
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
    """Check that a client calls an operation (default: UpdateParticipantAuthentication) as the contract says.

    \b
    connect-contract check-client --client boto3 --client awscli --client js
    connect-contract check-client --client-cmd "node my_adapter.cjs" --report client.md
    connect-contract check-client --service lambda --operation Invoke --client js
    connect-contract check-client --covering-set --client boto3

    Exit 0 when every required vector passed (and, with --strict, every recommended one),
    1 when one failed or an adapter broke, 2 on usage errors or a client that cannot run at all
    (not installed, a one-shot adapter given --persistent), 130/143 on Ctrl-C/SIGTERM.
    """
    if covering_set:
        operations = covering_operations()
    if covering_set and list_only and not patterns:
        _print_covering_set(operations)
        return
    vectors = select_vectors(patterns, operations)
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
    for spec in specs:  # once, before anything runs (not once per vector)
        if spec.unavailable:
            raise CannotRun(f"{spec.name} cannot run: {spec.unavailable}")
        if spec.name == "js-v2" and any(v.operation for v in vectors):
            raise CannotRun("js-v2 cannot run: its adapter calls the mission operation only (use --client js)")
    console = _console()
    main_thread = threading.current_thread() is threading.main_thread()  # signal handlers live there only
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if main_thread else None
    try:
        with _progress(console, specs, vectors, strict) as on_result:
            runs = run_clients(specs, vectors, timeout=timeout, on_result=on_result)
    except AdapterUnusable as exc:
        raise CannotRun(str(exc)) from None
    except KeyboardInterrupt as exc:  # the runner has already killed every adapter process group
        terminated = isinstance(exc, _Terminated)
        click.echo(f"{'terminated' if terminated else 'interrupted'}: adapters stopped, no verdict", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: the interpreter would join the runner's worker threads without a bound, and a
        # lane still inside a call past the runner's bounded wait would hold the exit up.
        os._exit(128 + (signal.SIGTERM if terminated else signal.SIGINT))
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    print_matrix(runs, console, strict=strict)
    if report_path:
        report_path.write_text(markdown(runs, strict=strict), encoding="utf-8")
    if junit_path:
        junit_xml(runs, junit_path, strict=strict)
    sys.exit(1 if any(run.failed(strict=strict) for run in runs) else 0)
