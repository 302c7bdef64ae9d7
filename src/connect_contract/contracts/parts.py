"""Reading an HTTP request as the per-location contracts see it, and judging it against them.

A rest-json request spreads one input over four places.  :func:`request_parts` takes the raw
request (method-less: the path and query as sent, headers, body bytes) and returns each place as a
JSON-like instance: labels percent-decoded (a greedy label keeps its ``/``), query values decoded
(``%20`` is a space, ``+`` is a plus: restJson1 never form-encodes), header names lower-cased, and
text turned into the typed value the model says it carries (integers, booleans, finite floats,
comma-separated header lists).  Text that does not parse stays text, so the schema rejects it with
a readable reason instead of this module guessing.  :func:`response_parts` does the same for a
success response.  Messages never quote a ``sensitive`` member's value, at any depth.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import botocore.model
from jsonschema import Draft202012Validator

from connect_contract.contracts.schemas import operation_schemas, timestamp_format
from connect_contract.operations import Binding, ServiceOperation, load_service_operation
from connect_contract.protocol import NotJsonError, decode_json, query_pairs

_INTEGER = re.compile(r"^-?[0-9]+$")
HTTP_DATE_ITEM = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


@dataclass(frozen=True)
class RequestParts:
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any  # parsed JSON, raw bytes (blob payload), text (string payload), or None when empty
    body_error: str | None = None  # why the body could not be read as its media type


@dataclass(frozen=True)
class ResponseParts:
    status: int
    headers: dict[str, Any]
    body: Any
    body_error: str | None = None


@cache
def _path_pattern(op: ServiceOperation) -> re.Pattern[str]:
    pattern, position = "", 0
    for match in re.finditer(r"\{([^}]+?)(\+?)\}", op.path_template):
        pattern += re.escape(op.path_template[position : match.start()])
        pattern += "(.*)" if match.group(2) else "([^/]*)"
        position = match.end()
    return re.compile("^" + pattern + re.escape(op.path_template[position:]) + "$")


def decode_text(shape: botocore.model.Shape, text: str, location: str) -> Any:
    """The value ``text`` stands for in a label, query value or header; unparseable text stays text."""
    kind = shape.type_name
    if kind in ("integer", "long") and _INTEGER.match(text):
        return int(text)
    if kind in ("float", "double"):
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text  # "NaN"/"Infinity" are the schema's strings
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "timestamp" and timestamp_format(shape, location) == "unixTimestamp":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    return text


def split_header_list(value: str) -> list[str]:
    """Split a list-valued header on commas outside double quotes (Smithy: quoted items may hold commas)."""
    items, current, quoted, escaped = [], "", False, False
    for char in value:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return items


def request_parts(op: ServiceOperation, target: str, headers: Mapping[str, str], body: bytes) -> RequestParts:
    """Split a request (``target`` is the path and query as sent) into the instances the schemas judge."""
    raw_path, _, raw_query = target.partition("?")
    match = _path_pattern(op).match(raw_path)
    if match is None:
        # The path itself is not quoted: a label may hold a sensitive value.
        raise ValueError(f"the request path does not match {op.path_template!r}")
    # Labels appear in template order, not member order: pair them by name.
    names = re.findall(r"\{([^}+]+)\+?\}", op.path_template)
    by_name = {b.wire_name: b for b in op.labels}
    path = {n: decode_text(by_name[n].shape, unquote(v), "label") for n, v in zip(names, match.groups(), strict=True)}

    query: dict[str, Any] = {}
    grouped: dict[str, list[str]] = {}
    for key, value in query_pairs(raw_query):
        grouped.setdefault(key, []).append(value)
    bound = {b.wire_name: b for b in op.query}
    fixed = dict(op.fixed_query)
    for key, values in grouped.items():
        binding = bound.get(key)
        if binding is not None and binding.type_name == "list":
            query[key] = [decode_text(binding.shape.member, v, "query") for v in values]
        elif binding is not None:
            decoded = [decode_text(binding.shape, v, "query") for v in values]
            query[key] = decoded[0] if len(decoded) == 1 else decoded  # a repeated scalar fails its schema
        elif key in fixed:
            query[key] = values[0] if len(values) == 1 else values
        elif op.query_map is not None and op.query_map.shape.value.type_name == "list":
            query[key] = values
        else:
            query[key] = values[0] if len(values) == 1 else values

    body_value, body_error = _body(op.payload, op.body, body)
    return RequestParts(path, query, _headers(op.headers, headers), body_value, body_error)


def response_parts(op: ServiceOperation, status: int, headers: Mapping[str, str], body: bytes) -> ResponseParts:
    """Split a success response into the instances the output schemas judge.

    An empty body stands for ``{}`` when the output has JSON members: both botocore and the JS SDK
    read 200/204 without a body as an empty result (RestJsonEmptyInputAndEmptyOutputJsonObjectOutput),
    so only required members can make it wrong.
    """
    body_value, body_error = _body(op.output_payload, op.output_body, body, json_expected=op.has_json_output_body)
    if body_value is None and op.has_json_output_body:
        body_value = {}
    return ResponseParts(status, _headers(op.output_headers, headers), body_value, body_error)


def _headers(bindings: tuple[Binding, ...], headers: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {name.lower(): value for name, value in headers.items()}
    for binding in bindings:
        name = binding.wire_name.lower()
        if name not in values:
            continue
        if binding.type_name == "list":
            item_shape = binding.shape.member
            if item_shape.type_name == "timestamp" and timestamp_format(item_shape, "header") == "rfc822":
                # IMF-fixdates hold a comma and are never quoted in a list (Smithy httpHeader list rules).
                items = HTTP_DATE_ITEM.findall(values[name]) or [values[name]]
            else:
                items = split_header_list(values[name])
            values[name] = [decode_text(item_shape, item, "header") for item in items]
        else:
            values[name] = decode_text(binding.shape, values[name], "header")
    return values


def _body(
    payload: Binding | None, members: tuple[Binding, ...], body: bytes, *, json_expected: bool = False
) -> tuple[Any, str | None]:
    if payload is not None and (payload.type_name == "blob" or payload.event_stream):
        return body, None
    if not body:
        return None, None
    if payload is not None and payload.type_name == "string":
        try:
            return body.decode("utf-8"), None
        except UnicodeDecodeError as error:
            return None, f"not UTF-8 text (byte {error.start})"
    if payload is None and not members and not json_expected:
        return None, None  # no body is modeled: whatever came is not judged here
    try:
        return decode_json(body), None  # strict: a bare NaN token is not JSON (see protocol.decode_json)
    except NotJsonError as error:  # the message names a position, never the content
        return None, str(error)


def opened(schema: Any) -> Any:
    """The schema with every closed object opened: unknown members are ignored, not refused, as a server
    ignores them (restJson1 servers, and the reference mock)."""
    if isinstance(schema, dict):
        return {
            key: True if key == "additionalProperties" and value is False else opened(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [opened(item) for item in schema]
    return schema


@cache
def _validators(service: str, operation: str, open_objects: bool = False) -> dict[str, Draft202012Validator]:
    schemas = operation_schemas(load_service_operation(service, operation))
    return {path: Draft202012Validator(opened(s) if open_objects else s) for path, s in schemas.items()}


def validator(op: ServiceOperation, path: str, *, open_objects: bool = False) -> Draft202012Validator:
    """The compiled validator of one contract file of ``op`` (``request/query.schema.json``, ...);
    ``open_objects``: of its :func:`opened` form."""
    return _validators(op.service_name, op.name, open_objects)[path]


# Validators whose messages name keys, never values.
_NAMES_ONLY = frozenset({"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"})


def _sensitive_paths(
    shape: botocore.model.Shape, value: Any, path: tuple[str | int, ...]
) -> list[tuple[str | int, ...]]:
    """Where in ``value`` the model's ``sensitive`` values are (any depth)."""
    if shape.metadata.get("sensitive"):
        return [path]
    found: list[tuple[str | int, ...]] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in value:
                found += _sensitive_paths(member, value[key], (*path, key))
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found += _sensitive_paths(shape.member, item, (*path, index))
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += _sensitive_paths(shape.value, item, (*path, key))
    return found


