"""The client rules a request can be judged by on its own: what a conforming client's request looks like
whatever the caller asked for.

``check-client`` knows the call (the vector's input) and compares the request with it
(:mod:`.anyjudge`); the proxy (:mod:`connect_contract.proxy.judge`) sees only the wire.  Both judge the
request's *form* with these rules, under ``check-client``'s rule ids, so the same defect gets the same
id from both: the method and path (Smithy http trait), labels percent-encoded with a greedy label's
``/`` kept (RestJsonHttpRequestLabelEscaping, RestJsonHttpRequestWithGreedyLabelInPath), query keys the
model's with fixed literals present and scalars once (RestJsonAllQueryStringTypes), header and query
texts of their member's type, timestamps in their location's format (RestJsonJsonTimestamps,
RestJsonTimestampFormatHeaders), idempotency tokens filled (RestJsonQueryIdempotencyTokenAutoFill),
Content-Type and Content-Length, a JSON body whose keys are the model's, no ``null`` for a member
(RestJsonDoesntSerializeNullStructureValues), values of their member's JSON type and blobs in base64
(RestJsonJsonBlobs).  What needs the call (``req.values``' comparisons, ``req.omitted-absent`` for a
value given the wire cannot tell from none, exact label bytes for a given value) stays in
:mod:`.anyjudge`; the full SigV4 verification needs the secret, so the proxy checks only its scope.

Constraint traits (length, pattern, range, enum, required) are not client rules: a client sends what
it is given, and ``check-client`` never fails one for sending an input the model refuses (the server's
``rejects_invalid`` judges the answer).  Details never quote a value: a member may be ``sensitive``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

import botocore.model

from connect_contract.client.scripted_server import Captured
from connect_contract.client.wire import from_wire, percent_encode
from connect_contract.contracts.parts import HTTP_DATE_ITEM, RequestParts, request_parts, split_header_list, validator
from connect_contract.contracts.schemas import HTTP_DATE_PATTERN, ISO8601_PATTERN, timestamp_format
from connect_contract.operations import ServiceOperation
from connect_contract.protocol import JSON_MEDIA_TYPE, media_type, query_pairs
from connect_contract.sigv4 import parse_authorization

Level = Literal["required", "recommended"]


@dataclass(frozen=True)
class WireProblem:
    rule: str  # check-client's rule id
    detail: str
    level: Level = "required"
    location: str = ""  # "label" for a label's own problems (check-client judges exact bytes only without them)


_FORMATS = {
    "iso8601": re.compile(ISO8601_PATTERN),
    "rfc822": re.compile(HTTP_DATE_PATTERN),
    "unixTimestamp": re.compile(r"^-?[0-9]+(\.[0-9]+)?$"),
}
_INTEGER = re.compile(r"^-?[0-9]+$")
_NON_FINITE = ("NaN", "Infinity", "-Infinity")
# Query parameters of a presigned request (SigV4 query authentication), not the operation's.
_PRESIGN_PREFIX = "x-amz-"


def timestamp_form_ok(shape: botocore.model.Shape, location: str, wire: Any) -> bool:
    """Whether a sent timestamp has its location's format (Smithy @timestampFormat; defaults: epoch
    seconds as a JSON number in a body, IMF-fixdate in headers, RFC 3339 in labels and query strings)."""
    form = timestamp_format(shape, location)
    if location == "body" and form == "unixTimestamp":
        return isinstance(wire, int | float) and not isinstance(wire, bool)
    return isinstance(wire, str) and bool(_FORMATS[form].match(wire))


def text_type_ok(shape: botocore.model.Shape, text: str) -> bool:
    """Whether a label, query or header text can stand for a value of ``shape``'s type."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        return bool(_INTEGER.match(text))
    if kind in ("float", "double"):
        try:
            float(text)
        except ValueError:
            return False
        return text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity") or text in _NON_FINITE
    if kind == "boolean":
        return text in ("true", "false")
    if kind == "string" and shape.serialization.get("jsonvalue"):  # @mediaType JSON in a header: base64 of JSON
        try:
            json.loads(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError, RecursionError):
            return False
    return True


