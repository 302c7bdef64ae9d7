"""Reading an HTTP request as the per-location contracts see it, and judging it against them.

A rest-json request spreads one input over four places.  :func:`request_parts` takes the raw
request (method-less: the path and query as sent, headers, body bytes) and returns each place as a
JSON-like instance: labels percent-decoded (a greedy label keeps its ``/``), query values decoded
(``%20`` is a space, ``+`` is a plus: restJson1 never form-encodes), header names lower-cased, and
text turned into the typed value the model says it carries (integers, booleans, finite floats,
comma-separated header lists).  Text that does not parse stays text, so the schema rejects it with
a readable reason instead of this module guessing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import botocore.model
from jsonschema import Draft202012Validator

from connect_contract.contracts.schemas import SENSITIVE_KEYWORD, operation_schemas, timestamp_format
from connect_contract.operations import ServiceOperation, load_service_operation

_INTEGER = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True)
class RequestParts:
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any  # parsed JSON, raw bytes (blob payload), text (string payload), or None when empty


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


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def request_parts(op: ServiceOperation, target: str, headers: Mapping[str, str], body: bytes) -> RequestParts:
    """Split a request (``target`` is the path and query as sent) into the instances the schemas judge."""
    raw_path, _, raw_query = target.partition("?")
    match = _path_pattern(op).match(raw_path)
    if match is None:
        raise ValueError(f"{raw_path!r} does not match {op.path_template!r}")
    # Labels appear in template order, not member order: pair them by name.
    names = re.findall(r"\{([^}+]+)\+?\}", op.path_template)
    by_name = {b.wire_name: b for b in op.labels}
    path = {n: decode_text(by_name[n].shape, unquote(v), "label") for n, v in zip(names, match.groups(), strict=True)}

    query: dict[str, Any] = {}
    grouped: dict[str, list[str]] = {}
    for key, value in _query_pairs(raw_query):
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

    lowered = {name.lower(): value for name, value in headers.items()}
    header_values: dict[str, Any] = dict(lowered)
    for binding in op.headers:
        name = binding.wire_name.lower()
        if name not in lowered:
            continue
        if binding.type_name == "list":
            items = split_header_list(lowered[name])
            header_values[name] = [decode_text(binding.shape.member, item, "header") for item in items]
        else:
            header_values[name] = decode_text(binding.shape, lowered[name], "header")

    return RequestParts(path=path, query=query, headers=header_values, body=_body(op, body))


def _body(op: ServiceOperation, body: bytes) -> Any:
    payload = op.payload
    if payload is not None and payload.type_name == "blob":
        return body
    if not body:
        return None
    if payload is not None and payload.type_name == "string":
        return body.decode("utf-8")
    return json.loads(body)


@cache
def _validators(service: str, operation: str) -> dict[str, Draft202012Validator]:
    schemas = operation_schemas(load_service_operation(service, operation))
    return {path: Draft202012Validator(schema) for path, schema in schemas.items()}


def validator(op: ServiceOperation, path: str) -> Draft202012Validator:
    """The compiled validator of one contract file of ``op`` (``request/query.schema.json``, ...)."""
    return _validators(op.service_name, op.name)[path]


def request_errors(op: ServiceOperation, parts: RequestParts) -> list[str]:
    """Every way ``parts`` break the request contracts, one readable line each (empty: conforming)."""
    problems = []
    instances = {"path": parts.path, "query": parts.query, "headers": parts.headers}
    if op.has_request_body:
        instances["body"] = parts.body
    for location, instance in instances.items():
        for error in validator(op, f"request/{location}.schema.json").iter_errors(instance):
            where = "/".join(str(p) for p in error.absolute_path)
            # A sensitive member's value never reaches a message (jsonschema quotes the instance).
            sensitive = isinstance(error.schema, dict) and error.schema.get(SENSITIVE_KEYWORD)
            message = f"value of a sensitive member fails {error.validator!r}" if sensitive else error.message
            problems.append(f"{location}{'/' + where if where else ''}: {message}")
    return sorted(problems)
