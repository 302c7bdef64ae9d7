"""A correct reference server for UpdateParticipantAuthentication, its broken twins and its legitimate variants.

``make_app(defect)`` is the correct server plus exactly one defect (``None`` = correct);
``make_app(variant=...)`` is the correct server plus one *legitimate* difference, one that every
client following the Smithy restJson1 client rules reads correctly.  It is a plain ASGI app (no
framework) so each difference is one visible ``if``.  Every fact (members, limits, patterns, error
names and statuses, the path) comes from the model.  Servers that cannot even speak HTTP (hang,
reset, garbage) are raw sockets: :func:`serve_raw`.

``CATALOGUE`` maps each defect to the check that must catch it; ``LEGITIMATE`` maps each variant to
the recommended checks it is allowed to fail (none: it passes ``--strict`` too).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import socketserver
import struct
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.model import load_operation
from connect_contract.serving import LOOPBACK

OP = load_operation()
PARAMETER_ERROR = "InvalidParameterException"
assert PARAMETER_ERROR in OP.error_names  # the reference server's choice for input problems
# A modeled error whose status differs from the parameter error's (for the wrong-status defect).
OTHER_STATUS = next(e.status for e in OP.errors if e.status != OP.error(PARAMETER_ERROR).status and e.status < 500)
FIRST_OPTIONAL = OP.optional_members[0].name
FIRST_PATTERNED = next(m for m in OP.input_members if m.shape.pattern)
SLOW_SECONDS = 2.3  # the ReDoS-shaped vectors allow 2 s

# defect -> the check id that must fail because of it
CATALOGUE: dict[str, str] = {
    "server_error_on_bad_json": "no_server_error",
    "no_max_length_check": "rejects_invalid",
    "required_member_not_enforced": "rejects_invalid",
    "no_pattern_check": "rejects_invalid",
    "no_error_type_header": "error_type",  # and none in the body either: no resolvable type at all
    "error_type_not_a_name": "error_type",
    "namespaced_error_type": "error_type_style",  # clients read it; new servers SHOULD NOT send it
    "wrong_status_for_type": "error_status",
    "non_json_success_body": "success_body",
    "unknown_success_member": "success_members",
    "answers_501_html_to_valid": "accepts_valid",
    "error_body_as_amz_json": "json_media_type",
    "echoes_sensitive_value": "no_secret_echo",
    "server_error_when_optional_absent": "no_server_error",
    "status_201": "success_status",
    "counts_utf8_bytes": "code_point_length",
    "unmodeled_error_for_valid_input": "accepts_valid",
    "html_error_page": "error_body",
    "no_request_id": "request_id",
    "lowercase_message": "error_message",
    "slow_on_redos_shaped_input": "bounded_time",
    "error_message_not_a_string": "error_members",
}
RAW_CATALOGUE: dict[str, str] = {"hang": "responds", "reset": "responds", "garbage": "responds"}

# variant -> the recommended checks it fails (the difference is a SHOULD/style matter), or none.
CORAL_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.validate/"
NAMESPACE = "com.amazonaws.connect#"
LEGITIMATE: dict[str, frozenset[str]] = {
    "type_header_with_uri_suffix": frozenset({"error_type_style"}),
    "type_header_namespaced": frozenset({"error_type_style"}),
    "type_header_namespaced_with_uri_suffix": frozenset({"error_type_style"}),
    "type_in_body_code": frozenset({"error_type_style"}),
    "type_in_body_code_namespaced": frozenset({"error_type_style"}),
    "type_in_body_dunder_type": frozenset({"error_type_style"}),
    "type_in_body_dunder_type_namespaced": frozenset({"error_type_style"}),
    "error_body_as_amz_json": frozenset({"json_media_type"}),
    "error_body_as_text_plain": frozenset({"json_media_type"}),  # clients parse the body whatever its type
    "json_with_charset": frozenset(),
    "throttles_every_nth_request": frozenset(),
    "smithy_validation_exception": frozenset(),
    # Members the error shape lacks (AWS services send a lowercase `message`, request ids, ...): clients ignore
    # them (error_members passes); only the modeled `Message`'s absence is a recommendation.
    "error_members_the_shape_lacks": frozenset({"error_message"}),
}
THROTTLE_EVERY = 5  # the throttling variant answers every 5th request 429 ThrottlingException (modeled)
THROTTLING_ERROR = "ThrottlingException"
assert OP.error(THROTTLING_ERROR).status == 429


def _validate(document: dict[str, Any], defect: str | None) -> str | None:
    """The first problem with the members (a message naming member and constraint), or None."""
    for member in OP.input_members:
        value = document.get(member.name)
        shape = member.shape
        if value is None:
            if member.required and defect != "required_member_not_enforced":
                return f"{member.name} is required"
            continue
        if not isinstance(value, str):
            return f"{member.name} must be a string"
        length = len(value.encode("utf-8")) if defect == "counts_utf8_bytes" else len(value)
        echo = f" (got {value!r})" if defect == "echoes_sensitive_value" else ""
        if shape.min_length is not None and length < shape.min_length:
            return f"{member.name} is shorter than {shape.min_length}{echo}"
        if shape.max_length is not None and length > shape.max_length and defect != "no_max_length_check":
            return f"{member.name} is longer than {shape.max_length}{echo}"
        if (
            shape.pattern
            and not re.fullmatch(shape.pattern.rstrip("$").lstrip("^"), value)
            and defect != "no_pattern_check"
        ):
            return f"{member.name} does not match its pattern{echo}"
    return None


def _error(
    name: str, message: str, defect: str | None, variant: str | None, json_type: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The reference server's error answer, with the defect's or the variant's difference."""
    status = OP.error(name).status if name in OP.error_names else _PROTOCOL[name]
    if defect == "wrong_status_for_type" and name == PARAMETER_ERROR:
        status = OTHER_STATUS
    if defect == "html_error_page":
        page = f"<html><body><h1>{status}</h1></body></html>".encode()
        return status, [(b"content-type", b"text/html")], page
    amz_json = defect == "error_body_as_amz_json" or variant == "error_body_as_amz_json"
    if variant == "error_body_as_text_plain":
        json_type = b"text/plain"
    headers = [(b"content-type", b"application/x-amz-json-1.1" if amz_json else json_type)]
    body: dict[str, Any] = {"message" if defect == "lowercase_message" else "Message": message}
    if defect == "error_message_not_a_string":
        body = {"Message": [message]}  # a framework's list of messages where the model has one string
    if variant == "error_members_the_shape_lacks":
        body = {"message": message, "errorCode": name, "requestId": str(uuid.uuid4())}
    if name == "ValidationException" and variant == "smithy_validation_exception":
        # smithy.framework#ValidationException: lowercase `message` and `fieldList` (its own shape)
        body = {
            "message": f"1 validation error detected: {message}",
            "fieldList": [{"path": "/" + message.split(" ", 1)[0], "message": message}],
        }
    sent_type = {
        "namespaced_error_type": NAMESPACE + name,
        "error_type_not_a_name": "Bad Request",
    }.get(defect or "", name)
    where, sent_type = {
        "type_header_with_uri_suffix": ("header", name + CORAL_SUFFIX),
        "type_header_namespaced": ("header", NAMESPACE + name),
        "type_header_namespaced_with_uri_suffix": ("header", NAMESPACE + name + CORAL_SUFFIX),
        "type_in_body_code": ("code", name),
        "type_in_body_code_namespaced": ("code", NAMESPACE + name),
        "type_in_body_dunder_type": ("__type", name),
        "type_in_body_dunder_type_namespaced": ("__type", NAMESPACE + name),
    }.get(variant or "", ("header", sent_type))
    if where != "header":
        body[where] = sent_type
    elif defect != "no_error_type_header":
        headers.append((ERROR_TYPE_HEADER.encode(), sent_type.encode()))
    return status, headers, json.dumps(body).encode()


