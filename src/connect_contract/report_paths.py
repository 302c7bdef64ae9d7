"""One behaviour for every report option (``--report``, ``--junitxml``): missing parent
directories are created, up front, so a long run never ends unable to write its report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def prepare_report_path(path: Path) -> Path:
    """Create ``path``'s missing parent directories; ``ValueError`` (one line) when that is impossible."""
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a directory")
    blocking = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        raise ValueError(f"cannot write {path}: {blocking} is a file, not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot write {path}: cannot create directory {path.parent} ({exc.strerror})") from None
    return path


def report_path_callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A click option callback for report paths: a path that cannot be written is a usage error."""
    if value is None:
        return None
    try:
        return prepare_report_path(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def report_options(
    markdown_help: str = "Write a Markdown report.",
    junit_help: str = "Write a JUnit XML report.",
    *,
    junit_dest: str = "junitxml",
) -> Callable[[F], F]:
    """``--report PATH`` (as ``report_path``) and ``--junitxml PATH`` (as ``junit_dest``), both through
    :func:`report_path_callback`: the one pair every command that writes reports takes."""
    path = click.Path(dir_okay=False, path_type=Path)

    def decorate(command: F) -> F:
        command = click.option("--junitxml", junit_dest, type=path, callback=report_path_callback, help=junit_help)(
            command
        )
        return click.option("--report", "report_path", type=path, callback=report_path_callback, help=markdown_help)(
            command
        )

    return decorate
