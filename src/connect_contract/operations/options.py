"""The ``--service``/``--operation`` click option pair every per-operation command reuses.

Applied to a command, it replaces both options with one ``operations`` argument: the resolved
:class:`ServiceOperation` objects.  Unknown names and non-rest-json services become a one-line
usage error (exit 2), before the command runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from connect_contract.operations.service import (
    DEFAULT_OPERATION,
    DEFAULT_SERVICE,
    OperationLookupError,
    resolve_operations,
)

F = TypeVar("F", bound=Callable[..., Any])


def operation_options(*, default_operation: str = DEFAULT_OPERATION, many: bool = True) -> Callable[[F], F]:
    """Decorate a click command with ``--service`` and ``--operation``; it receives ``operations``.

    ``many=False`` refuses ``all`` and globs that match more than one operation.
    """

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, service: str, operation: str, **kwargs: Any) -> Any:
            try:
                operations = resolve_operations(service, operation)
            except OperationLookupError as error:
                raise click.UsageError(str(error)) from None
            if not many and len(operations) != 1:
                raise click.UsageError(f"--operation {operation!r} selects {len(operations)} operations; name one")
            return command(*args, operations=operations, **kwargs)

        # wraps() shares the command's option list; the pair goes on a copy, never on the original.
        wrapper.__click_params__ = list(getattr(command, "__click_params__", []))  # type: ignore[attr-defined]
        with_operation = click.option(
            "--operation",
            default=default_operation,
            show_default=True,
            metavar="NAME|all|GLOB" if many else "NAME",
            help="The model's operation name" + (", `all`, or a shell-style glob (`List*`)." if many else "."),
        )(wrapper)
        with_service = click.option(
            "--service",
            default=DEFAULT_SERVICE,
            show_default=True,
            metavar="NAME",
            help="botocore's service name (a rest-json service).",
        )(with_operation)
        return with_service  # type: ignore[return-value]

    return decorate