def make_app(defect: str | None = None, *, variant: str | None = None) -> Any:
    if defect is not None and defect not in CATALOGUE:
        raise ValueError(f"unknown defect {defect!r}")
    if variant is not None and variant not in LEGITIMATE:
        raise ValueError(f"unknown variant {variant!r}")
    json_type = b"application/json; charset=utf-8" if variant == "json_with_charset" else b"application/json"
    requests_seen = [0]

    def error(name: str, message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return _error(name, message, defect, variant, json_type)

    def answer(method: str, path: str, content_type: str, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        requests_seen[0] += 1
        if variant == "throttles_every_nth_request" and requests_seen[0] % THROTTLE_EVERY == 0:
            return error(THROTTLING_ERROR, "Rate exceeded")  # a front end throttles before anything else
        if path != OP.request_uri:
            return error("UnknownOperationException", "no such operation")
        if method != OP.http_method:
            return error("MethodNotAllowedException", "method not allowed")
        if content_type.split(";", maxsplit=1)[0].strip().lower() != "application/json":
            return error("UnsupportedMediaTypeException", "Content-Type must be application/json")
        try:
            document = json.loads(body, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError:
            if defect == "server_error_on_bad_json":
                return error("InternalServiceException", "unexpected error")
            return error("SerializationException", "the body is not valid JSON")
        if not isinstance(document, dict):
            return error("SerializationException", "the body is not a JSON object")
        problem = _validate(document, defect)
        if problem:
            return error(
                "ValidationException" if variant == "smithy_validation_exception" else PARAMETER_ERROR, problem
            )
        if defect == "server_error_when_optional_absent" and document.get(FIRST_OPTIONAL) is None:
            return error("InternalServiceException", "unexpected error")
        if defect == "unmodeled_error_for_valid_input" and document.get(FIRST_OPTIONAL) is None:
            return error("ValidationException", "rejected")
        if defect == "non_json_success_body":
            return 200, [(b"content-type", b"text/plain")], b"OK"
        if defect == "answers_501_html_to_valid":  # like `python3 -m http.server`: no POST support at all
            return 501, [(b"content-type", b"text/html")], b"<html><body>501 Unsupported method</body></html>"
        if defect == "unknown_success_member":
            return 200, [(b"content-type", json_type)], b'{"Status": "AUTHENTICATED"}'
        return (201 if defect == "status_201" else 200), [(b"content-type", json_type)], b"{}"

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_body = b"".join(chunks)
        if defect == "slow_on_redos_shaped_input" and _far_too_long(request_body):
            await asyncio.sleep(SLOW_SECONDS)  # stands in for a backtracking regex: same symptom, no CPU burnt
        status, out, body = answer(scope["method"], scope["path"], headers.get("content-type", ""), request_body)
        if defect != "no_request_id":
            out.append((REQUEST_ID_HEADER.encode(), str(uuid.uuid4()).encode()))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})

    return app


def _far_too_long(body: bytes) -> bool:
    """A body whose first patterned member is far beyond its limit (only the long ReDoS-shaped vector)."""
    try:
        value = json.loads(body).get(FIRST_PATTERNED.name)
    except (ValueError, AttributeError):
        return False
    return isinstance(value, str) and len(value) > 10 * (FIRST_PATTERNED.shape.max_length or 0)


# Protocol errors the reference server answers before validation (Smithy restJson1 / AWS front end).
_PROTOCOL = {
    "SerializationException": 400,
    "UnsupportedMediaTypeException": 415,
    "UnknownOperationException": 404,
    "MethodNotAllowedException": 405,
    "ValidationException": 400,
}


@contextmanager
def serve_raw(behaviour: str) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that reads a request, then hangs, resets, or answers garbage."""
    if behaviour not in RAW_CATALOGUE:
        raise ValueError(f"unknown raw behaviour {behaviour!r}")
    closing = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.settimeout(5)
            try:
                while not closing.is_set():
                    data = sock.recv(65536)
                    if not data:
                        return
                    if behaviour == "hang":
                        closing.wait(30)
                        return
                    if behaviour == "reset":  # SO_LINGER 0: close() sends RST instead of FIN
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    sock.sendall(b"\x8f\x00\xffNOT HTTP AT ALL\x00\r\n\r\n\xfe\xfd")
                    return
            except OSError:
                return

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        closing.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
