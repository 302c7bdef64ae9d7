"""Any rest-json operation, served from the model: validation by location, then a synthetic answer.

The request is read with :func:`connect_contract.contracts.parts.request_parts` (labels, query,
headers, body, each decoded as the model says) and judged against the operation's own request
contracts (:mod:`connect_contract.contracts.schemas`), the ones the server checks use.  Two relaxations,
as the mission operation has them: unknown members and query parameters are ignored, and a JSON
``null`` stands for an absent member.  Contracts are compiled with fastjsonschema on an operation's
first call; a failure is re-judged by jsonschema (:func:`~connect_contract.contracts.parts.request_errors`)
for a message that names every problem and never quotes a sensitive value.

Order (the first that fails answers): JSON body (``SerializationException`` 400), media type of a JSON
body (``UnsupportedMediaTypeException`` 415), members (the operation's modeled parameter error, see
:func:`parameter_error`), then success.

Success answers: :mod:`connect_contract.mock.answers`; capture redaction:
:mod:`connect_contract.mock.capture_redaction`; the tags round trip: :class:`TagRole` below.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple
from urllib.parse import unquote

import botocore.model
import fastjsonschema

from connect_contract import protocol
from connect_contract.contracts.parts import (
    HTTP_DATE_ITEM,
    RequestParts,
    decode_text,
    opened,
    request_errors,
    split_header_list,
)
from connect_contract.contracts.schemas import operation_schemas, timestamp_format
from connect_contract.mock import responses as r
from connect_contract.mock.answers import OutputBuilder
from connect_contract.mock.capture_redaction import CaptureRedactor
from connect_contract.mock.synth import Synth, to_wire
from connect_contract.mock.validation import BodyError, parse_request_json
from connect_contract.operations import Binding, ModeledError, ServiceOperation

# The modeled error a member problem gets: the first of these the operation models with a 4xx status.
# (The model says which errors an operation has, not which one reports bad parameters; these are the
# names AWS services use for it, most specific first.)
PARAMETER_ERROR_PREFERENCE = (
    "InvalidParameterException",
    "InvalidRequestException",
    "ValidationException",
    "BadRequestException",
    "InvalidInputException",
    "InvalidParameterValueException",
    "InvalidArgumentException",
)
# ... else the protocol's: smithy.framework#ValidationException, 400, message member ``message``.
FRAMEWORK_VALIDATION = "ValidationException"
_PARTS = ("path", "query", "headers", "body")
_JSON_TYPES = ("structure",)


@dataclass(frozen=True)
class ParameterError:
    name: str
    status: int
    message_key: str
    required: dict[str, Any]  # the error shape's other required members, synthesized once


def _message_key(shape: botocore.model.StructureShape | None) -> str:
    if shape is not None:
        for name, member in shape.members.items():
            if name.lower() == "message":
                return str(member.serialization.get("name", name))
    return "Message"


def _required_extras(error: ModeledError, message_key: str) -> dict[str, Any]:
    shape = error.shape
    synth = Synth(error.name)
    extras = {}
    for name in shape.required_members:
        member = shape.members[name]
        key = member.serialization.get("name", name)
        if key != message_key and "location" not in member.serialization:
            extras[key] = to_wire(member, synth.value(member, 1))
    return extras


def parameter_error(op: ServiceOperation) -> ParameterError:
    """The error a member problem gets (documented rule: :data:`PARAMETER_ERROR_PREFERENCE`)."""
    for name in PARAMETER_ERROR_PREFERENCE:
        for error in op.errors:
            if error.name == name and 400 <= error.status < 500:
                key = _message_key(error.shape)
                return ParameterError(name, error.status, key, _required_extras(error, key))
    status = protocol.PROTOCOL_ERROR_STATUSES[FRAMEWORK_VALIDATION]
    return ParameterError(FRAMEWORK_VALIDATION, status, protocol.FRAMEWORK_MESSAGE_MEMBERS[FRAMEWORK_VALIDATION], {})


def error_reply(name: str, status: int, message: str, message_key: str = "Message", **extra: Any) -> r.Reply:
    body = {message_key: message, **extra}
    headers = (r.JSON_CONTENT_TYPE, (r.ERROR_TYPE, name.encode()))
    return r.Reply(status, headers, json.dumps(body).encode())


def modeled_error_reply(op: ServiceOperation, name: str, message: str, extra: dict[str, Any]) -> r.Reply:
    error = op.error(name)
    key = _message_key(error.shape)
    return error_reply(name, error.status, message, key, **{**_required_extras(error, key), **extra})


def _compile(schema: dict[str, Any]) -> Any:
    try:
        return fastjsonschema.compile(schema)
    except Exception:  # a construct fastjsonschema cannot compile: jsonschema judges alone (slower)
        return None


def _is_json(binding: Binding | None) -> bool:
    return binding is not None and binding.type_name in _JSON_TYPES and not binding.event_stream


class OperationHandler:
    """One served operation: its compiled checks (on first use) and its answers."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        self.name = op.name
        self.json_body = bool(op.body) if op.payload is None else _is_json(op.payload)
        self.known_query = {b.wire_name for b in op.query} | {key for key, _ in op.fixed_query}
        self.outputs = OutputBuilder(op)
        self.key = f"{op.service_name}:{op.name}"
        self.scope = (op.service_name, op.name)
        self.redact = CaptureRedactor(op)
        self.decoder = RequestDecoder(op)
        self.document_payload = op.payload is not None and _is_document(op.payload.shape)
        self._checks: dict[str, Any] | None = None  # compiled on the first call (start-up stays fast)
        self.tags = TagRole.of(op)

    @cached_property
    def parameter_error(self) -> ParameterError:
        return parameter_error(self.op)

    def _compile_checks(self) -> dict[str, Any]:
        """fastjsonschema checks of the parts that can fail (an operation without labels has no path check)."""
        op = self.op
        schemas = operation_schemas(op)
        present = {
            "path": bool(op.labels),
            "query": bool(op.query or op.fixed_query or op.query_map),
            "headers": bool(op.headers or op.prefix_headers),
            "body": op.has_request_body,
        }
        compiled = {}
        for part in _PARTS:
            schema = schemas.get(f"request/{part}.schema.json")
            if schema is not None and present[part]:
                compiled[part] = _compile(opened(schema))  # (patterns already read as the service enforces them)
        return compiled

    def answer(
        self, target: str, headers: list[tuple[bytes, bytes]], body: bytes, tags: TagStore | None = None
    ) -> r.Reply:
        document: Any = None
        if self.json_body and body.strip():
            try:
                document = parse_request_json(body)
            except BodyError as exc:
                return error_reply(r.SERIALIZATION, 400, str(exc))
            if not isinstance(document, dict) and not self.document_payload:
                return error_reply(r.SERIALIZATION, 400, "Request body must be a JSON object")
            content_type = next((v for k, v in headers if k == b"content-type"), None)
            if not protocol.is_json_request_media_type(content_type):
                return error_reply(r.UNSUPPORTED_MEDIA_TYPE, 415, "Content-Type must be application/json")
        parts = self.decoder.decode(target, headers, body, document)
        if parts is None:
            return error_reply(r.UNKNOWN_OPERATION, 404, "No operation is served at this path")
        problems = self._problems(parts)
        if problems:
            error = self.parameter_error
            count = len(problems)
            message = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)
            return error_reply(error.name, error.status, message, error.message_key, **error.required)
        seed = zlib.crc32(target.encode("latin-1", "replace") + b"\0" + body)
        if self.tags is not None and tags is not None:
            return self.tags.answer(self, parts, tags, seed)
        values = self._values(parts) if self.outputs.reads_input else {}
        return self.outputs.reply(seed, values)

    def _problems(self, parts: Parts) -> list[str]:
        if self._checks is None:
            self._checks = self._compile_checks()
        suspect = parts.body_error is not None
        for part, check in self._checks.items():
            if suspect:
                break
            instance = getattr(parts, part)
            if part == "body" and instance is None:
                continue  # an absent payload: nothing to judge
            if check is None:
                suspect = True
                continue
            try:
                check(instance)
            except fastjsonschema.JsonSchemaException:
                suspect = True
        if not suspect:
            return []
        body = {} if self.json_body and parts.body is None else parts.body
        judged = RequestParts(parts.path, parts.query, parts.headers, body, parts.body_error)
        return request_errors(self.op, judged, ignore_unknown=True)

    def _values(self, parts: Parts) -> dict[str, Any]:
        """The request's top-level members by member name (what echoes and pagination read)."""
        values: dict[str, Any] = {}
        for binding in self.op.input:
            if binding.location == "label":
                value = parts.path.get(binding.wire_name)
            elif binding.location == "query":
                value = parts.query.get(binding.wire_name)
            elif binding.location == "header":
                value = parts.headers.get(binding.wire_name.lower())
            elif binding.location == "body" and isinstance(parts.body, dict):
                value = parts.body.get(binding.wire_name)
            else:
                continue
            if value is not None:
                values[binding.name] = value
        return values