def raw_label(op: ServiceOperation, raw_path: str, wire_name: str) -> str | None:
    """The label's bytes as sent (still percent-encoded)."""
    names = re.findall(r"\{([^}+]+)\+?\}", op.path_template)
    pattern = re.escape(op.path_template)
    for name in names:
        greedy = "{" + name + "+}" in op.path_template
        token = re.escape("{" + name + ("+}" if greedy else "}"))
        pattern = pattern.replace(token, "(.*)" if greedy else "([^/]*)", 1)
    match = re.fullmatch(pattern, raw_path)
    return match.group(names.index(wire_name) + 1) if match and wire_name in names else None


def _labels(op: ServiceOperation, req: Captured) -> list[WireProblem]:
    problems: list[WireProblem] = []
    for binding in op.labels:
        raw = raw_label(op, req.raw_path, binding.wire_name)
        if not raw:
            continue
        found: list[WireProblem] = []
        if binding.greedy and "%2f" in raw.lower():
            found.append(
                WireProblem("req.label", f"{binding.name}: a greedy label keeps / (sent %2F)", location="label")
            )
        if binding.type_name == "timestamp" and not timestamp_form_ok(binding.shape, "label", unquote(raw)):
            form = timestamp_format(binding.shape, "label")
            found.append(WireProblem("req.timestamp-format", f"{binding.name}: not {form}", location="label"))
        elif not text_type_ok(binding.shape, unquote(raw)):
            detail = f"{binding.name}: not the text of a {binding.type_name}"
            found.append(WireProblem("req.label", detail, location="label"))
        if not found and raw != percent_encode(unquote(raw), greedy=binding.greedy):
            detail = f"{binding.name}: label bytes differ from Smithy's encoding (unreserved kept, rest %XX)"
            found.append(WireProblem("req.label-bytes", detail, "recommended", "label"))
        problems += found
    return problems


def _query(op: ServiceOperation, req: Captured) -> list[WireProblem]:
    problems: list[WireProblem] = []
    pairs = query_pairs(req.query)
    sent = [key for key, _ in pairs]
    bound = {b.wire_name: b for b in op.query}
    fixed = dict(op.fixed_query)
    tokens = {b.name for b in op.idempotency_tokens}
    for binding in op.query:
        if binding.name in tokens and binding.wire_name not in sent:
            problems.append(WireProblem("req.idempotency-token", f"query {binding.wire_name}: no token generated"))
        if binding.type_name != "list" and sent.count(binding.wire_name) > 1:
            problems.append(
                WireProblem("req.query", f"{binding.wire_name}: a scalar sent {sent.count(binding.wire_name)} times")
            )
    for key, value in op.fixed_query:
        if (key, value) not in pairs:
            problems.append(WireProblem("req.query", f"the request URI's literal {key}={value} is missing"))
    for key, text in pairs:
        sent_for = bound.get(key)
        if sent_for is None:
            if key not in fixed and op.query_map is None and not key.lower().startswith(_PRESIGN_PREFIX):
                problems.append(WireProblem("req.query", f"{key[:60]!r} is no query member of {op.name}"))
            continue
        shape = sent_for.shape.member if sent_for.type_name == "list" else sent_for.shape
        if shape.type_name == "timestamp":
            if not timestamp_form_ok(shape, "query", text):
                problems.append(
                    WireProblem("req.timestamp-format", f"query {key}: not {timestamp_format(shape, 'query')}")
                )
        elif not text_type_ok(shape, text):
            problems.append(WireProblem("req.query", f"{key}: not the text of a {shape.type_name}"))
    return problems


def _headers(op: ServiceOperation, req: Captured) -> list[WireProblem]:
    problems: list[WireProblem] = []
    tokens = {b.name for b in op.idempotency_tokens}
    for binding in op.headers:
        if binding.wire_name.lower() == "content-type":
            continue  # the media type: judged by req.content-type's own rule
        sent = req.header_values(binding.wire_name)
        if binding.name in tokens and not sent:
            problems.append(WireProblem("req.idempotency-token", f"header {binding.wire_name}: no token generated"))
        if len(sent) > 1:
            problems.append(WireProblem("req.header", f"{binding.wire_name}: expected one header, got {len(sent)}"))
        if len(sent) != 1:
            continue
        text = sent[0].strip()
        if binding.type_name == "list":
            item = binding.shape.member
            items = split_header_list(text)
            if item.type_name == "timestamp":
                items = HTTP_DATE_ITEM.findall(text) or items
            elif text and not all(text_type_ok(item, each) for each in items):
                problems.append(
                    WireProblem("req.header-list", f"{binding.wire_name}: an item is not a {item.type_name}")
                )
        elif binding.type_name == "timestamp":
            if not timestamp_form_ok(binding.shape, "header", text):
                form = timestamp_format(binding.shape, "header")
                problems.append(WireProblem("req.timestamp-format", f"{binding.wire_name}: not {form}"))
        elif not text_type_ok(binding.shape, text):
            problems.append(WireProblem("req.header", f"{binding.wire_name}: not the text of a {binding.type_name}"))
    return problems