def _top_level_sensitive(
    bindings: tuple[Binding, ...], instance: Any, lower: bool = False
) -> list[tuple[str | int, ...]]:
    if not isinstance(instance, dict):
        return []
    found: list[tuple[str | int, ...]] = []
    for binding in bindings:
        key = binding.wire_name.lower() if lower else binding.wire_name
        if key in instance:
            found += _sensitive_paths(binding.shape, instance[key], (key,))
    return found


def _body_sensitive(payload: Binding | None, members: tuple[Binding, ...], body: Any) -> list[tuple[str | int, ...]]:
    if payload is not None:
        return _sensitive_paths(payload.shape, body, ())
    return _top_level_sensitive(members, body)


def _judge(
    checks: list[tuple[str, Draft202012Validator, Any, list[tuple[str | int, ...]]]],
) -> list[str]:
    problems = []
    for location, schema, instance, secret_paths in checks:
        for error in schema.iter_errors(instance):
            at = tuple(error.absolute_path)
            where = "/".join(str(p) for p in at)
            related = any(s[: len(at)] == at or at[: len(s)] == s for s in secret_paths)
            # A sensitive value never reaches a message (jsonschema quotes the instance).
            if related and error.validator not in _NAMES_ONLY:
                message = f"a sensitive value fails {error.validator!r}"
            else:
                message = error.message
            problems.append(f"{location}{'/' + where if where else ''}: {message}")
    return sorted(problems)


