"""OpenAPI 3.1 documents for rest-json operations: one per operation, or one per service.

AWS publishes none.  Each operation becomes one path item method with its labels, query and header
parameters, its request body (media type by payload: JSON, ``application/octet-stream`` for blobs,
``text/plain`` for strings), its success response (``2XX`` when an ``@httpResponseCode`` member carries
the status) and one response per modeled error status, typed by the ``X-Amzn-Errortype`` header.
What OpenAPI cannot say is kept in ``x-aws-*`` extensions: greedy labels (``{Name+}``, whose value
keeps ``/``), prefix headers, and fixed query literals, which stay in the path key so that
``POST /restapis`` and ``POST /restapis?mode=import`` remain two operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The header names live with the original generator until protocol.py (merged separately) takes them.
from connect_contract.contracts.generate import REQUEST_ID_HEADER, error_response
from connect_contract.contracts.schemas import (
    Document,
    SchemaBuilder,
    error_body,
    request_body,
    response_body,
)
from connect_contract.operations import Binding, ModeledError, ServiceOperation

_GREEDY = re.compile(r"\{([^}]+)\+\}")


def path_key(op: ServiceOperation) -> str:
    """The OpenAPI path: ``{Name+}`` becomes ``{Name}``, a fixed query literal stays."""
    path = _GREEDY.sub(r"{\1}", op.path_template)
    literal = "&".join(f"{k}={v}" if v else k for k, v in op.fixed_query)
    return f"{path}?{literal}" if literal else path


def _parameter(binding: Binding, where: str, builder: SchemaBuilder) -> Document:
    location = {"path": "label", "query": "query", "header": "header"}[where]
    parameter: Document = {
        "name": binding.wire_name,
        "in": where,
        "required": True if where == "path" else binding.required,
        "schema": builder.member(binding.shape, location=location, closed=True),
    }
    if binding.type_name in ("list", "map") and where == "query":
        parameter.update(style="form", explode=True)  # repeated keys / one key per map entry
    if binding.greedy:
        parameter["description"] = (
            f"Greedy label ({{{binding.wire_name}+}}): the value may contain '/', kept unencoded."
        )
        parameter["x-aws-greedy"] = True
    return parameter


def _content(media_type: str | None, schema: Document | None) -> Document:
    if media_type is None or schema is None:
        return {}
    return {media_type: {"schema": schema}}


def _success(op: ServiceOperation, builder: SchemaBuilder) -> tuple[str, Document]:
    headers: Document = {REQUEST_ID_HEADER: {"description": "Request id.", "schema": {"type": "string"}}}
    for binding in op.output_headers:
        headers[binding.wire_name] = {"schema": builder.member(binding.shape, location="header", closed=False)}
    response: Document = {"description": f"{op.name} succeeded.", "headers": headers}
    content = _content(op.response_media_type, response_body(op, builder))
    if content:
        response["content"] = content
    if op.output_prefix_headers:
        response["x-aws-prefix-headers"] = {b.wire_name: b.name for b in op.output_prefix_headers}
    if op.status_member is not None:
        response["x-aws-status-member"] = op.status_member.name
        return "2XX", response
    return str(op.response_code), response


def _errors(errors: tuple[ModeledError, ...], builder: SchemaBuilder) -> dict[str, Document]:
    by_status: dict[int, list[ModeledError]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    responses: dict[str, Document] = {}
    for status, group in sorted(by_status.items()):
        names = sorted(e.name for e in group)
        refs = []
        for error in sorted(group, key=lambda e: e.name):
            key = f"{error.name}.error"
            if key not in builder.defs:
                builder.defs[key] = error_body(error, builder)
            refs.append({"$ref": builder.ref_root + key})
        responses[str(status)] = error_response(names, refs, "The error type (the modeled name).")
    return responses


def operation_object(op: ServiceOperation, builder: SchemaBuilder) -> Document:
    parameters = [_parameter(b, "path", builder) for b in op.labels]
    parameters += [_parameter(b, "query", builder) for b in op.query]
    if op.query_map is not None:
        parameters.append(_parameter(op.query_map, "query", builder))
    parameters += [_parameter(b, "header", builder) for b in op.headers]
    item: Document = {"operationId": op.name, "responses": {}, "security": [{"sigv4": []}]}
    if parameters:
        item["parameters"] = parameters
    content = _content(op.request_media_type, request_body(op, builder))
    if content:
        required = op.payload.required if op.payload is not None else True  # body members: always `{}` at least
        item["requestBody"] = {"required": required, "content": content}
    if op.prefix_headers:  # one header per map entry, named prefix + key: OpenAPI has no way to say it
        item["x-aws-prefix-headers"] = {
            b.wire_name: builder.member(b.shape.value, location="header", closed=True) for b in op.prefix_headers
        }
    status, success = _success(op, builder)
    item["responses"] = {status: success, **_errors(op.errors, builder)}
    idempotent = [b.name for b in op.idempotency_tokens]
    if idempotent:
        item["x-aws-idempotency-tokens"] = idempotent
    if op.paginator:
        item["x-aws-paginator"] = op.paginator
    return item


def openapi_document(operations: Iterable[ServiceOperation], *, title: str | None = None) -> Document:
    """One OpenAPI 3.1 document covering ``operations`` (all of one service)."""
    ops = sorted(operations, key=lambda o: o.name)
    if not ops:
        raise ValueError("no operation to document")
    first = ops[0]
    builder = SchemaBuilder("#/components/schemas/")
    paths: dict[str, Document] = {}
    for op in ops:
        if op.service_name != first.service_name:
            raise ValueError(f"one service per document: {first.service_name} and {op.service_name}")
        methods = paths.setdefault(path_key(op), {})
        method = op.http_method.lower()
        if method in methods:  # two operations on one route: never silently drop one
            raise ValueError(f"{op.name} and {methods[method]['operationId']} share {method.upper()} {path_key(op)}")
        methods[method] = operation_object(op, builder)
    service = first.service
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title or f"{service.service_id} ({first.service_name})",
            "version": service.api_version,
            "description": (
                f"{len(ops)} operation(s) of the {service.service_id} rest-json API, generated from botocore's model."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": builder.defs,
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": f"AWS Signature Version 4, signing name {first.signing_name!r}.",
                }
            },
        },
    }
