"""Thin typed accessors over botocore's ``OperationModel``: where each member travels on the wire.

Locations follow botocore's rest-json serializer and parser (``botocore/serialize.py``,
``botocore/parsers.py``) and the Smithy HTTP binding traits they implement
(reference: ``restjson-bindings.md`` §1-§6):

=================  ===========================  =====================================================
location           botocore ``location``        Smithy trait
=================  ===========================  =====================================================
``label``          ``uri``                      ``@httpLabel`` (greedy ``{Name+}`` keeps ``/``)
``query``          ``querystring``              ``@httpQuery`` (lists: repeated keys)
``query-map``      ``querystring`` on a map     ``@httpQueryParams``
``header``         ``header``                   ``@httpHeader`` (lists: comma-separated)
``prefix-headers`` ``headers``                  ``@httpPrefixHeaders``
``status``         ``statusCode``               ``@httpResponseCode`` (output only)
``payload``        the shape's ``payload``      ``@httpPayload`` (the member *is* the body)
``body``           none                         a key of the JSON body
=================  ===========================  =====================================================

Nothing here copies a shape: every :class:`Binding` holds botocore's ``Shape``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import botocore.model

Location = Literal["label", "query", "query-map", "header", "prefix-headers", "status", "payload", "body"]
LOCATIONS: tuple[Location, ...] = (
    "label",
    "query",
    "query-map",
    "header",
    "prefix-headers",
    "status",
    "payload",
    "body",
)

_BOTOCORE_LOCATIONS: dict[str, Location] = {
    "uri": "label",
    "querystring": "query",
    "header": "header",
    "headers": "prefix-headers",
    "statusCode": "status",
}
_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")
# Content-Type of a payload member by its target type (Smithy restJson1 "Content-Type"); anything
# else is carried as JSON.
_PAYLOAD_MEDIA_TYPES = {"blob": "application/octet-stream", "string": "text/plain"}
JSON_MEDIA_TYPE = "application/json"
# An event-stream payload is a sequence of binary event frames, not JSON (the AWS event stream encoding).
EVENT_STREAM_MEDIA_TYPE = "application/vnd.amazon.eventstream"


@dataclass(frozen=True)
class Binding:
    """One top-level member of an input, output or error structure and where it travels."""

    name: str  # the member name (the key in botocore's parameters)
    wire_name: str  # the name on the wire: locationName, else the member name; prefix for prefix headers
    location: Location
    shape: botocore.model.Shape = field(compare=False)
    required: bool
    greedy: bool = False  # a ``{Name+}`` label, whose value keeps its ``/``

    @property
    def type_name(self) -> str:
        return str(self.shape.type_name)

    @property
    def idempotency_token(self) -> bool:
        return bool(self.shape.metadata.get("idempotencyToken"))

    @property
    def sensitive(self) -> bool:
        return bool(self.shape.metadata.get("sensitive"))

    @property
    def event_stream(self) -> bool:
        return bool(self.shape.serialization.get("eventstream"))


def _bindings(shape: botocore.model.StructureShape | None, greedy_labels: frozenset[str]) -> tuple[Binding, ...]:
    if shape is None:
        return ()
    payload = shape.serialization.get("payload")
    required = set(shape.required_members)
    bindings = []
    for name, member in shape.members.items():
        botocore_location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        location: Location
        if name == payload:
            location = "payload"
        elif botocore_location is None:
            location = "body"
        elif botocore_location == "querystring" and member.type_name == "map":
            location = "query-map"
        else:
            location = _BOTOCORE_LOCATIONS[botocore_location]
        bindings.append(
            Binding(
                name=name,
                wire_name=wire_name,
                location=location,
                shape=member,
                required=name in required,
                greedy=location == "label" and wire_name in greedy_labels,
            )
        )
    return tuple(bindings)


@dataclass(frozen=True)
class ModeledError:
    """A modeled error: its type code, the HTTP status the model gives it, and its shape."""

    name: str  # the code clients resolve (X-Amzn-Errortype): the model's error code, else the shape name
    status: int
    shape: botocore.model.StructureShape = field(compare=False)

    @property
    def fault(self) -> str:
        return "server" if self.status >= 500 else "client"


class ServiceOperation:
    """One operation of a rest-json service, as botocore models it, with its bindings grouped by location."""

    def __init__(self, model: botocore.model.OperationModel, paginator: dict[str, Any] | None = None) -> None:
        self.model = model
        self.paginator: dict[str, Any] | None = dict(paginator) if paginator else None
        path, _, fixed = model.http["requestUri"].partition("?")
        self.path_template: str = path
        greedy = frozenset(name for name, plus in _LABEL.findall(path) if plus)
        self.fixed_query: tuple[tuple[str, str], ...] = tuple(
            (key, value) for key, _, value in (part.partition("=") for part in fixed.split("&") if part)
        )
        self.input: tuple[Binding, ...] = _bindings(model.input_shape, greedy)
        self.output: tuple[Binding, ...] = _bindings(model.output_shape, frozenset())
        self.errors: tuple[ModeledError, ...] = tuple(
            ModeledError(
                name=shape.metadata.get("error", {}).get("code", shape.name),
                status=int(shape.metadata.get("error", {}).get("httpStatusCode", 400)),
                shape=shape,
            )
            for shape in model.error_shapes
        )

    def __repr__(self) -> str:
        return f"ServiceOperation({self.service_name}:{self.name})"

    # -- identity -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.model.name)

    @property
    def service(self) -> botocore.model.ServiceModel:
        return self.model.service_model

    @property
    def service_name(self) -> str:
        return str(self.service.service_name)

    @property
    def service_id(self) -> str:
        return str(self.service.service_id)

    @property
    def protocol(self) -> str:
        return str(self.service.metadata["protocol"])

    @property
    def signing_name(self) -> str:
        return str(self.service.signing_name)

    @property
    def http_method(self) -> str:
        return str(self.model.http["method"])

    @property
    def request_uri(self) -> str:
        return str(self.model.http["requestUri"])

    @property
    def response_code(self) -> int:
        return int(self.model.http.get("responseCode", 200))

    @property
    def host_prefix(self) -> str | None:
        endpoint = self.model.endpoint or {}
        prefix = endpoint.get("hostPrefix")
        return str(prefix) if prefix else None

    # -- input ----------------------------------------------------------------------------------
    def inputs(self, *locations: Location) -> tuple[Binding, ...]:
        return tuple(b for b in self.input if b.location in locations)

    def outputs(self, *locations: Location) -> tuple[Binding, ...]:
        return tuple(b for b in self.output if b.location in locations)

    @property
    def labels(self) -> tuple[Binding, ...]:
        return self.inputs("label")

    @property
    def greedy_labels(self) -> tuple[Binding, ...]:
        return tuple(b for b in self.labels if b.greedy)

    @property
    def query(self) -> tuple[Binding, ...]:
        return self.inputs("query")

    @property
    def query_map(self) -> Binding | None:
        found = self.inputs("query-map")
        return found[0] if found else None

    @property
    def headers(self) -> tuple[Binding, ...]:
        return self.inputs("header")

    @property
    def prefix_headers(self) -> tuple[Binding, ...]:
        return self.inputs("prefix-headers")

    @property
    def body(self) -> tuple[Binding, ...]:
        return self.inputs("body")

    @property
    def payload(self) -> Binding | None:
        found = self.inputs("payload")
        return found[0] if found else None

    @property
    def idempotency_tokens(self) -> tuple[Binding, ...]:
        return tuple(b for b in self.input if b.idempotency_token)

    @property
    def has_request_body(self) -> bool:
        """Whether a request carries a body: a payload member, or body members (then at least ``{}``)."""
        return bool(self.payload or self.body)

    @property
    def request_media_type(self) -> str | None:
        return _media_type(self.payload, self.body)

    # -- output ---------------------------------------------------------------------------------
    @property
    def output_headers(self) -> tuple[Binding, ...]:
        return self.outputs("header")

    @property
    def output_prefix_headers(self) -> tuple[Binding, ...]:
        return self.outputs("prefix-headers")

    @property
    def status_member(self) -> Binding | None:
        found = self.outputs("status")
        return found[0] if found else None

    @property
    def output_body(self) -> tuple[Binding, ...]:
        return self.outputs("body")

    @property
    def output_payload(self) -> Binding | None:
        found = self.outputs("payload")
        return found[0] if found else None

    @property
    def has_json_output_body(self) -> bool:
        """Whether a success answer carries a JSON object: body members, or an empty output structure.

        An output structure without members (the mission operation's) is answered with ``{}``; one whose
        members are all headers or the status has no body, and neither has an operation without output.
        """
        if self.output_payload is not None:
            return False
        return bool(self.output_body) or (self.model.output_shape is not None and not self.output)

    @property
    def response_media_type(self) -> str | None:
        if self.output_payload is None and self.has_json_output_body:
            return JSON_MEDIA_TYPE
        return _media_type(self.output_payload, self.output_body)

    def error(self, name: str) -> ModeledError:
        for candidate in self.errors:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _media_type(payload: Binding | None, body: tuple[Binding, ...]) -> str | None:
    if payload is not None:
        if payload.event_stream:
            return EVENT_STREAM_MEDIA_TYPE
        return _PAYLOAD_MEDIA_TYPES.get(payload.type_name, JSON_MEDIA_TYPE)
    return JSON_MEDIA_TYPE if body else None
