"""The mission operation, ``UpdateParticipantAuthentication``, as small frozen dataclasses.

Everything the project knows about it (members, constraints, the ``sensitive`` trait, the HTTP
binding, the modeled errors and their statuses) comes from the model that ships inside botocore.
No other module types an operation fact by hand: they call :func:`load_operation`.

Any other operation of any rest-json service is a :class:`connect_contract.operations.ServiceOperation`,
built on botocore's own ``OperationModel``; both read the same loader, and the mock, checks and
cassettes move onto that object operation by operation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore

from connect_contract.operations import DEFAULT_OPERATION, DEFAULT_SERVICE, load_raw

SERVICE_NAME = DEFAULT_SERVICE
OPERATION_NAME = DEFAULT_OPERATION


@dataclass(frozen=True)
class Shape:
    """A model shape, resolved recursively (structures, unions, strings, enums, ...)."""

    name: str
    type: str
    members: tuple[Member, ...] = ()
    required: frozenset[str] = frozenset()
    union: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    sensitive: bool = False
    documentation: str = ""

    def member(self, name: str) -> Member:
        for candidate in self.members:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


@dataclass(frozen=True)
class Member:
    """A member of a structure: its wire name, whether it is required, and its target shape."""

    name: str
    shape: Shape
    required: bool
    documentation: str = ""

    @property
    def sensitive(self) -> bool:
        return self.shape.sensitive


@dataclass(frozen=True)
class ErrorShape:
    """A modeled error: its wire code (the shape name) and its HTTP status."""

    name: str
    status: int
    fault: str  # "client" for 4xx, "server" for 5xx
    shape: Shape


@dataclass(frozen=True)
class Operation:
    """The operation as the harness needs it."""

    service_name: str
    service_id: str
    api_version: str
    protocol: str
    signing_name: str
    endpoint_prefix: str
    name: str
    http_method: str
    request_uri: str
    documentation: str
    input: Shape
    output: Shape
    errors: tuple[ErrorShape, ...]
    botocore_version: str = field(compare=False)

    @property
    def input_members(self) -> tuple[Member, ...]:
        return self.input.members

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.input.members)

    @property
    def required_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.input.members if m.required)

    @property
    def optional_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.input.members if not m.required)

    @property
    def sensitive_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.input.members if m.sensitive)

    @property
    def error_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.errors)

    def error(self, name: str) -> ErrorShape:
        for candidate in self.errors:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def member(self, name: str) -> Member:
        return self.input.member(name)


def _resolve(shapes: dict[str, Any], name: str, trail: tuple[str, ...] = ()) -> Shape:
    raw = shapes[name]
    if name in trail:  # recursive shapes never occur in this operation; refuse rather than loop
        raise ValueError(f"recursive shape {name} is not supported")
    members = tuple(
        Member(
            name=member_name,
            shape=_resolve(shapes, ref["shape"], (*trail, name)),
            required=member_name in raw.get("required", ()),
            documentation=ref.get("documentation", ""),
        )
        for member_name, ref in raw.get("members", {}).items()
    )
    return Shape(
        name=name,
        type=raw["type"],
        members=members,
        required=frozenset(raw.get("required", ())),
        union=bool(raw.get("union", False)),
        min_length=raw.get("min"),
        max_length=raw.get("max"),
        pattern=raw.get("pattern"),
        enum=tuple(raw.get("enum", ())),
        sensitive=bool(raw.get("sensitive", False)),
        documentation=raw.get("documentation", ""),
    )


def build_operation(service_model: dict[str, Any], operation_name: str = OPERATION_NAME) -> Operation:
    """Build an :class:`Operation` from a raw service-2 document (used by the drift check too)."""
    metadata = service_model["metadata"]
    shapes = service_model["shapes"]
    raw_op = service_model["operations"][operation_name]
    errors = []
    for ref in raw_op.get("errors", ()):
        raw_error = shapes[ref["shape"]]
        status = int(raw_error.get("error", {}).get("httpStatusCode", 400))
        errors.append(
            ErrorShape(
                name=ref["shape"],
                status=status,
                fault="server" if status >= 500 else "client",
                shape=_resolve(shapes, ref["shape"]),
            )
        )
    return Operation(
        service_name=SERVICE_NAME,
        service_id=metadata["serviceId"],
        api_version=metadata["apiVersion"],
        protocol=metadata["protocol"],
        signing_name=metadata.get("signingName", metadata["endpointPrefix"]),
        endpoint_prefix=metadata["endpointPrefix"],
        name=operation_name,
        http_method=raw_op["http"]["method"],
        request_uri=raw_op["http"]["requestUri"],
        documentation=raw_op.get("documentation", ""),
        input=_resolve(shapes, raw_op["input"]["shape"]),
        output=_resolve(shapes, raw_op["output"]["shape"]),
        errors=tuple(errors),
        botocore_version=botocore.__version__,
    )


def load_service_model() -> dict[str, Any]:
    """The raw ``connect`` service-2 document from the installed botocore."""
    # A copy: botocore's loader caches the document it returns, and callers may edit theirs.
    return copy.deepcopy(load_raw(SERVICE_NAME))


@cache
def load_operation() -> Operation:
    """The operation from the installed botocore model (cached: the model is read once)."""
    return build_operation(load_service_model())
