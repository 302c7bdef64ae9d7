"""Building the mock's responses: success, modeled errors, protocol-level errors.

Statuses of modeled errors come from the model.  A handful of answers are *not* modeled for this
operation but are what the AWS front end (or any Smithy restJson1 server) sends before the operation
ever runs: malformed bodies, wrong media types, oversize bodies, missing or bad signatures, unknown
paths and methods.  They are kept here, in one place, so nothing else invents an error name.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from connect_contract import protocol, sigv4
from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.model import load_operation

# --- protocol-level errors (not in the model; see the module docstring and docs/mock.md) ---
# Their names and statuses are the protocol's (connect_contract.protocol); the mock's own are here.
SERIALIZATION = protocol.SERIALIZATION_ERROR  # body is not JSON, or not a JSON object (Smithy restJson1)
UNSUPPORTED_MEDIA_TYPE = protocol.UNSUPPORTED_MEDIA_TYPE_ERROR  # Content-Type is not application/json
REQUEST_TOO_LARGE = protocol.REQUEST_TOO_LARGE_ERROR  # body over the mock's limit; refused unread
UNKNOWN_OPERATION = protocol.UNKNOWN_OPERATION_ERROR  # no operation at this path
METHOD_NOT_ALLOWED = protocol.METHOD_NOT_ALLOWED_ERROR  # the operation's path with another HTTP method
CONTROL_ERROR = "MockControlException"  # misuse of a /_mock control route (the mock's own API, not AWS)
MOCK_FAILURE = "MockInternalFailure"  # a bug in the mock itself; deliberately not the modeled 500
# The connection's limits (connect_contract.mock.http11); answered before the request reaches the mock.
HEADERS_TOO_LARGE = protocol.HEADERS_TOO_LARGE_ERROR  # request line + headers over the limit
BAD_REQUEST = protocol.BAD_REQUEST_ERROR  # not parseable as HTTP/1.1
REQUEST_TIMEOUT = protocol.REQUEST_TIMEOUT_ERROR  # the request did not arrive in time
TOO_MANY_CONNECTIONS = "MockConnectionLimitExceeded"  # the mock's connection cap (a test double's limit)
UNSUPPORTED_UPGRADE = protocol.UNSUPPORTED_UPGRADE_ERROR  # a WebSocket opening handshake: the mock speaks HTTP only
_MOCK_ERRORS: dict[str, int] = {CONTROL_ERROR: 400, MOCK_FAILURE: 500, TOO_MANY_CONNECTIONS: 503}
# The protocol errors this table answers for (mock.anyop sends ValidationException with its own status).
_SENT = (SERIALIZATION, UNSUPPORTED_MEDIA_TYPE, REQUEST_TOO_LARGE, UNKNOWN_OPERATION, METHOD_NOT_ALLOWED)
PROTOCOL_ERRORS: dict[str, int] = {
    **_MOCK_ERRORS,
    **{name: protocol.PROTOCOL_ERROR_STATUSES[name] for name in _SENT},
    **protocol.HTTP_ERROR_STATUSES,
    # SigV4 failures, as the AWS front end reports them (names shared with connect_contract.sigv4).
    **{name: protocol.PROTOCOL_ERROR_STATUSES[name] for name in (sigv4.MISSING, sigv4.UNRECOGNIZED, sigv4.INVALID)},
}

Headers = list[tuple[bytes, bytes]]
JSON_CONTENT_TYPE = (b"content-type", protocol.JSON_MEDIA_TYPE.encode())
ERROR_TYPE = ERROR_TYPE_HEADER.encode()
_ERROR_TYPE = ERROR_TYPE
_REQUEST_ID = REQUEST_ID_HEADER.encode()


@dataclass(frozen=True)
class Reply:
    """A complete HTTP response, minus the request id (added when it is sent)."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @cached_property
    def _fixed_headers(self) -> tuple[Headers, bool]:
        names = {name.lower() for name, _ in self.headers}
        headers = list(self.headers)
        if b"content-length" not in names:
            headers.append((b"content-length", str(len(self.body)).encode()))
        return headers, _REQUEST_ID.lower() not in names

    def wire_headers(self) -> Headers:
        """The headers to send: these, a Content-Length, and a fresh request id unless one is set."""
        headers, needs_id = self._fixed_headers
        return [*headers, (_REQUEST_ID, new_request_id())] if needs_id else headers


class _RequestIds:
    """Request ids unique within this process (the last group counts up: 2**48 ids before one repeats) and
    across processes (the other groups are random, with the UUID version 4 and variant bits set, so every
    id is a well-formed version 4 UUID, as AWS's are; clients treat it as opaque).  Counting instead of
    drawing 16 random bytes per response costs about 0.2 µs instead of 1.1 µs on the mock's hot path
    (benchmarks/mock_throughput.py)."""

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        raw = bytearray(os.urandom(10))
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        h = raw.hex()
        self.prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-".encode()
        self.serial = itertools.count(int.from_bytes(os.urandom(6), "big"))  # the last group, from a random start

    def next(self) -> bytes:
        return b"%b%012x" % (self.prefix, next(self.serial) & 0xFFFF_FFFF_FFFF)


_REQUEST_IDS = _RequestIds()
os.register_at_fork(after_in_child=_REQUEST_IDS.restart)  # a forked worker must not repeat its parent's ids


def new_request_id() -> bytes:
    """A fresh ``x-amzn-RequestId`` value (see :class:`_RequestIds`)."""
    return _REQUEST_IDS.next()


@cache
def error_status(name: str) -> int:
    """The HTTP status of an error: the model's for a modeled error, else the protocol table's."""
    op = load_operation()
    if name in op.error_names:
        return op.error(name).status
    return PROTOCOL_ERRORS[name]


def error_reply(name: str, message: str, extra: dict[str, Any] | None = None) -> Reply:
    """A restJson1 error: status, ``X-Amzn-Errortype``, JSON ``{"Message": ...}`` (+ modeled extras)."""
    body = {"Message": message, **(extra or {})}
    return Reply(error_status(name), (JSON_CONTENT_TYPE, (_ERROR_TYPE, name.encode())), json.dumps(body).encode())


def json_reply(document: Any, status: int = 200) -> Reply:
    return Reply(status, (JSON_CONTENT_TYPE,), json.dumps(document).encode())


SUCCESS = json_reply({})
