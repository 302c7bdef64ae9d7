"""``connect-contract contracts generate|check``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from connect_contract.contracts.files import check_contracts, write_contracts
from connect_contract.model import load_operation

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contracts"),
    show_default=True,
    help="The contracts directory.",
)


@click.group()
def contracts() -> None:
    """Generate the contracts from botocore's model, or check the committed ones for drift."""


@contracts.command()
@DIR_OPTION
def generate(directory: Path) -> None:
    """Write the JSON Schemas, the OpenAPI 3.1 fragment and the sensitive-member list."""
    op = load_operation()
    changed = write_contracts(directory, op)
    for path in changed:
        click.echo(f"wrote {directory / path}")
    click.echo(f"{len(changed)} file(s) changed (botocore {op.botocore_version}).")


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