def body_timestamp_forms(shape: botocore.model.Shape, wire: Any, where: str) -> list[str]:
    """Paths of body timestamps sent in another format than the model's."""
    kind = shape.type_name
    if wire is None:
        return []
    if kind == "timestamp":
        return [] if timestamp_form_ok(shape, "body", wire) else [where]
    found: list[str] = []
    if kind == "structure" and not shape.is_document_type and isinstance(wire, dict):
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in wire and "location" not in member.serialization:
                found += body_timestamp_forms(member, wire[key], f"{where}.{name}".lstrip("."))
    elif kind == "list" and isinstance(wire, list):
        for index, item in enumerate(wire):
            found += body_timestamp_forms(shape.member, item, f"{where}[{index}]")
    elif kind == "map" and isinstance(wire, dict):
        for key, item in wire.items():
            found += body_timestamp_forms(shape.value, item, f"{where}[{key!r}]")
    return found


def _is_timestamp(schema: Any) -> bool:
    return isinstance(schema, dict) and "x-aws-timestamp-format" in schema


def _number_or_non_finite(value: Any) -> bool:
    """A float member's value: a JSON number (its range is a constraint), or NaN/Infinity as strings."""
    return (isinstance(value, int | float) and not isinstance(value, bool)) or value in _NON_FINITE


def _value_types(op: ServiceOperation, body: Any) -> list[WireProblem]:
    """Body values that are not of their member's JSON type, and blobs that are not base64 (the request body
    contract's ``type`` and base64 keywords only: its constraints are the caller's, timestamps and keys have
    their own rules, and a ``null`` is ``req.omitted-absent``'s)."""
    problems = []
    for error in validator(op, "request/body.schema.json").iter_errors(body):
        if error.instance is None or _is_timestamp(error.schema):
            continue
        where = "/".join(str(p) for p in error.absolute_path) or "the body"
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "type":
            problems.append(WireProblem("req.values", f"{where}: not a JSON {error.validator_value}"))
        elif error.validator == "anyOf" and not _number_or_non_finite(error.instance):  # a float's two forms
            problems.append(WireProblem("req.values", f"{where}: not a JSON number"))
        elif error.validator == "pattern" and schema.get("contentEncoding") == "base64":
            problems.append(WireProblem("req.values", f"{where}: a blob not in base64"))
    return problems


def _has_duplicate_keys(raw: bytes) -> bool:
    """Whether a JSON text repeats a key in one object (a JSON encoder never does; RFC 8259 §4: names SHOULD be
    unique, and readers differ on which one wins) -- check-client's mission judge reads it as no JSON object."""
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        duplicated = duplicated or len({key for key, _ in items}) != len(items)
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return False
    return duplicated


