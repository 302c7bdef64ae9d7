"""Generate the contract documents (JSON Schemas, OpenAPI 3.1 fragment, sensitive list) from the model.

Every document is a pure function of :class:`connect_contract.model.Operation`, rendered with sorted
keys and a fixed indent so that regenerating from the same model changes nothing on disk.
"""

from __future__ import annotations

import json
from typing import Any

from connect_contract.model import ErrorShape, Operation, Shape

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ERROR_TYPE_HEADER = "X-Amzn-Errortype"
REQUEST_ID_HEADER = "x-amzn-RequestId"
SENSITIVE_KEYWORD = "x-aws-sensitive"

Document = dict[str, Any]


def shape_schema(shape: Shape, *, closed: bool) -> Document:
    """JSON Schema for one shape.

    ``closed`` decides ``additionalProperties`` for structures: requests are closed (a client must
    send exactly the model's names), responses are open (clients must ignore unknown members).
    """
    schema: Document = {}
    if shape.type == "structure":
        schema["type"] = "object"
        schema["properties"] = {m.name: shape_schema(m.shape, closed=closed) for m in shape.members}
        if shape.required:
            schema["required"] = sorted(shape.required)
        schema["additionalProperties"] = not closed
        if shape.union:  # a Smithy union: exactly one member is set
            schema["minProperties"] = 1
            schema["maxProperties"] = 1
    elif shape.type == "string":
        schema["type"] = "string"
        if shape.enum:
            schema["enum"] = list(shape.enum)
    elif shape.type in ("integer", "long"):
        schema["type"] = "integer"
    elif shape.type in ("float", "double"):
        schema["type"] = "number"
    elif shape.type == "boolean":
        schema["type"] = "boolean"
    elif shape.type == "list":
        schema["type"] = "array"
    elif shape.type == "map":
        schema["type"] = "object"
    else:  # pragma: no cover - not reachable for this operation; fail loudly if the model grows one
        raise ValueError(f"unsupported shape type {shape.type!r} ({shape.name})")
    if shape.min_length is not None:
        schema["minLength" if shape.type == "string" else "minItems"] = shape.min_length
    if shape.max_length is not None:
        schema["maxLength" if shape.type == "string" else "maxItems"] = shape.max_length
    if shape.pattern is not None:
        schema["pattern"] = shape.pattern
    if shape.sensitive:
        schema[SENSITIVE_KEYWORD] = True
    return schema


def _standalone(schema: Document, title: str, description: str) -> Document:
    return {"$schema": JSON_SCHEMA_DIALECT, "title": title, "description": description, **schema}


def request_schema(op: Operation) -> Document:
    return _standalone(
        shape_schema(op.input, closed=True),
        op.input.name,
        f"Request body of {op.name} ({op.http_method} {op.request_uri}); generated from botocore's model.",
    )


def response_schema(op: Operation) -> Document:
    return _standalone(
        shape_schema(op.output, closed=False),
        op.output.name,
        f"Success body of {op.name}: an empty structure; clients must accept {{}} and ignore unknown members.",
    )


def error_schema(error: ErrorShape) -> Document:
    return _standalone(
        shape_schema(error.shape, closed=False),
        error.name,
        f"Body of {error.name} (HTTP {error.status}); the type travels in the {ERROR_TYPE_HEADER} header.",
    )


def sensitive_members(op: Operation) -> Document:
    return {
        "operation": op.name,
        "request": [m.name for m in op.input_members if m.sensitive],
        "response": [m.name for m in op.output.members if m.sensitive],
        "errors": {e.name: [m.name for m in e.shape.members if m.sensitive] for e in op.errors},
    }


def _errors_by_status(op: Operation) -> dict[int, list[ErrorShape]]:
    grouped: dict[int, list[ErrorShape]] = {}
    for error in op.errors:
        grouped.setdefault(error.status, []).append(error)
    return grouped


def error_response(
    names: list[str], refs: list[Document], type_description: str = "The error type (the modeled shape name)."
) -> Document:
    """The OpenAPI response for the errors that share one status: their type header, the request id,
    and their bodies (``refs``, one schema reference per name)."""
    return {
        "description": " or ".join(names)
        + (". The status never identifies the error; the error type header does." if len(names) > 1 else "."),
        "headers": {
            ERROR_TYPE_HEADER: {
                "description": type_description,
                "required": True,
                "schema": {"type": "string", "enum": names},
            },
            REQUEST_ID_HEADER: {"description": "Request id.", "schema": {"type": "string"}},
        },
        "content": {"application/json": {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}},
    }


def _error_response(errors: list[ErrorShape]) -> Document:
    names = [e.name for e in errors]
    return error_response(names, [{"$ref": f"#/components/schemas/{name}"} for name in names])


def openapi_fragment(op: Operation) -> Document:
    components: Document = {
        op.input.name: shape_schema(op.input, closed=True),
        op.output.name: shape_schema(op.output, closed=False),
    }
    for error in op.errors:
        components[error.name] = shape_schema(error.shape, closed=False)
    responses: Document = {
        "200": {
            "description": "Acknowledged: an empty JSON object.",
            "headers": {REQUEST_ID_HEADER: {"description": "Request id.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.output.name}"}}},
        }
    }
    for status, errors in sorted(_errors_by_status(op).items()):
        responses[str(status)] = _error_response(errors)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{op.service_id} {op.name}",
            "version": op.api_version,
            "description": (
                f"Fragment of the {op.service_id} {op.protocol} API ({op.service_name}), "
                "generated from botocore's model."
            ),
        },
        "paths": {
            op.request_uri: {
                op.http_method.lower(): {
                    "operationId": op.name,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.input.name}"}}},
                    },
                    "responses": responses,
                    "security": [{"sigv4": []}],
                }
            }
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": f"AWS Signature Version 4, signing name {op.signing_name!r}.",
                }
            },
        },
    }


def build_documents(op: Operation) -> dict[str, Document]:
    """Every generated document, keyed by its path relative to ``contracts/``."""
    documents: dict[str, Document] = {
        "request.schema.json": request_schema(op),
        "response.schema.json": response_schema(op),
        "openapi.json": openapi_fragment(op),
        "sensitive.json": sensitive_members(op),
    }
    for error in op.errors:
        documents[f"errors/{error.name}.schema.json"] = error_schema(error)
    return documents


def render(document: Document) -> str:
    """Stable text: sorted keys, two-space indent, ASCII only, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
