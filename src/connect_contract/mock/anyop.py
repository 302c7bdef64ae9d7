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

Success answers come from :class:`connect_contract.mock.synth.Synth`, seeded by the request (same
request, same answer), and are built per binding: header and prefix-header members, the ``statusCode``
member, a blob/string/structure payload or the JSON body.  An output member named like an input member
(``InstanceId``) echoes the request's value when that value fits the output member's constraints.
Paginated operations (botocore's paginators-1) page through :data:`PAGES` pages, then stop.
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
    request_errors,
    split_header_list,
)
from connect_contract.contracts.schemas import operation_schemas, timestamp_format
from connect_contract.mock import responses as r
from connect_contract.mock.synth import Synth, header_text, intended_pattern, to_wire
from connect_contract.mock.validation import BodyError, parse_json
from connect_contract.operations import Binding, ModeledError, ServiceOperation
from connect_contract.redaction import placeholder

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
PAGES = 3  # a paginated operation's pages: two tokens, then none
VARIANTS = 4  # distinct success answers per operation and page, chosen by the request's hash
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
    headers = ((b"content-type", b"application/json"), (r.ERROR_TYPE, name.encode()))
    return r.Reply(status, headers, json.dumps(body).encode())


def modeled_error_reply(op: ServiceOperation, name: str, message: str, extra: dict[str, Any]) -> r.Reply:
    error = op.error(name)
    key = _message_key(error.shape)
    return error_reply(name, error.status, message, key, **{**_required_extras(error, key), **extra})


