"""One behaviour for every report option (``--report``, ``--junitxml``): missing parent
directories are created, up front, so a long run never ends unable to write its report."""

from __future__ import annotations

from pathlib import Path

import click


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