def request_errors(op: ServiceOperation, parts: RequestParts, *, ignore_unknown: bool = False) -> list[str]:
    """Every way ``parts`` break the request contracts, one readable line each (empty: conforming);
    ``ignore_unknown``: judged as a server judges them, unknown members ignored (:func:`opened`)."""

    def judged(name: str) -> Draft202012Validator:
        return validator(op, f"request/{name}.schema.json", open_objects=ignore_unknown)

    checks = [
        ("path", judged("path"), parts.path, _top_level_sensitive(op.labels, parts.path)),
        ("query", judged("query"), parts.query, _top_level_sensitive(op.query, parts.query)),
        ("headers", judged("headers"), parts.headers, _top_level_sensitive(op.headers, parts.headers, lower=True)),
    ]
    if op.has_request_body and parts.body_error is None:
        body_secrets = _body_sensitive(op.payload, op.body, parts.body)
        checks.append(("body", judged("body"), parts.body, body_secrets))
    problems = _judge(checks)
    return sorted(problems + ([f"body: {parts.body_error}"] if parts.body_error else []))


def response_errors(op: ServiceOperation, parts: ResponseParts) -> list[str]:
    """Every way a success response breaks the output contracts (status, headers, body)."""
    checks = [
        ("status", validator(op, "response/status.schema.json"), parts.status, []),
        (
            "headers",
            validator(op, "response/headers.schema.json"),
            parts.headers,
            _top_level_sensitive(op.output_headers, parts.headers, lower=True),
        ),
    ]
    if "response/body.schema.json" in _validators(op.service_name, op.name) and parts.body_error is None:
        body_secrets = _body_sensitive(op.output_payload, op.output_body, parts.body)
        checks.append(("body", validator(op, "response/body.schema.json"), parts.body, body_secrets))
    problems = _judge(checks)
    return sorted(problems + ([f"body: {parts.body_error}"] if parts.body_error else []))