def _open(schema: Any) -> Any:
    """The schema with every closed object opened (unknown members are ignored, not refused), and
    JavaScript-literal patterns read as the service reads them (see ``synth.intended_pattern``)."""
    if isinstance(schema, dict):
        return {
            key: (
                True
                if key == "additionalProperties" and value is False
                else intended_pattern(value)
                if key == "pattern" and isinstance(value, str)
                else _open(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_open(item) for item in schema]
    return schema


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
                compiled[part] = _compile(_open(schema))
        return compiled

    def answer(
        self, target: str, headers: list[tuple[bytes, bytes]], body: bytes, tags: TagStore | None = None
    ) -> r.Reply:
        document: Any = None
        if self.json_body and body.strip():
            try:
                document = parse_json(body)
            except BodyError as exc:
                return error_reply(r.SERIALIZATION, 400, str(exc))
            if not isinstance(document, dict) and not self.document_payload:
                return error_reply(r.SERIALIZATION, 400, "Request body must be a JSON object")
            content_type = next((v for k, v in headers if k == b"content-type"), None)
            if not protocol.is_json_media_type(content_type.decode("latin-1") if content_type else None):
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
        return request_errors(self.op, RequestParts(parts.path, parts.query, parts.headers, body, parts.body_error))

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


@dataclass
class _Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    value: dict[str, Any]  # the output by member name (botocore's form)
    body: bytes
    echo_paths: tuple[tuple[tuple[str | int, ...], botocore.model.Shape], ...]
    reply: r.Reply  # the answer when nothing is echoed (built once: its headers are framed once too)


def _token_member(op: ServiceOperation, key: str) -> str | None:
    paginator = op.paginator or {}
    token = paginator.get(key)
    return token if isinstance(token, str) and "." not in token and "[" not in token else None


class OutputBuilder:
    """Success answers of one operation, built lazily per (variant, page) and cached."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        self._cache: dict[tuple[int, int], _Answer] = {}
        self.input_names = {b.name for b in op.input if b.type_name == "string"}
        self.output_token = _token_member(op, "output_token")
        self.input_token = _token_member(op, "input_token")
        shape = op.model.output_shape
        if self.output_token is not None and (shape is None or self.output_token not in shape.members):
            self.output_token = None
        self._tokens: list[str] | None = None
        self.input_names -= {self.input_token, self.output_token}  # a page token is never echoed
        # Whether an answer depends on the request's members (echoes, page tokens), or only on its hash.
        self.reads_input = bool(self.input_token) or bool(self.input_names & _member_names(op.model.output_shape))

    @property
    def tokens(self) -> list[str]:
        """The page tokens (``tokens[k]`` leads to page ``k + 1``); empty when the model's token shape
        cannot tell the pages apart."""
        if self._tokens is None:
            tokens: list[str] = []
            if self.output_token is not None:
                shape = self.op.model.output_shape.members[self.output_token]
                for page in range(1, PAGES):
                    token = Synth(f"{self.op.name}/page-{page}").value(shape)
                    if isinstance(token, str) and token not in tokens:
                        tokens.append(token)
                if len(tokens) < PAGES - 1:
                    tokens = []
            self._tokens = tokens
        return self._tokens

    def _page(self, values: dict[str, Any]) -> int:
        if self.input_token is None or not self.tokens:
            return 0
        token = values.get(self.input_token)
        if token is None:
            return 0
        return self.tokens.index(token) + 1 if token in self.tokens else PAGES - 1

    def reply(self, seed: int, values: dict[str, Any]) -> r.Reply:
        key = (seed % VARIANTS, self._page(values))
        answer = self._cache.get(key)
        if answer is None:
            answer = self._cache[key] = self._build(*key)
        if not answer.echo_paths:
            return answer.reply
        body = answer.body
        echoes = [
            (path, values[str(path[-1])])
            for path, shape in answer.echo_paths
            if _fits(shape, values.get(str(path[-1])))
        ]
        if echoes:
            value = answer.value
            for path, echoed in echoes:
                value = _replaced(value, path, echoed)
            body = self._encode_body(value)
        return r.Reply(answer.status, answer.headers, body)

    def reply_with(self, seed: int, members: dict[str, Any]) -> r.Reply:
        """The answer with some top-level body members set (the tags round trip)."""
        key = (seed % VARIANTS, 0)
        answer = self._cache.get(key)
        if answer is None:
            answer = self._cache[key] = self._build(*key)
        return r.Reply(answer.status, answer.headers, self._encode_body({**answer.value, **members}))

    # -- building one answer ------------------------------------------------------------------------
    def _build(self, variant: int, page: int) -> _Answer:
        op = self.op
        shape = op.model.output_shape
        value: dict[str, Any] = {}
        if shape is not None:
            value = Synth(f"{op.service_name}/{op.name}/{variant}/{page}", optional=0.7).structure(shape, 0)
            for binding in op.output:
                if binding.location == "status":
                    value[binding.name] = op.response_code
                if binding.event_stream:
                    value.pop(binding.name, None)
            payload = op.output_payload
            if payload is not None and not payload.event_stream and payload.name not in value:
                value[payload.name] = Synth(f"{op.name}/payload/{variant}").value(payload.shape, 1)
            if self.output_token is not None:
                value.pop(self.output_token, None)
                if page < PAGES - 1 and self.tokens:
                    value[self.output_token] = self.tokens[page]
        headers: list[tuple[bytes, bytes]] = []
        body = self._encode_body(value)
        typed = False
        for binding in op.output:
            if binding.name not in value:
                continue
            if binding.location == "header":
                name = binding.wire_name.lower()
                if name == "content-length":  # a framing header: the true length (Reply adds it)
                    value[binding.name] = len(body)
                    continue
                typed = typed or name == "content-type"
                headers.append((name.encode(), _header_bytes(binding.shape, value[binding.name])))
            elif binding.location == "prefix-headers":
                for entry, item in value[binding.name].items():
                    prefixed = (binding.wire_name + _token(entry)).lower().encode()
                    headers.append((prefixed, _header_bytes(binding.shape.value, item)))
        media = op.response_media_type
        if media is not None and not typed and (body or op.output_payload is None):
            headers.append((b"content-type", media.encode()))
        echo_paths = tuple(_echo_paths(shape, value, (), self.input_names)) if shape is not None else ()
        body_echo = tuple(
            (path, echo_shape)
            for path, echo_shape in echo_paths
            if op.output_payload is not None or _binding_location(op, str(path[0])) == "body"
        )
        status = op.response_code
        if status in (204, 304):
            body = b""
        return _Answer(status, tuple(headers), value, body, body_echo, r.Reply(status, tuple(headers), body))

    def _encode_body(self, value: dict[str, Any]) -> bytes:
        op = self.op
        payload = op.output_payload
        if payload is not None:
            if payload.event_stream or payload.name not in value:
                return b""
            item = value[payload.name]
            if payload.type_name == "blob":
                return bytes(item)
            if payload.type_name == "string":
                return str(item).encode("utf-8")
            return json.dumps(to_wire(payload.shape, item)).encode()
        if not op.has_json_output_body:
            return b""
        document = {b.wire_name: to_wire(b.shape, value[b.name]) for b in op.output_body if b.name in value}
        return json.dumps(document).encode()


def _member_names(shape: botocore.model.Shape | None) -> set[str]:
    """Every member name reachable in ``shape`` (recursive shapes visited once)."""
    names: set[str] = set()
    seen: set[str] = set()
    todo = [shape] if shape is not None else []
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if current.type_name == "structure" and not current.is_document_type:
            names.update(current.members)
            todo.extend(current.members.values())
        elif current.type_name == "list":
            todo.append(current.member)
        elif current.type_name == "map":
            todo.append(current.value)
    return names


def _binding_location(op: ServiceOperation, name: str) -> str | None:
    for binding in op.output:
        if binding.name == name:
            return binding.location
    return None


def _header_bytes(shape: botocore.model.Shape, value: Any) -> bytes:
    text = header_text(shape, value).replace("\r", " ").replace("\n", " ").strip()
    return text.encode("utf-8")


def _token(text: str) -> str:
    cleaned = "".join(ch for ch in str(text) if ch.isascii() and (ch.isalnum() or ch == "-"))
    return cleaned or "key"


def _echo_paths(
    shape: botocore.model.Shape, value: Any, path: tuple[str | int, ...], names: set[str]
) -> list[tuple[tuple[str | int, ...], botocore.model.Shape]]:
    found: list[tuple[tuple[str | int, ...], botocore.model.Shape]] = []
    if shape.type_name == "structure" and isinstance(value, dict) and not shape.is_document_type:
        if shape.metadata.get("union"):
            return found
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                continue
            if name in names and member.type_name == "string" and not member.serialization.get("jsonvalue"):
                found.append(((*path, name), member))
            elif len(path) < 3:
                found += _echo_paths(member, item, (*path, name), names)
    return found


def _fits(shape: botocore.model.Shape, value: Any) -> bool:
    """Whether an input value may stand in an output member (type, enum, lengths, pattern)."""
    if not isinstance(value, str):
        return False
    meta = shape.metadata
    if meta.get("enum") and value not in meta["enum"]:
        return False
    if len(value) < int(meta.get("min", 0)) or ("max" in meta and len(value) > int(meta["max"])):
        return False
    pattern = meta.get("pattern")
    if pattern:
        from connect_contract.mock.synth import _compiled

        compiled = _compiled(pattern)
        if compiled is not None and compiled.search(value) is None:
            return False
    return True


def _replaced(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    """``value`` with the item at ``path`` replaced, copying only the containers on the way."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        copy[head] = _replaced(value[head], rest, new)
        return copy
    items = list(value)
    items[int(head)] = _replaced(items[int(head)], rest, new)
    return items


# -- capture redaction ------------------------------------------------------------------------------


def _redacted_value(shape: botocore.model.Shape, value: Any, depth: int = 0) -> Any:
    """``value`` (wire form) with every ``sensitive`` value in it replaced, at any depth."""
    if shape.metadata.get("sensitive"):
        return placeholder(shape.name)
    if depth > 50:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type:
        wire = {member.serialization.get("name", name): member for name, member in shape.members.items()}
        return {
            key: _redacted_value(wire[key], item, depth + 1) if key in wire else item for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_redacted_value(shape.member, item, depth + 1) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _redacted_value(shape.value, item, depth + 1) for key, item in value.items()}
    return value


def _has_sensitive(shape: botocore.model.Shape, seen: set[str] | None = None) -> bool:
    seen = set() if seen is None else seen
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "structure" and not shape.is_document_type:
        return any(_has_sensitive(member, seen) for member in shape.members.values())
    if shape.type_name == "list":
        return _has_sensitive(shape.member, seen)
    if shape.type_name == "map":
        return _has_sensitive(shape.value, seen)
    return False


class CaptureRedactor:
    """Hides an operation's ``sensitive`` members in a captured request, in every location."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        self.secret_labels = any(_has_sensitive(b.shape) for b in op.labels)
        self.secret_query = {b.wire_name for b in op.query if _has_sensitive(b.shape)}
        self.hidden_headers = frozenset(b.wire_name.lower() for b in op.headers if _has_sensitive(b.shape))
        self.body_shape = op.model.input_shape if op.input and _has_sensitive(op.model.input_shape) else None

    def __call__(self, path: str, query: bytes, body: bytes) -> tuple[str, str, str, frozenset[str]]:
        text_query = query.decode("latin-1")
        if self.secret_query:
            pairs = [part.partition("=") for part in text_query.split("&") if part]
            text_query = "&".join(
                f"{key}{eq}{'<redacted>' if unquote(key) in self.secret_query else value}" for key, eq, value in pairs
            )
        return (
            self.op.path_template if self.secret_labels else path,
            text_query,
            self._body(body),
            self.hidden_headers,
        )

    def _body(self, body: bytes) -> str:
        text = body.decode("utf-8", errors="replace")
        if self.body_shape is None:
            return text
        payload = self.op.payload
        if payload is not None and payload.type_name in ("blob", "string"):
            return "<redacted>" if _has_sensitive(payload.shape) else text
        try:
            document = json.loads(text)
        except ValueError:
            return "<redacted: not JSON>"  # a sensitive member could be anywhere in it
        if payload is not None:
            return json.dumps(_redacted_value(payload.shape, document))
        wire = {b.wire_name: b.shape for b in self.op.body}
        if isinstance(document, dict):
            document = {k: _redacted_value(wire[k], v) if k in wire else v for k, v in document.items()}
        return json.dumps(document)


def _is_document(shape: botocore.model.Shape) -> bool:
    return shape.type_name == "structure" and bool(shape.is_document_type)
