"""Is a request valid input for the operation?  The one judge used for vectors and generated cases.

Schemathesis' own "positive"/"negative" label is not trusted: a negative case is sometimes valid
(the negation landed somewhere a server cannot see), and for a *server* the contract is looser than
the request schema a *client* must follow:

- unknown members are not errors (servers may ignore them), so they never make a request invalid;
- a member that is JSON ``null`` is absent (restJson1), so ``{"Code": null}`` is valid;
- string lengths count code points (Python's ``len``, which is what jsonschema uses).

One ambiguity is reported as ``"either"`` rather than guessed: a pattern anchored with ``$`` and a
value ending in a newline, which Python's and Java's regex engines accept and ECMA's rejects.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from connect_contract.contracts import documents, sensitive_request_members
from connect_contract.contracts.parts import request_parts, validator
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import is_json_request_media_type, parse_json
from connect_contract.server.transport import Intent

parse_body = parse_json  # the old name (render.py imports it from here); the fact lives in protocol.py


@cache
def _server_validator() -> Draft202012Validator:
    schema = dict(documents()["request.schema.json"])
    schema["additionalProperties"] = True
    return Draft202012Validator(schema)


def classify(
    method: str, url: str, headers: Mapping[str, str], body: bytes, operation: ServiceOperation | None = None
) -> Intent:
    """Valid, invalid or either input for ``operation`` (``None``: the mission operation), or ``foreign``.

    The mission operation keeps its own judge, built on its committed request contract (base paths
    allowed, the ``$``-newline ambiguity reported as ``either``); any other operation is judged by its
    per-location contracts (:func:`classify_operation`).
    """
    op = operation if operation is not None else mission_operation()
    if op is not mission_operation():
        return classify_operation(op, method, url, headers, body)
    # endswith: an endpoint may live under a base path (a proxy, an API gateway stage)
    if method.upper() != op.http_method or not urlsplit(url).path.endswith(op.request_uri):
        return "foreign"
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if not is_json_request_media_type(content_type):
        return "invalid"
    ok, document = parse_body(body)
    if not ok or not isinstance(document, dict):
        return "invalid"
    present = {key: value for key, value in document.items() if value is not None}
    if not _server_validator().is_valid(present):
        return "invalid"
    if _newline_ambiguity(op, present):
        return "either"
    return "valid"


def _newline_ambiguity(op: ServiceOperation, document: Mapping[str, Any]) -> bool:
    for binding in op.body:
        value = document.get(binding.wire_name)
        pattern = binding.shape.metadata.get("pattern")
        if pattern and pattern.endswith("$") and isinstance(value, str) and value.endswith("\n"):
            return True
    return False


def sensitive_values(body: bytes) -> frozenset[str]:
    """The string values of sensitive members in a JSON object body (what must never come back).

    A value that also appears inside a non-sensitive member's value is left out: a server may echo
    ``State`` in a message, and generated cases often reuse one value for several members.
    """
    ok, document = parse_body(body)
    if not ok or not isinstance(document, dict):
        return frozenset()
    from connect_contract.server.model_vectors import in_the_clear, split_strings

    sensitive = sensitive_request_members()
    # Everything else is in the clear: other members' strings at any depth (an invalid case's object
    # too), and every key.
    public = split_strings(None, {k: v for k, v in document.items() if k not in sensitive})[1]
    found = {value for key, value in document.items() if key in sensitive and isinstance(value, str)}
    return frozenset(found - in_the_clear(found, public))


# --- any other operation ----------------------------------------------------------------------------


def _known_query(op: ServiceOperation, query: dict[str, Any]) -> dict[str, Any]:
    """The query parameters the model binds: unknown ones are ignored by a server, never invalid."""
    if op.query_map is not None:
        return query
    bound = {b.wire_name for b in op.query} | {key for key, _ in op.fixed_query}
    return {key: value for key, value in query.items() if key in bound}


def classify_operation(op: ServiceOperation, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Intent:
    """Valid or invalid input for ``op`` as a *server* must judge it, by the per-location contracts.

    Unknown query parameters, headers and body members are ignored (never invalid); a JSON ``null``
    top-level body member is absent.  A request for another method or path is ``foreign``.
    """
    split = urlsplit(url)
    target = split.path + (f"?{split.query}" if split.query else "")
    if method.upper() != op.http_method:
        return "foreign"
    try:
        parts = request_parts(op, target, headers, body)
    except ValueError:
        return "foreign"
    checks: list[tuple[str, Any]] = [
        ("request/path.schema.json", parts.path),
        ("request/query.schema.json", _known_query(op, parts.query)),
        ("request/headers.schema.json", parts.headers),
    ]
    # A JSON body: body members, or a structure/union/document payload (restJson1 "Content-Type": its
    # Content-Type is application/json as well, so the same media-type and framing rules hold).
    json_payload = op.payload is not None and op.payload.type_name == "structure" and not op.payload.event_stream
    if op.has_request_body and (op.payload is None or json_payload):
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if body and not body.strip():
            # Only white space: not JSON, yet a server may read it as no body at all (Smithy has no test
            # for it), so either answer is right as long as it is not a 5xx.
            return "either"
        if body and not is_json_request_media_type(content_type):
            return "invalid"
        if parts.body_error is not None:
            return "invalid"
        document_payload = op.payload is not None and bool(op.payload.shape.metadata.get("document"))
        if body and parts.body is None and not document_payload:  # JSON `null`: not an object (the mission's)
            return "invalid"
        if op.payload is not None:
            if parts.body is not None and not document_payload and not isinstance(parts.body, dict):
                return "invalid"
            if parts.body is not None:
                checks.append(("request/body.schema.json", parts.body))
        else:
            document = parts.body if parts.body is not None else {}
            if not isinstance(document, dict):
                return "invalid"
            checks.append(("request/body.schema.json", {k: v for k, v in document.items() if v is not None}))
    elif op.payload is not None and parts.body_error is None and parts.body is not None:
        checks.append(("request/body.schema.json", parts.body))
    for path, instance in checks:
        if any(error.validator != "additionalProperties" for error in validator(op, path).iter_errors(instance)):
            return "invalid"
    return "valid"


def operation_secrets(op: ServiceOperation, url: str, body: bytes) -> frozenset[str]:
    """The sensitive values a request for ``op`` carries (labels, query and JSON body, any depth).

    A value the same request also sends in a member that is not sensitive (generated cases reuse
    values: a label and a sensitive body member alike) is left out: a server may send that member
    back, and doing so leaks nothing the request did not already send in the clear.
    """
    from connect_contract.server.model_vectors import in_the_clear, split_strings

    split = urlsplit(url)
    found: set[str] = set()
    plain: set[str] = set()
    try:
        parts = request_parts(op, split.path + (f"?{split.query}" if split.query else ""), {}, body)
    except ValueError:
        return frozenset()
    body_members = parts.body if isinstance(parts.body, dict) else {}
    located = [(op.labels, parts.path), (op.query, parts.query), (op.body, body_members)]
    for bindings, values in located:
        for binding in bindings:
            sensitive, clear = split_strings(binding.shape, values.get(binding.wire_name))
            found |= sensitive
            plain |= clear
    # Members the model does not bind (unknown keys of the body) are in the clear too.
    known = {binding.wire_name for binding in op.body}
    if op.payload is None:
        plain |= split_strings(None, {key: value for key, value in body_members.items() if key not in known})[1]
    return frozenset(value for value in found - in_the_clear(found, plain) if value)
