"""Loading any rest-json service botocore ships, and finding its operations by name or glob.

botocore's own ``ServiceModel``/``OperationModel`` are the model; this module only loads them once
per service (one shared ``Loader``, which caches the JSON files), refuses protocols the harness does
not speak, and turns names, ``all`` and shell-style globs into operations.
"""

from __future__ import annotations

import difflib
import fnmatch
from functools import cache
from typing import Any

import botocore
import botocore.exceptions
import botocore.loaders
import botocore.model

from connect_contract.operations.bindings import ServiceOperation

DEFAULT_SERVICE = "connect"
DEFAULT_OPERATION = "UpdateParticipantAuthentication"
SUPPORTED_PROTOCOL = "rest-json"
ALL_OPERATIONS = "all"


class OperationLookupError(LookupError):
    """An unknown service or operation, or a service whose protocol the harness does not speak.

    ``str()`` is one line meant for a user (the CLI prints it as a usage error).
    """


class UnsupportedProtocolError(OperationLookupError):
    """The service exists but is not rest-json."""

    def __init__(self, service: str, protocol: str) -> None:
        super().__init__(
            f"service {service!r} speaks {protocol!r}, not {SUPPORTED_PROTOCOL!r}; only rest-json is supported"
        )
        self.service = service
        self.protocol = protocol


@cache
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.Loader()


def load_raw(service: str, type_name: str = "service-2") -> dict[str, Any]:
    """One of botocore's JSON documents for ``service`` (service-2, paginators-1, ...)."""
    document: dict[str, Any] = _loader().load_service_model(service, type_name)
    return document


@cache
def available_services() -> tuple[str, ...]:
    return tuple(sorted(_loader().list_available_services("service-2")))


@cache
def load_service(service: str) -> botocore.model.ServiceModel:
    """botocore's model of ``service``; an :class:`OperationLookupError` if it is unknown or not rest-json."""
    try:
        raw = load_raw(service)
    except botocore.exceptions.UnknownServiceError:
        close = difflib.get_close_matches(service, available_services(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise OperationLookupError(f"unknown service {service!r} in botocore {botocore.__version__}{hint}") from None
    model = botocore.model.ServiceModel(raw, service_name=service)
    protocol = model.metadata.get("protocol", "")
    if protocol != SUPPORTED_PROTOCOL:
        raise UnsupportedProtocolError(service, protocol)
    return model


@cache
def _paginators(service: str) -> dict[str, Any]:
    try:
        pagination: dict[str, Any] = load_raw(service, "paginators-1").get("pagination", {})
    except botocore.exceptions.DataNotFoundError:
        return {}
    return pagination


@cache
def load_service_operation(service: str, operation: str) -> ServiceOperation:
    """One operation of one rest-json service (cached: built once per process)."""
    model = load_service(service)
    if operation not in model.operation_names:
        close = difflib.get_close_matches(operation, model.operation_names, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise OperationLookupError(f"service {service!r} has no operation {operation!r}{hint}")
    return ServiceOperation(model.operation_model(operation), paginator=_paginators(service).get(operation))


def resolve_operations(service: str, selector: str = DEFAULT_OPERATION) -> tuple[ServiceOperation, ...]:
    """The operations ``selector`` names: one name, ``all``, or a shell-style glob (``List*``), sorted by name.

    A glob that matches nothing is an error, like an unknown name: a typo must not pass as "nothing to do".
    """
    model = load_service(service)
    names = sorted(model.operation_names)
    if selector == ALL_OPERATIONS:
        chosen = names
    elif any(char in selector for char in "*?["):
        chosen = [name for name in names if fnmatch.fnmatchcase(name, selector)]
        if not chosen:
            raise OperationLookupError(f"no operation of {service!r} matches {selector!r}")
    else:
        chosen = [selector]
    return tuple(load_service_operation(service, name) for name in chosen)


def mission_operation() -> ServiceOperation:
    """The default operation, the one the harness began with and covers best."""
    return load_service_operation(DEFAULT_SERVICE, DEFAULT_OPERATION)
