"""Hostile HTTP on real sockets: WebSocket upgrades, oversize heads, slow and idle clients, connection floods.

Every answer is typed (``X-Amzn-Errortype``, a request id, a JSON ``Message``), never a 5xx for input, never
a hang; the capture log stays bounded in bytes and ``/_mock/reset`` empties it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from mock_support import Mock
from test_mock_cli import serving

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.mock import ConnectionLimits, MockConfig, create_app, running_mock
from connect_contract.mock import responses as r
from connect_contract.mock.models import CAPTURED_VALUE_BYTES
from connect_contract.model import load_operation

OP = load_operation()
BODY = json.dumps({"InstanceId": "i-1", "State": "s", "Code": "c"}).encode()
HANDSHAKE = (
    b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def post_with(extra: bytes, body: bytes = BODY) -> bytes:
    return (
        f"POST {OP.request_uri} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 80


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response (Content-Length framed), read off a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response head: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def exchange(url: str, *requests_: bytes, timeout: float = 10) -> list[tuple[int, dict[str, str], bytes]]:
    with socket.create_connection(address(url), timeout=timeout) as sock:
        answers = []
        for raw in requests_:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # refused mid-send: answer waits
                sock.sendall(raw)
            answers.append(read_response(sock))
        return answers


def assert_typed(answer: tuple[int, dict[str, str], bytes], status: int, name: str) -> None:
    got_status, headers, body = answer
    assert (got_status, headers.get(ERROR_TYPE_HEADER.lower())) == (status, name), answer
    assert headers.get(REQUEST_ID_HEADER.lower()), answer
    assert isinstance(json.loads(body)["Message"], str)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The mock as `connect-contract serve` runs it (a subprocess: its own uvicorn settings)."""
    with serving() as (url, _process):
        yield url


# --- WebSockets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [b"/chat", OP.request_uri.encode(), b"/_mock/requests"])
def test_a_websocket_handshake_gets_a_typed_4xx_on_any_path(served: str, path: bytes) -> None:
    (answer,) = exchange(served, HANDSHAKE.replace(b"/chat", path))
    assert_typed(answer, 400, r.UNSUPPORTED_UPGRADE)


def test_a_post_carrying_upgrade_is_answered_as_if_it_were_not_there(served: str) -> None:
    upgrade = b"Connection: Upgrade\r\nUpgrade: websocket\r\n"
    answers = exchange(served, post_with(upgrade), post_with(b""), post_with(upgrade))
    assert [status for status, _, _ in answers] == [200, 200, 200]  # and the connection stays usable
    assert all(body == b"{}" and headers.get(REQUEST_ID_HEADER.lower()) for _, headers, body in answers)


def test_the_websocket_scope_is_refused_too_where_a_server_has_websockets_on() -> None:
    from connect_contract.serving import serve_in_thread

    with serve_in_thread(create_app(), settings={"ws": "websockets-sansio"}) as url:
        (answer,) = exchange(url, HANDSHAKE)
    assert_typed(answer, 400, r.UNSUPPORTED_UPGRADE)


# --- the request head's size -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [70 * 1024, 2 * 1024 * 1024], ids=["70KiB", "2MiB"])
def test_a_request_head_over_64_kib_gets_a_typed_431(served: str, size: int) -> None:
    (answer,) = exchange(served, post_with(b"X-Big: " + b"a" * size + b"\r\n"))
    assert_typed(answer, 431, r.HEADERS_TOO_LARGE)


def test_a_head_under_the_limit_is_served(served: str) -> None:
    (answer,) = exchange(served, post_with(b"X-Big: " + b"a" * 60_000 + b"\r\n"))
    assert answer[0] == 200