class Parts(NamedTuple):
    """:class:`~connect_contract.contracts.parts.RequestParts` as a tuple (cheaper to build per request)."""

    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any
    body_error: str | None


class RequestDecoder:
    """:func:`connect_contract.contracts.parts.request_parts`, compiled once per operation for the hot path:
    the same decoding (labels percent-decoded, text typed by the model, list headers split), keeping only
    what the operation binds (unknown query parameters and headers are ignored), with the JSON body the
    handler already parsed (``null`` members dropped: absent)."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        pattern, position = "", 0
        for label in re.finditer(r"\{([^}]+?)(\+?)\}", op.path_template):
            pattern += re.escape(op.path_template[position : label.start()])
            pattern += "(.*)" if label.group(2) else "([^/]*)"
            position = label.end()
        self.path = re.compile("^" + pattern + re.escape(op.path_template[position:]) + "$")
        by_wire = {b.wire_name: b.shape for b in op.labels}
        self.labels = [(name, by_wire[name]) for name in re.findall(r"\{([^}+]+)\+?\}", op.path_template)]
        self.query = {b.wire_name: b for b in op.query}
        self.fixed = dict(op.fixed_query)
        self.query_map = op.query_map
        self.headers = {b.wire_name.lower().encode("latin-1"): b for b in op.headers}
        self.prefixes = tuple(b.wire_name.lower().encode("latin-1") for b in op.prefix_headers)
        self.json_body = bool(op.body) if op.payload is None else _is_json(op.payload)
        self.payload = op.payload

    def decode(self, target: str, headers: list[tuple[bytes, bytes]], body: bytes, document: Any) -> Parts | None:
        raw_path, _, raw_query = target.partition("?")
        match = self.path.match(raw_path)
        if match is None:
            return None
        path = {
            name: decode_text(shape, unquote(text) if "%" in text else text, "label")
            for (name, shape), text in zip(self.labels, match.groups(), strict=True)
        }
        query: dict[str, Any] = {}
        if raw_query and (self.query or self.fixed or self.query_map is not None):
            query = self._query(raw_query)
        found: dict[str, str] = {}
        if self.headers or self.prefixes:
            for name, raw_value in headers:
                if name in self.headers or name.startswith(self.prefixes or (b"\0",)):
                    key, text = name.decode("latin-1"), raw_value.decode("latin-1")
                    found[key] = f"{found[key]},{text}" if key in found else text
        typed = {key: self._header(key, text) for key, text in found.items()}
        body_error = None
        value: Any = None
        if self.json_body:
            value = document if document is not None else ({} if self.payload is None else None)
            if isinstance(value, dict) and self.payload is None:
                value = {key: item for key, item in value.items() if item is not None}
        elif self.payload is not None and self.payload.type_name == "string" and not self.payload.event_stream:
            try:
                value = body.decode("utf-8") if body else None
            except UnicodeDecodeError as error:
                body_error = f"not UTF-8 text (byte {error.start})"
        elif self.payload is not None:
            value = body
        return Parts(path, query, typed, value, body_error)

    def _query(self, raw_query: str) -> dict[str, Any]:
        grouped: dict[str, list[str]] = {}
        for part in raw_query.split("&"):
            if part:
                key, _, text = part.partition("=")
                grouped.setdefault(unquote(key), []).append(unquote(text))
        query: dict[str, Any] = {}
        for key, texts in grouped.items():
            binding = self.query.get(key)
            if binding is not None and binding.type_name == "list":
                query[key] = [decode_text(binding.shape.member, text, "query") for text in texts]
            elif binding is not None:
                decoded = [decode_text(binding.shape, text, "query") for text in texts]
                query[key] = decoded[0] if len(decoded) == 1 else decoded  # a repeated scalar fails its schema
            elif key in self.fixed or self.query_map is not None:
                list_map = self.query_map is not None and self.query_map.shape.value.type_name == "list"
                query[key] = texts if list_map and key not in self.fixed else texts[0] if len(texts) == 1 else texts
        return query

    def _header(self, key: str, text: str) -> Any:
        binding = self.headers.get(key.encode("latin-1"))
        if binding is None:
            return text  # a prefix header: its map's values are strings
        if binding.type_name != "list":
            return decode_text(binding.shape, text, "header")
        item_shape = binding.shape.member
        if item_shape.type_name == "timestamp" and timestamp_format(item_shape, "header") == "rfc822":
            items = HTTP_DATE_ITEM.findall(text) or [text]  # IMF-fixdates hold a comma and are never quoted
        else:
            items = split_header_list(text)
        return [decode_text(item_shape, item, "header") for item in items]


# -- the tags round trip ------------------------------------------------------------------------------

MAX_TAGGED_RESOURCES = 10_000  # bounded like the capture log (each holds at most the model's tag count)
TagStore = dict[tuple[str, str], dict[str, Any]]  # (service, resource label) -> tags
_TAG_ROLES = {"TagResource": "tag", "UntagResource": "untag", "ListTagsForResource": "list", "ListTags": "list"}


@dataclass(frozen=True)
class TagRole:
    """What a tagging operation does to the mock's tags: TagResource adds a map, UntagResource removes keys,
    ListTagsForResource (lambda: ListTags) answers what is stored (synthetic tags until something is)."""

    kind: str
    resource: str  # the label member naming the resource
    member: str  # the map (tag, list) or list of keys (untag)

    @classmethod
    def of(cls, op: ServiceOperation) -> TagRole | None:
        kind = _TAG_ROLES.get(op.name)
        if kind is None or len(op.labels) != 1:
            return None
        bindings = op.output_body if kind == "list" else op.input
        wanted = "list" if kind == "untag" else "map"
        members = [b for b in bindings if b.type_name == wanted and b.location in ("body", "query")]
        if len(members) != 1:
            return None
        return cls(kind, op.labels[0].wire_name, members[0].name)

    def answer(self, handler: OperationHandler, parts: Parts, store: TagStore, seed: int) -> r.Reply:
        key = (handler.op.service_name, str(parts.path.get(self.resource)))
        values = handler._values(parts)
        if self.kind == "tag" and (key in store or len(store) < MAX_TAGGED_RESOURCES):
            store.setdefault(key, {}).update(values.get(self.member) or {})
        elif self.kind == "untag":
            for tag in values.get(self.member) or ():
                store.get(key, {}).pop(tag, None)
        elif key in store:
            return handler.outputs.reply_with(seed, {self.member: dict(store[key])})
        return handler.outputs.reply(seed, values)


def _is_document(shape: botocore.model.Shape) -> bool:
    return shape.type_name == "structure" and bool(shape.is_document_type)
