"""A correct multi-operation rest-json reference server, and its one-defect twins.

``make_app(defect)`` serves a handful of operations chosen to cover the binding kinds (labels, query
scalars and lists, JSON bodies, outputs with structures, lists, timestamps; a paginated list; a
greedy label with output headers in another service) -- the correct server plus exactly one defect
(``None`` = correct).  It is a plain ASGI app, and every fact it uses comes from botocore's model:
routes, member types, limits, modeled errors and statuses, output members and their wire formats.
Input is judged against the per-operation contracts (:mod:`connect_contract.contracts.parts`, the
contract files, not the checks); outputs are model-valid values (:mod:`connect_contract.server.inputs`)
serialized as restJson1 says.

``CATALOGUE`` maps each defect to ``(operation, check id that must catch it)``.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import json
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import botocore.model

from connect_contract.contracts.parts import request_parts, validator
from connect_contract.contracts.schemas import timestamp_format
from connect_contract.operations import ServiceOperation, load_service_operation
from connect_contract.server.inputs import structure_value

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

OPERATIONS: tuple[ServiceOperation, ...] = (
    load_service_operation("connect", "DescribeInstance"),  # label, structure output with timestamps
    load_service_operation("connect", "ListInstances"),  # query scalars, paginated list output
    load_service_operation("connect", "CreateInstance"),  # JSON body: enum, booleans, map, pattern
    load_service_operation("connect", "TagResource"),  # label holding an ARN, map body
    load_service_operation("connect", "UntagResource"),  # query list (repeated keys)
    load_service_operation("mediastore-data", "DescribeObject"),  # HEAD, greedy label, output headers
)
COLLECTION_SIZE = 3  # items ListInstances pages through

# defect -> (operation, the check id that must fail because of it)
CATALOGUE: dict[str, tuple[str, str]] = {
    "label_left_percent_encoded": ("DescribeInstance", "label_percent_decoding"),
    "numeric_range_not_checked": ("ListInstances", "rejects_invalid"),
    "repeated_query_keys_read_as_one": ("UntagResource", "rejects_invalid"),
    "output_member_misnamed": ("DescribeInstance", "success_members"),
    "output_member_wrong_type": ("DescribeInstance", "success_output"),
    "timestamp_in_wrong_format": ("ListInstances", "success_output"),
    "modeled_error_wrong_status": ("CreateInstance", "error_status"),
    "repeating_next_token": ("ListInstances", "pagination_token"),
    "output_header_wrong_format": ("DescribeObject", "success_output"),
    "success_with_wrong_status": ("CreateInstance", "success_status"),
    "error_union_member_flattened": ("DescribeInstance", "error_members"),
}


def _json_value(shape: botocore.model.Shape, value: Any, defect: str | None) -> Any:
    """``value`` as restJson1 puts it in a JSON body (timestamps epoch seconds unless the model says otherwise)."""
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict):
        return {
            shape.members[name].serialization.get("name", name): _json_value(shape.members[name], item, defect)
            for name, item in value.items()
        }
    if isinstance(shape, botocore.model.ListShape):
        return [_json_value(shape.member, item, defect) for item in value]
    if isinstance(shape, botocore.model.MapShape):
        return {key: _json_value(shape.value, item, defect) for key, item in value.items()}
    if shape.type_name == "timestamp":
        form = timestamp_format(shape, "body")
        if form == "unixTimestamp" and defect != "timestamp_in_wrong_format":
            return int(value.timestamp())
        return value.isoformat().replace("+00:00", "Z")
    if shape.type_name == "blob":
        return base64.b64encode(value).decode("ascii")
    return value


def _header_value(shape: botocore.model.Shape, value: Any, defect: str | None) -> str:
    if shape.type_name == "timestamp":
        if defect == "output_header_wrong_format":
            return str(int(value.timestamp()))  # epoch seconds where the model says http-date
        return email.utils.format_datetime(value, usegmt=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _output(op: ServiceOperation, query: dict[str, Any], defect: str | None) -> tuple[int, dict[str, str], Any]:
    """The success answer: status, output headers, JSON body (``None``: no body)."""
    shape = op.model.output_shape
    value = structure_value(shape, full=True) if shape is not None else {}
    if op.paginator is not None:
        value = _page(op, value, query, defect)
    headers = {b.wire_name: _header_value(b.shape, value[b.name], defect) for b in op.output_headers if b.name in value}
    status = op.response_code
    if defect == "success_with_wrong_status":
        status = 201 if status == 200 else 200
    if not op.has_json_output_body:
        return status, headers, None
    body = {b.wire_name: _json_value(b.shape, value[b.name], defect) for b in op.output_body if b.name in value}
    if defect == "output_member_misnamed" and body:
        first = next(iter(body))
        body[first[0].lower() + first[1:]] = body.pop(first)
    if defect == "output_member_wrong_type":
        _first_boolean_as_text(body)
    return status, headers, body


def _first_boolean_as_text(document: Any) -> bool:
    if isinstance(document, dict):
        for key, item in document.items():
            if isinstance(item, bool):
                document[key] = "true" if item else "false"
                return True
            if _first_boolean_as_text(item):
                return True
    if isinstance(document, list):
        return any(_first_boolean_as_text(item) for item in document)
    return False


def _page(op: ServiceOperation, value: dict[str, Any], query: dict[str, Any], defect: str | None) -> dict[str, Any]:
    assert op.paginator is not None
    result_key, output_token = op.paginator["result_key"], op.paginator["output_token"]
    limit = op.model.input_shape.members[op.paginator["limit_key"]]
    item = value[result_key][0]
    start = int(query.get(op.model.input_shape.members[op.paginator["input_token"]].serialization["name"], 0))
    size = int(query.get(limit.serialization["name"], limit.metadata.get("max", 10)))
    page = [item] * max(0, min(size, COLLECTION_SIZE - start))
    value = {**value, result_key: page}
    value.pop(output_token, None)
    if start + size < COLLECTION_SIZE:
        value[output_token] = "1" if defect == "repeating_next_token" else str(start + size)
    return value


def _query_values(op: ServiceOperation, parts_query: dict[str, Any], defect: str | None) -> dict[str, Any]:
    bound = {b.wire_name: b for b in op.query}
    query = {key: value for key, value in parts_query.items() if key in bound}  # unknown ones are ignored
    if defect == "repeated_query_keys_read_as_one":
        query = {key: value[0] if isinstance(value, list) and value else value for key, value in query.items()}
        query = {key: [value] if bound[key].type_name == "list" else value for key, value in query.items()}
    return query


def problems(op: ServiceOperation, target: str, headers: dict[str, str], body: bytes, defect: str | None) -> bool:
    """Whether the request breaks the operation's input contract (unknown query keys, headers and body
    members are ignored; ``null`` is absent)."""
    parts = request_parts(op, target, headers, body)
    query = _query_values(op, parts.query, defect)
    checks: list[tuple[str, Any]] = [
        ("request/path.schema.json", parts.path),
        ("request/query.schema.json", query),
        ("request/headers.schema.json", parts.headers),
    ]
    if op.body:
        if parts.body_error is not None or not isinstance(parts.body if parts.body is not None else {}, dict):
            return True
        checks.append(("request/body.schema.json", {k: v for k, v in (parts.body or {}).items() if v is not None}))
    ignored = {"additionalProperties"}
    if defect == "numeric_range_not_checked":
        ignored |= {"minimum", "maximum"}
    return any(
        error.validator not in ignored
        for path, instance in checks
        for error in validator(op, path).iter_errors(instance)
    )


def _route(method: str, path: str) -> ServiceOperation | None:
    for op in OPERATIONS:
        if op.http_method != method:
            continue
        try:
            request_parts(op, path, {}, b"")
        except ValueError:
            continue
        return op
    return None


def make_app(defect: str | None = None) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    assert defect is None or defect in CATALOGUE, defect

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1")
        if defect == "label_left_percent_encoded":
            path = path.replace("%", "%25")  # the labels are read as sent, still percent-encoded
        query_string = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query_string}" if query_string else "")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        op = _route(method, path)
        if op is None:
            await _answer(send, 404, {"X-Amzn-Errortype": "UnknownOperationException"}, {"message": "no such route"})
            return
        content_type = headers.get("content-type", "")
        if op.body and body and content_type.split(";")[0].strip() != "application/json":
            await _error(send, op, "UnsupportedMediaTypeException", 415, method)
            return
        if problems(op, target, headers, body, defect):
            error = next(e for e in op.errors if e.status == 400)
            status = 422 if defect == "modeled_error_wrong_status" else error.status
            await _error(send, op, error.name, status, method, defect)
            return
        parts = request_parts(op, target, headers, body)
        query = _query_values(op, parts.query, defect)
        if op.paginator is not None and not _known_token(op, query):
            error = next(e for e in op.errors if e.status == 400)
            await _error(send, op, error.name, error.status, method)
            return
        status, out_headers, document = _output(op, query, defect)
        await _answer(send, status, out_headers, document, head=method == "HEAD")

    return app


def _known_token(op: ServiceOperation, query: dict[str, Any]) -> bool:
    assert op.paginator is not None
    name = op.model.input_shape.members[op.paginator["input_token"]].serialization["name"]
    return name not in query or query[name] in {str(n) for n in range(1, COLLECTION_SIZE)}


async def _error(
    send: Send, op: ServiceOperation, name: str, status: int, method: str, defect: str | None = None
) -> None:
    document: dict[str, Any] = {"Message": f"{name} ({op.name})"}
    shape = next((e.shape for e in op.errors if e.name == name), None)  # None: a protocol error
    if defect == "error_union_member_flattened" and shape is not None and "Reason" in shape.members:
        # The union (connect's InvalidRequestExceptionReason) sent as its member's bare enum value, not an object.
        member = next(iter(shape.members["Reason"].members.values()))
        document["Reason"] = member.metadata["enum"][0]
    await _answer(send, status, {"X-Amzn-Errortype": name}, document, head=method == "HEAD")


async def _answer(send: Send, status: int, headers: dict[str, str], document: Any, *, head: bool = False) -> None:
    payload = b"" if document is None else json.dumps(document).encode("utf-8")
    out = [
        (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
        (b"date", email.utils.format_datetime(datetime.datetime.now(datetime.UTC), usegmt=True).encode()),
    ]
    if document is not None:
        out += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    out += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items() if k.lower() != "content-length"
    ]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": b"" if head else payload})