def test_malformed_http_gets_a_typed_400(served: str) -> None:
    (answer,) = exchange(served, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
    assert_typed(answer, 400, r.BAD_REQUEST)


# --- slow, idle and too many connections --------------------------------------------------------------

LIMITS = ConnectionLimits(read_timeout=0.5, keep_alive=1, max_connections=8)


@pytest.fixture(scope="module")
def strict() -> Iterator[str]:
    with running_mock(limits=LIMITS) as url:
        yield url


@pytest.mark.parametrize(
    "partial",
    [b"POST / HTTP/1.1\r\nHost: x\r\n", post_with(b"").replace(b"}", b"")],
    ids=["half-a-head", "half-a-body"],
)
def test_half_a_request_gets_a_typed_408_within_the_read_timeout(strict: str, partial: bytes) -> None:
    with socket.create_connection(address(strict), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(partial)
        answer = read_response(sock)
        assert sock.recv(1) == b""  # and the connection is closed
    assert_typed(answer, 408, r.REQUEST_TIMEOUT)
    assert time.monotonic() - started < 5


def test_a_client_dripping_its_head_is_cut_off(strict: str) -> None:
    """Each byte resets no clock: the whole request must arrive within the read timeout."""
    with socket.create_connection(address(strict), timeout=10) as sock:
        started = time.monotonic()
        with pytest.raises((BrokenPipeError, ConnectionResetError, AssertionError)):
            for byte in post_with(b"X-Slow: yes\r\n"):
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
    assert time.monotonic() - started < 5


def test_a_silent_connection_is_closed(strict: str) -> None:
    with socket.create_connection(address(strict), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""
    assert time.monotonic() - started < 5


def test_an_injected_delay_is_not_a_read_timeout(strict: str) -> None:
    mock = Mock(strict)
    mock.reset()
    mock.control("POST", "faults", {"delay_ms": 1500}).raise_for_status()
    assert mock.post(BODY).status_code == 200  # 1.5 s of the mock's own time, over a 0.5 s read timeout


def test_connections_over_the_cap_get_a_typed_503_and_the_rest_still_work(strict: str) -> None:
    held = [socket.create_connection(address(strict), timeout=10) for _ in range(LIMITS.max_connections)]
    try:
        time.sleep(0.1)
        with socket.create_connection(address(strict), timeout=10) as extra:
            assert_typed(read_response(extra), 503, r.TOO_MANY_CONNECTIONS)
        held[0].sendall(post_with(b""))
        assert read_response(held[0])[0] == 200
    finally:
        for sock in held:
            sock.close()


# --- the capture log, in bytes ------------------------------------------------------------------------


def test_the_capture_log_cuts_large_values_says_so_and_is_bounded_in_bytes() -> None:
    config = MockConfig(capture_max_bytes=1024 * 1024)
    with running_mock(config) as url:
        mock = Mock(url)
        big = "b" * 60_000
        for _ in range(100):
            assert mock.post(BODY, headers={"X-Big": big}).status_code == 200
        captured = mock.control("GET", "requests").json()["requests"]
        assert 0 < len(captured) < 100  # 100 x ~16 KiB would not fit in 1 MiB
        newest = captured[-1]
        assert newest["truncated"] == {"headers.x-big": 60_000}
        assert newest["headers"]["x-big"] == big[:CAPTURED_VALUE_BYTES]
        mock.reset()
        assert mock.post(BODY).status_code == 200
        (small,) = mock.control("GET", "requests").json()["requests"]  # reset emptied it; small values stay whole
        assert "truncated" not in small and small["headers"]["content-length"] == str(len(BODY))


def test_a_closed_connection_keeps_nothing_alive(strict: str) -> None:
    """Neither a reference cycle nor uvicorn's keep-alive timer (left armed after a reset) may hold a closed
    connection's protocol -- and with it its last request head -- once the client has gone."""
    import gc

    from connect_contract.mock.http11 import BoundedH11Protocol

    for _ in range(20):
        with socket.create_connection(address(strict), timeout=10) as sock:
            sock.sendall(post_with(b"X-Big: " + b"a" * 30_000 + b"\r\n"))
            read_response(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    time.sleep(0.3)  # well under the 1 s keep-alive of these limits
    gc.collect()  # (only cycles; what is still referenced stays)
    closed = [o for o in gc.get_objects() if isinstance(o, BoundedH11Protocol) and o.transport.is_closing()]
    assert closed == []


def test_serve_takes_its_limits_from_the_command_line() -> None:
    with serving("--read-timeout", "0.5", "--max-connections", "2") as (url, _process):
        held = [socket.create_connection(address(url), timeout=10) for _ in range(2)]
        try:
            time.sleep(0.1)
            with socket.create_connection(address(url), timeout=10) as third:
                assert_typed(read_response(third), 503, r.TOO_MANY_CONNECTIONS)
            held[0].sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            assert_typed(read_response(held[0]), 408, r.REQUEST_TIMEOUT)
            assert time.monotonic() - started < 2  # not the default 30 s
            time.sleep(0.2)  # the timed-out connection is gone: one more fits again
            with socket.create_connection(address(url), timeout=10) as sock:
                sock.sendall(post_with(b""))
                assert read_response(sock)[0] == 200
        finally:
            for sock in held:
                sock.close()


def test_the_fault_queue_is_bounded_in_entries_and_bytes(lenient: Mock) -> None:
    from connect_contract.mock.faults import MAX_QUEUED_BYTES, MAX_QUEUED_FAULTS

    big = {"status": 502, "body": "x" * 60_000}
    accepted = 0
    while accepted <= MAX_QUEUED_BYTES // 60_000:
        answer = lenient.control("POST", "faults", big)
        if answer.status_code != 201:
            break
        accepted += 1
    # each counts its spec and its answer: ~120 KB
    assert accepted * 2 * 60_000 <= MAX_QUEUED_BYTES < (accepted + 1) * 2 * 60_100
    assert (answer.status_code, answer.headers[ERROR_TYPE_HEADER]) == (400, r.CONTROL_ERROR)
    assert "DELETE /_mock/faults" in answer.json()["Message"]
    lenient.control("DELETE", "faults").raise_for_status()
    too_many = [{"delay_ms": 0}] * (MAX_QUEUED_FAULTS + 1)
    assert lenient.control("POST", "faults", too_many).status_code == 400
    assert lenient.control("GET", "faults").json()["faults"] == []  # all or nothing
    assert lenient.control("POST", "faults", too_many[1:]).status_code == 201


def test_issued_sessions_are_bounded(stateful: Mock, monkeypatch: pytest.MonkeyPatch) -> None:
    from connect_contract.mock import app

    monkeypatch.setattr(app, "MAX_ISSUED_SESSIONS", 3)
    statuses = [stateful.control("POST", "sessions", {"InstanceId": "i"}).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 400]
    stateful.reset()
    assert stateful.control("POST", "sessions", {"InstanceId": "i"}).status_code == 201
