"""A correct reference server for UpdateParticipantAuthentication, and its deliberately broken twins.

``make_app(defect)`` is the correct server plus exactly one defect (``None`` = correct).  It is a
plain ASGI app (no framework) so each defect is one visible ``if``.  Every fact (members, limits,
patterns, error names and statuses, the path) comes from the model.  Servers that cannot even
speak HTTP (hang, reset, garbage) are raw sockets: :func:`serve_raw`.

``CATALOGUE`` maps each defect to the check that must catch it.
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
    "no_error_type_header": "error_type",
    "namespaced_error_type": "error_type",
    "wrong_status_for_type": "error_status",
    "non_json_success_body": "success_body",
    "echoes_sensitive_value": "no_secret_echo",
    "server_error_when_optional_absent": "no_server_error",
    "status_201": "success_status",
    "counts_utf8_bytes": "code_point_length",
    "unmodeled_error_for_valid_input": "accepts_valid",
    "html_error_page": "error_body",
    "no_request_id": "request_id",
    "lowercase_message": "error_message",
    "slow_on_redos_shaped_input": "bounded_time",
}
RAW_CATALOGUE: dict[str, str] = {"hang": "responds", "reset": "responds", "garbage": "responds"}


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


def make_app(defect: str | None = None) -> Any:
    if defect is not None and defect not in CATALOGUE:
        raise ValueError(f"unknown defect {defect!r}")

    def error(name: str, message: str, status: int | None = None) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        status = status or (OP.error(name).status if name in OP.error_names else _PROTOCOL[name])
        if defect == "wrong_status_for_type" and name == PARAMETER_ERROR:
            status = OTHER_STATUS
        if defect == "html_error_page":
            page = f"<html><body><h1>{status}</h1></body></html>".encode()
            return status, [(b"content-type", b"text/html")], page
        headers = [(b"content-type", b"application/json")]
        if defect == "namespaced_error_type":
            headers.append((ERROR_TYPE_HEADER.encode(), f"com.amazonaws.connect#{name}".encode()))
        elif defect != "no_error_type_header":
            headers.append((ERROR_TYPE_HEADER.encode(), name.encode()))
        key = "message" if defect == "lowercase_message" else "Message"
        return status, headers, json.dumps({key: message}).encode()

    def answer(method: str, path: str, content_type: str, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
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
            return error(PARAMETER_ERROR, problem)
        if defect == "server_error_when_optional_absent" and document.get(FIRST_OPTIONAL) is None:
            return error("InternalServiceException", "unexpected error")
        if defect == "unmodeled_error_for_valid_input" and document.get(FIRST_OPTIONAL) is None:
            return error("ValidationException", "rejected")
        if defect == "non_json_success_body":
            return 200, [(b"content-type", b"text/plain")], b"OK"
        return (201 if defect == "status_201" else 200), [(b"content-type", b"application/json")], b"{}"

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
