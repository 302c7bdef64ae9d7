"""JSON Schemas (2020-12) for any rest-json operation: one per request location, the output, each error.

Built from botocore's shapes and the location each member travels in (:mod:`connect_contract.operations`).
Values are described as a reader of that location sees them once decoded (:mod:`.parts` does the
decoding): labels, query values and headers are text on the wire, so their schemas speak of the typed
value the text stands for (``3`` for an integer label, ``true`` for a boolean header), as OpenAPI
parameters do.  Timestamps keep their wire form, whose default differs by location
(Smithy ``@timestampFormat``; restjson-bindings.md §1-§4): epoch seconds (a number) in a JSON body,
IMF-fixdate in headers, RFC 3339 in labels and query strings.

Structures go into ``$defs`` (OpenAPI: ``components/schemas``) and are referenced, so recursive shapes
terminate.  Request-side structures are closed (a client must send exactly the model's names) and
response-side ones open (clients must ignore unknown members); the two variants get different keys.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.model

from connect_contract.operations import Binding, ModeledError, ServiceOperation
from connect_contract.operations.patterns import intended_pattern

Document = dict[str, Any]
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SENSITIVE_KEYWORD = "x-aws-sensitive"

# Wire forms of a timestamp (botocore's timestampFormat names).
ISO8601_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
HTTP_DATE_PATTERN = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"
BASE64_PATTERN = r"^[A-Za-z0-9+/]*={0,2}$"
# Non-finite floats travel as these strings, in bodies as in text locations (RestJsonSupportsNaNFloat*).
NON_FINITE_FLOATS = ("NaN", "Infinity", "-Infinity")
DEFAULT_TIMESTAMP_FORMAT = {"body": "unixTimestamp", "payload": "unixTimestamp", "header": "rfc822"}  # else iso8601


class SchemaBuilder:
    """Turns botocore shapes into JSON Schema, collecting structures under ``defs``."""

    def __init__(self, ref_root: str = "#/$defs/") -> None:
        self.ref_root = ref_root
        self.defs: dict[str, Document] = {}

    def member(self, shape: botocore.model.Shape, *, location: str, closed: bool) -> Document:
        """The schema of one member's value in ``location`` (``body`` for anything nested in JSON)."""
        schema = self._value(shape, location=location, closed=closed)
        if shape.metadata.get("sensitive"):
            schema = {**schema, SENSITIVE_KEYWORD: True}
        return schema

    def _value(self, shape: botocore.model.Shape, *, location: str, closed: bool) -> Document:
        meta = shape.metadata
        kind = shape.type_name
        if kind == "structure":
            if shape.serialization.get("eventstream"):  # binary event frames; their events are not JSON
                return {"$comment": "AWS event stream", "contentMediaType": "application/vnd.amazon.eventstream"}
            if shape.is_document_type:
                return {"$comment": "Smithy document: any JSON value"}
            return {"$ref": self.ref_root + self._structure(shape, closed=closed)}
        schema: Document
        if kind == "string":
            schema = {"type": "string"}
            if shape.serialization.get("jsonvalue"):
                # @mediaType("application/json") in a header: base64 of the JSON text.
                return {"type": "string", "contentEncoding": "base64", "contentMediaType": "application/json"}
            if meta.get("enum"):
                schema["enum"] = list(meta["enum"])
            _bounds(schema, meta, "minLength", "maxLength")
            if meta.get("pattern"):
                pattern = intended_pattern(meta["pattern"])  # as the service enforces it (operations/patterns.py)
                schema[_pattern_keyword(pattern)] = pattern
            return schema
        if kind in ("integer", "long"):
            return _bounds({"type": "integer"}, meta, "minimum", "maximum")
        if kind in ("float", "double"):
            return {
                "anyOf": [_bounds({"type": "number"}, meta, "minimum", "maximum"), {"enum": list(NON_FINITE_FLOATS)}]
            }
        if kind == "boolean":
            return {"type": "boolean"}
        if kind == "timestamp":
            return _timestamp(shape, location)
        if kind == "blob":
            if location == "payload":
                return {"contentMediaType": "application/octet-stream", "$comment": "raw bytes"}
            schema = {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN}
            # min/max count bytes; base64 text of n bytes has 4*ceil(n/3) characters.
            if "min" in meta:
                schema["minLength"] = 4 * -(-int(meta["min"]) // 3)
            if "max" in meta:
                schema["maxLength"] = 4 * -(-int(meta["max"]) // 3)
            return schema
        if kind == "list":
            item_location = location if location in ("header", "query", "label") else "body"
            schema = {"type": "array", "items": self.member(shape.member, location=item_location, closed=closed)}
            return _bounds(schema, meta, "minItems", "maxItems")
        if kind == "map":
            schema = {
                "type": "object",
                "additionalProperties": self.member(shape.value, location=location, closed=closed),
            }
            keys = self._value(shape.key, location="body", closed=closed)
            keys.pop("type", None)
            if keys:
                schema["propertyNames"] = keys
            return _bounds(schema, meta, "minProperties", "maxProperties")
        raise ValueError(f"unsupported shape type {kind!r} ({shape.name})")

    def _structure(self, shape: botocore.model.StructureShape, *, closed: bool) -> str:
        key = f"{shape.name}.request" if closed else shape.name
        if key in self.defs:
            return key
        self.defs[key] = {}  # placeholder: a recursive reference finds the key and stops here
        self.defs[key] = self.object_of(
            [_nested_binding(name, member, shape) for name, member in shape.members.items()],
            closed=closed,
            location="body",
        )
        if shape.metadata.get("union"):  # a Smithy union: exactly one member is set
            self.defs[key].update(minProperties=1, maxProperties=1)
        return key

    def object_of(self, bindings: list[Binding] | tuple[Binding, ...], *, closed: bool, location: str) -> Document:
        """An object whose properties are ``bindings`` by wire name (lower-cased for headers)."""
        schema: Document = {
            "type": "object",
            "properties": {_key(b, location): self.member(b.shape, location=location, closed=closed) for b in bindings},
        }
        required = sorted(_key(b, location) for b in bindings if b.required)
        if required:
            schema["required"] = required
        schema["additionalProperties"] = not closed
        return schema


def _nested_binding(name: str, member: botocore.model.Shape, parent: botocore.model.StructureShape) -> Binding:
    return Binding(
        name=name,
        wire_name=member.serialization.get("name", name),
        location="body",
        shape=member,
        required=name in parent.required_members,
    )


def _key(binding: Binding, location: str) -> str:
    return binding.wire_name.lower() if location == "header" else binding.wire_name


@cache
def _pattern_keyword(pattern: str) -> str:
    """``pattern``, or ``x-aws-pattern`` for one Python's ``re`` cannot compile.

    Model patterns are ECMA-262; some use Unicode property escapes (``\\p{L}``, ``\\P{C}``) that Python's
    ``re`` (which jsonschema and openapi-spec-validator use) rejects, which would make the whole schema
    invalid.  Those are kept for the record but not enforced.
    """
    try:
        re.compile(pattern)
    except re.error:
        return "x-aws-pattern"
    return "pattern"


def _bounds(schema: Document, meta: dict[str, Any], low: str, high: str) -> Document:
    if "min" in meta:
        schema[low] = meta["min"]
    if "max" in meta:
        schema[high] = meta["max"]
    return schema


def timestamp_format(shape: botocore.model.Shape, location: str) -> str:
    explicit = shape.serialization.get("timestampFormat")
    return str(explicit) if explicit else DEFAULT_TIMESTAMP_FORMAT.get(location, "iso8601")


def _timestamp(shape: botocore.model.Shape, location: str) -> Document:
    form = timestamp_format(shape, location)
    if form == "unixTimestamp":
        return {"type": "number", "x-aws-timestamp-format": form}
    if form == "rfc822":
        return {"type": "string", "pattern": HTTP_DATE_PATTERN, "x-aws-timestamp-format": form}
    return {"type": "string", "format": "date-time", "pattern": ISO8601_PATTERN, "x-aws-timestamp-format": form}


def _escape(text: str) -> str:
    """Escape for an ECMA-262 regular expression (what JSON Schema patterns are)."""
    return "".join("\\" + char if char in r"\^$.|?*+()[]{}/" else char for char in text)


# -- the parts of one operation ---------------------------------------------------------------------


def request_path(op: ServiceOperation, builder: SchemaBuilder) -> Document:
    schema = builder.object_of(op.labels, closed=True, location="label")
    if op.labels:
        schema["required"] = sorted(b.wire_name for b in op.labels)  # a label is always present
    greedy = [b.wire_name for b in op.greedy_labels]
    if greedy:
        schema["x-aws-greedy-labels"] = greedy
    return schema


def request_query(op: ServiceOperation, builder: SchemaBuilder) -> Document:
    schema = builder.object_of(op.query, closed=True, location="query")
    for key, value in op.fixed_query:  # literal in requestUri, always sent
        schema["properties"][key] = {"const": value, "x-aws-fixed-query": True}
        schema["required"] = sorted({*schema.get("required", ()), key})
    if op.query_map is not None:  # @httpQueryParams: every other key is an entry of this map
        schema["additionalProperties"] = builder.member(op.query_map.shape.value, location="query", closed=True)
        schema["x-aws-query-map"] = op.query_map.name
    return schema


def headers_schema(
    bindings: tuple[Binding, ...], prefixes: tuple[Binding, ...], builder: SchemaBuilder, *, closed: bool
) -> Document:
    """Header names lower-cased (they are case-insensitive); other headers are always allowed."""
    schema = builder.object_of(bindings, closed=False, location="header")
    for prefix in prefixes:
        value = builder.member(prefix.shape.value, location="header", closed=closed)
        schema.setdefault("patternProperties", {})["^" + _escape(prefix.wire_name.lower())] = value
        schema.setdefault("x-aws-prefix-headers", {})[prefix.wire_name.lower()] = prefix.name
    return schema


def request_body(op: ServiceOperation, builder: SchemaBuilder) -> Document | None:
    payload = op.payload
    if payload is not None:
        return builder.member(payload.shape, location="payload", closed=True)
    if op.body:
        return builder.object_of(op.body, closed=True, location="body")
    return None


def response_status(op: ServiceOperation) -> Document:
    if op.status_member is not None:  # @httpResponseCode: the member is whatever 2xx the server sends
        return {"type": "integer", "minimum": 200, "maximum": 299, "x-aws-status-member": op.status_member.name}
    return {"type": "integer", "const": op.response_code}


def response_body(op: ServiceOperation, builder: SchemaBuilder) -> Document | None:
    payload = op.output_payload
    if payload is not None:
        return builder.member(payload.shape, location="payload", closed=False)
    if op.has_json_output_body:
        return builder.object_of(op.output_body, closed=False, location="body")
    return None


def error_body(error: ModeledError, builder: SchemaBuilder) -> Document:
    bindings = [_nested_binding(name, member, error.shape) for name, member in error.shape.members.items()]
    body = [b for b in bindings if "location" not in b.shape.serialization]
    return builder.object_of(body, closed=False, location="body")


def standalone(schema: Document, builder: SchemaBuilder, title: str, description: str) -> Document:
    document: Document = {"$schema": JSON_SCHEMA_DIALECT, "title": title, "description": description, **schema}
    if builder.defs:
        document["$defs"] = builder.defs
    return document


def operation_schemas(op: ServiceOperation) -> dict[str, Document]:
    """Every JSON Schema of ``op``, keyed by its path relative to the operation's contract directory."""
    origin = f"{op.service_name}:{op.name} ({op.http_method} {op.request_uri}); generated from botocore's model"
    out: dict[str, Document] = {}

    def add(path: str, make: Any, what: str) -> None:
        builder = SchemaBuilder()
        schema = make(builder)
        if schema is not None:
            out[path] = standalone(schema, builder, f"{op.name} {what}", f"{what[0].upper()}{what[1:]} of {origin}.")

    add("request/path.schema.json", lambda b: request_path(op, b), "request URI labels (percent-decoded)")
    add("request/query.schema.json", lambda b: request_query(op, b), "request query parameters (decoded)")
    add(
        "request/headers.schema.json",
        lambda b: headers_schema(op.headers, op.prefix_headers, b, closed=True),
        "request headers (names lower-cased)",
    )
    add("request/body.schema.json", lambda b: request_body(op, b), f"request body ({op.request_media_type})")
    add("response/status.schema.json", lambda _b: response_status(op), "response status")
    add(
        "response/headers.schema.json",
        lambda b: headers_schema(op.output_headers, op.output_prefix_headers, b, closed=False),
        "response headers (names lower-cased)",
    )
    add("response/body.schema.json", lambda b: response_body(op, b), f"response body ({op.response_media_type})")
    for error in op.errors:
        add(
            f"errors/{error.name}.schema.json",
            lambda b, e=error: error_body(e, b),
            f"{error.name} body (HTTP {error.status})",
        )
    return out
