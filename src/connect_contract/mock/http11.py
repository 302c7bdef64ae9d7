"""How the mock's connections are read: uvicorn's h11 protocol, bounded, answering typed errors.

uvicorn offers the bounds but not the answers: ``h11_max_incomplete_event_size`` caps the request head,
yet the refusal is an untyped ``text/plain`` 400; a connection is only timed out when it is idle *between*
requests (``timeout_keep_alive``), so a client that sends half a request holds its socket forever; and
``limit_concurrency`` answers an untyped 503.  This subclass keeps uvicorn's parsing and adds:

- request heads over ``max_header_bytes`` (request line + headers, as front ends count) -> 431, typed;
- any other malformed HTTP -> 400 ``BadRequestException``, typed, with a request id;
- a request (head and body) not fully received ``read_timeout`` seconds after the connection opened or the
  previous answer was sent -> 408 ``RequestTimeoutException``, connection closed (silently if nothing came);
- more than ``max_connections`` open connections -> the newest gets 503 ``MockConnectionLimitExceeded``.

h11 rather than httptools (``benchmarks/mock_memory.py`` prints the measurement): h11 enforces the head limit
while reading and stays flat under 2 MB heads, where httptools -- with a bare app too -- grows by hundreds of
MB; and h11 answers a POST carrying ``Upgrade`` whole, where httptools hands its body to the protocol it
would upgrade to.  The price is CPU: about 90 us more per request (``mock_throughput.py --served``).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from connect_contract.mock import responses as r


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int = 64 * 1024  # request line + headers: what AWS and most front ends allow
    read_timeout: float = 30.0  # seconds for a whole request (head and body) to arrive
    keep_alive: int = 5  # seconds an idle connection is kept between requests (uvicorn's default)
    max_connections: int = 512

    def __post_init__(self) -> None:
        if self.max_header_bytes < 1024 or self.read_timeout <= 0 or self.keep_alive < 1 or self.max_connections < 1:
            raise ValueError("max_header_bytes >= 1024, read_timeout > 0, keep_alive >= 1, max_connections >= 1")

    def uvicorn_settings(self) -> dict[str, Any]:
        """uvicorn.Config keyword arguments for these limits (the protocol class reads the rest itself)."""
        return {
            "http": protocol_for(self),
            "ws": "none",  # HTTP only: an Upgrade header is ignored (RFC 9110 section 7.8), never acted on
            "h11_max_incomplete_event_size": self.max_header_bytes,
            "timeout_keep_alive": self.keep_alive,
        }


def _raw_response(name: str, message: str) -> bytes:
    """A typed error written straight to the socket (these answers come before, or instead of, a request)."""
    reply = r.error_reply(name, message)
    head = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}".encode()]
    head += [header + b": " + value for header, value in reply.wire_headers()]
    head.append(b"connection: close")
    return b"\r\n".join(head) + b"\r\n\r\n" + reply.body


def head_size(request: h11.Request) -> int:
    """The request line and headers as sent (give or take optional whitespace)."""
    line = len(request.method) + len(request.target) + 11  # "M T HTTP/1.1\r\n"
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers) + 2


class BoundedH11Protocol(H11Protocol):
    """uvicorn's H11Protocol with the limits of :class:`ConnectionLimits` (set on a subclass)."""

    limits = ConnectionLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._last_error: h11.RemoteProtocolError | None = None
        self._received_any = False
        self._read_deadline: asyncio.TimerHandle | None = None
        next_event, limit, protocol = self.conn.next_event, self.limits.max_header_bytes, weakref.ref(self)

        def remembering_next_event() -> Any:  # uvicorn drops the error (and its 431 hint) before answering 400
            try:
                event = next_event()
                if isinstance(event, h11.Request) and head_size(event) > limit:
                    # h11 only measures a head that arrives in pieces; one that came whole is measured here
                    raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
            except h11.RemoteProtocolError as exc:
                if (owner := protocol()) is not None:
                    owner._last_error = exc
                raise
            return event

        # (a weak reference: a closure over self would make every connection a reference cycle, its last request
        # head then freed only when the cyclic garbage collector next runs)
        self.conn.next_event = remembering_next_event  # type: ignore[method-assign]
        if len(self.connections) > self.limits.max_connections:
            message = f"The mock holds at most {self.limits.max_connections} connections; retry later"
            self._refuse(r.TOO_MANY_CONNECTIONS, message)
            return
        self._arm_read_deadline()

    def _refuse(self, name: str, message: str) -> None:
        if not self.transport.is_closing():
            self.transport.write(_raw_response(name, message))
            self.transport.close()

    def _arm_read_deadline(self) -> None:
        self._cancel_read_deadline()
        self._received_any = False
        self._read_deadline = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)

    def _cancel_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self.cycle is not None and self.cycle.response_started and not self.cycle.response_complete:
            return  # the answer is on its way (e.g. an injected delay): not the client's slowness
        if not self._received_any:
            self.transport.close()  # nothing was asked: an idle connection is closed without a word
            return
        message = f"The request was not fully received within {self.limits.read_timeout:g} s"
        self._refuse(r.REQUEST_TIMEOUT, message)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return  # refused or timed out: what still arrives is not read
        if data:
            self._received_any = True
        super().data_received(data)
        if self._request_received():
            self._cancel_read_deadline()  # the whole request is in: the app's time is not the client's

    def _request_received(self) -> bool:
        cycle = self.cycle  # (the previous request's, answered, until the next request's head is parsed)
        return cycle is not None and not cycle.more_body and not cycle.response_complete

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_read_deadline()  # the next request's clock (uvicorn's keep-alive covers a silent client)
            if self._request_received():  # a pipelined request, already read in full
                self._cancel_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_deadline()
        # uvicorn cancels its keep-alive timer only on a clean close; after a reset the timer keeps the protocol
        # (and its last request's headers) alive for timeout_keep_alive seconds more.
        self._unset_keepalive_if_required()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        error = self._last_error
        if error is not None and error.error_status_hint == 431:
            message = f"The request line and headers exceed {self.limits.max_header_bytes} bytes"
            self._refuse(r.HEADERS_TOO_LARGE, message)
        else:
            detail = f": {error}" if error is not None and str(error) else ""
            self._refuse(r.BAD_REQUEST, f"Malformed HTTP/1.1 request{detail}")


def protocol_for(limits: ConnectionLimits) -> type[BoundedH11Protocol]:
    """A protocol class bound to ``limits`` (uvicorn instantiates it per connection, with no extra arguments)."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"limits": limits})