def _body(op: ServiceOperation, req: Captured, parts: RequestParts) -> list[WireProblem]:
    payload = op.payload
    body = parts.body
    if parts.body_error is None and isinstance(body, dict | list) and _has_duplicate_keys(req.body):
        return [WireProblem("req.body-json-object", "the body repeats a key in one object")]
    if payload is not None:
        if payload.type_name in ("blob", "string"):
            return []
        if parts.body_error:
            return [WireProblem("req.body-json-object", parts.body_error)]
        if body is None:
            return []
        _, unknown = from_wire(payload.shape, body)
        problems = (
            [WireProblem("req.keys", f"keys that are not the model's: {', '.join(unknown)[:200]}")] if unknown else []
        )
        return problems + _value_types(op, body)
    if not op.body:
        return (
            []
            if not req.body
            else [WireProblem("req.no-body", f"a {len(req.body)}-byte body for an input with no body members")]
        )
    if parts.body_error:
        return [WireProblem("req.body-json-object", parts.body_error)]
    if not isinstance(body, dict):
        return [WireProblem("req.body-json-object", "the body is not a JSON object")]
    shape = op.model.input_shape
    assert shape is not None
    _, unknown = from_wire(shape, body)
    problems = []
    if unknown:
        problems.append(WireProblem("req.keys", f"keys that are not body members: {', '.join(unknown)[:200]}"))
    top_unknown = {u for u in unknown if "." not in u and "[" not in u}
    names = {b.wire_name: b for b in op.body}
    for key in body:
        if key not in names and key not in top_unknown:
            # A top-level key bound elsewhere (a label, header, query member) is as foreign to the body as any.
            problems.append(WireProblem("req.keys", f"{key} is not a body member (it travels elsewhere)"))
    for where in body_timestamp_forms(shape, body, ""):
        problems.append(WireProblem("req.timestamp-format", f"{where}: not the model's body timestamp format"))
    tokens = {b.name for b in op.idempotency_tokens}
    for binding in op.body:
        if binding.wire_name in body and body[binding.wire_name] is None:
            problems.append(
                WireProblem("req.omitted-absent", f"{binding.name} sent as null (a null member is left out)")
            )
        elif binding.name in tokens and binding.wire_name not in body:
            problems.append(WireProblem("req.idempotency-token", f"{binding.name}: no token generated"))
    return problems + _value_types(op, body)


def judge_form(op: ServiceOperation, req: Captured) -> list[WireProblem]:
    """Every rule the request breaks on its own (no signature: see :func:`judge_signature_scope`)."""
    problems: list[WireProblem] = []
    if req.method != op.http_method:
        problems.append(WireProblem("req.method", f"expected {op.http_method}, got {req.method}"))
    target = req.raw_path + (f"?{req.query}" if req.query else "")
    try:
        parts = request_parts(op, target, dict(req.joined_headers()), req.body)
    except ValueError:
        return [*problems, WireProblem("req.path", f"the path does not match {op.path_template}")]
    problems += _labels(op, req) + _query(op, req) + _headers(op, req)
    json_body = op.body or (op.payload is not None and op.payload.type_name not in ("blob", "string"))
    if json_body and req.body:
        types = req.header_values("content-type")
        given_type = any(b.wire_name.lower() == "content-type" for b in op.headers)
        if not given_type and (len(types) != 1 or media_type(types[0]) != JSON_MEDIA_TYPE):
            detail = f"expected one Content-Type: {JSON_MEDIA_TYPE}, got {types[:2]}"
            problems.append(WireProblem("req.content-type", detail))
    lengths = req.header_values("content-length")
    if req.body and lengths != [str(len(req.body))]:
        detail = f"expected Content-Length: {len(req.body)}, got {lengths or 'none'}"
        problems.append(WireProblem("req.content-length", detail))
    return problems + _body(op, req, parts)


def _signs_with_sigv4(op: ServiceOperation) -> bool:
    return op.model.auth_type != "none" and op.model.service_model.signature_version in ("v4", "s3v4", "v4a")


def judge_signature_scope(op: ServiceOperation, req: Captured) -> list[WireProblem]:
    """What ``req.sigv4`` can tell without the secret: the request is SigV4-signed for the operation's
    signing name (``check-client`` verifies the signature itself, with the credentials it gave)."""
    authorization = req.header_values("authorization")
    if not authorization:
        presigned = any(key.lower() == "x-amz-signature" for key, _ in query_pairs(req.query))
        if presigned or not _signs_with_sigv4(op):
            return []
        return [WireProblem("req.sigv4", f"the request is not signed ({op.name} is signed with SigV4)")]
    parsed = parse_authorization(authorization[0])
    if parsed is None:
        return [WireProblem("req.sigv4", "Authorization is not a SigV4 header")]
    if parsed.service != op.signing_name:
        detail = f"signed for service {parsed.service!r}, but {op.name} is signed as {op.signing_name!r}"
        return [WireProblem("req.sigv4", detail)]
    return []


def judge_wire_request(
    op: ServiceOperation, method: str, path: str, query: str, headers: Sequence[tuple[str, str]], body: bytes
) -> list[WireProblem]:
    """The request as sent (``path`` still percent-encoded, ``query`` the raw query string), judged by
    every rule that needs no knowledge of the call: its form and its signature's scope."""
    req = Captured(method.upper(), path, query, tuple(headers), body, 0.0)
    return judge_form(op, req) + judge_signature_scope(op, req)
