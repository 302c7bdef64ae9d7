"""``connect-contract contracts generate|check|openapi``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from connect_contract.contracts.files import check_contracts, write_contracts
from connect_contract.contracts.generate import render
from connect_contract.contracts.ondemand import cached_operation, operation_files, service_openapi, write_files
from connect_contract.model import load_operation
from connect_contract.operations import ALL_OPERATIONS, ServiceOperation, mission_operation
from connect_contract.operations.options import operation_options

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contracts"),
    show_default=True,
    help="The contracts directory (the committed set).",
)


@click.group()
def contracts() -> None:
    """Generate the contracts from botocore's model, or check the committed ones for drift."""


@contracts.command()
@DIR_OPTION
@operation_options()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the selected operations' contracts to OUT/<service>/<Operation>/ (default: the cache).",
)
def generate(directory: Path, operations: tuple[ServiceOperation, ...], out: Path | None) -> None:
    """Write the committed contracts, or (with --service/--operation/--out) any operation's.

    Without options it writes the committed set under --dir: the mission operation's JSON Schemas,
    OpenAPI 3.1 fragment and sensitive-member list, and the per-location contracts of the committed
    operations.  With a selection or --out, it writes each selected operation's per-location
    schemas, error schemas and OpenAPI document to --out, or to the on-demand cache.
    """
    if out is None and operations == (mission_operation(),):
        mission = load_operation()
        changed = write_contracts(directory, mission)
        for path in changed:
            click.echo(f"wrote {directory / path}")
        click.echo(f"{len(changed)} file(s) changed (botocore {mission.botocore_version}).")
        return
    for op in operations:
        if out is None:
            click.echo(f"{op.service_name}:{op.name} {cached_operation(op)}")
            continue
        target = out / op.service_name / op.name
        changed = write_files(target, operation_files(op))
        click.echo(f"{op.service_name}:{op.name} {target} ({len(changed)} file(s) changed)")


@contracts.command()
@DIR_OPTION
def check(directory: Path) -> None:
    """Exit 1 with a diff when the committed contracts differ from the installed model's."""
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a directory", param_hint="--dir")
    op = load_operation()
    drifts = check_contracts(directory, op)
    if not drifts:
        click.echo(f"contracts up to date with botocore {op.botocore_version}.")
        return
    for drift in drifts:
        click.echo(drift.diff or f"{drift.path}: differs")
    click.echo(
        f"{len(drifts)} contract file(s) drifted from botocore {op.botocore_version}'s model; "
        "review the diff, then run `connect-contract contracts generate`.",
        err=True,
    )
    sys.exit(1)


@contracts.command()
@operation_options(default_operation=ALL_OPERATIONS)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the document to this file instead of stdout.",
)
def openapi(operations: tuple[ServiceOperation, ...], out: Path | None) -> None:
    """Print the OpenAPI 3.1 document of a service (every operation), or of the selected operations."""
    text = render(service_openapi(operations[0].service_name, operations))
    if out is None:
        click.echo(text, nl=False)
    else:
        write_files(out.parent, {out.name: text})
        click.echo(f"wrote {out} ({len(operations)} operation(s))", err=True)
