"""A small correct upstream for any rest-json operation: a plain ASGI app answering model-valid outputs.

The built-in mock serves only the mission operation in this branch, so recording other operations
through the proxy needs an upstream that speaks them.  This one routes each request by the model's
URI templates (:mod:`connect_contract.cassettes.routing`), judges it against the operation's
request contracts (a broken request gets the operation's first modeled 400 error, as a real
service would), and otherwise answers the operation's output built by the model-valid generator
(:mod:`connect_contract.cassettes.inputs`): every output member, serialized as restJson1 does
(body members as JSON, timestamps as epoch seconds unless ``timestampFormat`` says otherwise, blobs
in base64, header members as headers, the status from ``responseCode``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from functools import cache
from typing import Any

import botocore.model

from connect_contract.asgi import Receive, Scope, Send, serve_lifespan
from connect_contract.cassettes.inputs import value_for
from connect_contract.cassettes.routing import Router, service_router
from connect_contract.contracts.parts import request_errors, request_parts
from connect_contract.contracts.schemas import timestamp_format
from connect_contract.operations import Binding, ServiceOperation
from connect_contract.protocol import ERROR_TYPE_HEADER


def _json_value(shape: botocore.model.Shape, value: Any, location: str = "body") -> Any:
    if isinstance(value, dt.datetime):
        fmt = timestamp_format(shape, location)
        if fmt == "iso8601":
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        if fmt == "rfc822":
            return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return int(value.timestamp())
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict):
        return {
            shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v) for k, v in value.items()
        }
    if isinstance(shape, botocore.model.ListShape) and isinstance(value, list):
        return [_json_value(shape.member, v) for v in value]
    if isinstance(shape, botocore.model.MapShape) and isinstance(value, dict):
        return {k: _json_value(shape.value, v) for k, v in value.items()}
    return value


def _header_text(binding: Binding, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(binding, v) for v in value)
    encoded = _json_value(binding.shape, value, "header")
    return str(encoded)


@cache
def output_of(op: ServiceOperation) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    """The operation's success answer: status, headers, body (every member, model-valid)."""
    shape = op.model.output_shape
    params = value_for(shape, every_member=True) if shape is not None else None
    params = params or {}
    if op.name == "DescribeUser":
        # The generator gives every E.164 member one number; the sensitive PhoneConfig.DeskPhoneNumber and the
        # plain IdentityInfo.Mobile would share it, and a cassette must keep the plain one (as a real user's differ).
        params["User"]["IdentityInfo"]["Mobile"] = "+12065550199"
    headers: list[tuple[str, str]] = []
    status = op.response_code
    body: bytes = b""
    document: dict[str, Any] = {}
    for binding in op.output:
        if binding.name not in params:
            continue
        value = params[binding.name]
        if binding.location == "header":
            headers.append((binding.wire_name, _header_text(binding, value)))
        elif binding.location == "status":
            status = 200
        elif binding.location == "payload":
            if isinstance(value, bytes):
                body = value
            elif isinstance(value, str):
                body = value.encode()
            else:
                body = json.dumps(_json_value(binding.shape, value)).encode()
        elif binding.location == "body":
            document[binding.wire_name] = _json_value(binding.shape, value)
    if op.has_json_output_body:
        body = json.dumps(document).encode()
        headers.append(("Content-Type", "application/json"))
    return status, tuple(headers), body


def _modeled_400(op: ServiceOperation) -> str | None:
    return next((e.name for e in op.errors if e.status == 400), None)


class AnyOperationUpstream:
    """The ASGI app.  ``defect`` (for the broken-upstream tests) breaks one thing in every answer."""

    def __init__(self, service: str = "connect", defect: str | None = None) -> None:
        self.router: Router = service_router(service)
        self.defect = defect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        op = self.router.route(scope["method"], raw_path, query)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if op is None:
            status, answer, payload = 404, [(ERROR_TYPE_HEADER, "UnknownOperationException")], b'{"message":"no"}'
        else:
            target = raw_path + (f"?{query}" if query else "")
            problems = request_errors(op, request_parts(op, target, headers, body))
            error = _modeled_400(op)
            if problems and error is not None:
                status, payload = 400, json.dumps({"Message": "the request breaks the contract"}).encode()
                answer = [(ERROR_TYPE_HEADER, error), ("Content-Type", "application/json")]
            else:
                status, fixed, payload = output_of(op)
                answer = list(fixed)
                if self.defect == "wrong_member_type" and payload.startswith(b"{"):
                    document = json.loads(payload)
                    first = next(iter(document), None)
                    if first is not None:
                        document[first] = 12345 if not isinstance(document[first], int | float) else "text"
                        payload = json.dumps(document).encode()
        answer.append(("x-amzn-RequestId", str(uuid.uuid4())))
        answer.append(("Content-Length", str(len(payload))))
        raw = [(k.lower().encode(), v.encode()) for k, v in answer]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})
