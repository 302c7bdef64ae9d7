"""A kept-alive connection the server closes as the next request goes out is retried once, fresh, and
the close is forgiven only when it does not come back after the request before it.

RFC 9112 section 9.3.1 lets a client retry a request whose connection closed before any part of an
answer, and clients do (urllib3 on a dropped pooled connection, botocore on ``ConnectionError``).
``check`` once failed ``responds`` on this race under load (a keep-alive timeout expiring while the
harness generated the next case): a false verdict.  A server that closes a *fresh* connection
unanswered still fails, so ``responds`` keeps catching it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from connect_contract.server.transport import CLOSED_UNANSWERED, Sender

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def _read_request(conn: socket.socket) -> bool:
    """Read one request (head and Content-Length body); False when the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(rest) < length:
        rest += conn.recv(65536)
    return True


@contextmanager
def raw_server(answers: Callable[[int, int], bool]) -> Iterator[str]:
    """``answers(connection_index, request_index_on_it)``: answer 200, or close the connection unanswered."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # accept() wakes up to see ``stop``
    stop = threading.Event()

    def handle(conn: socket.socket, index: int) -> None:
        with conn:
            nth = 0
            while _read_request(conn):
                if not answers(index, nth):
                    break  # close without a byte of an answer
                conn.sendall(OK)
                nth += 1

    def serve() -> None:
        index = 0
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=handle, args=(conn, index), daemon=True).start()  # one thread per connection
            index += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def _send(sender: Sender, url: str, source: str) -> tuple[int | None, str | None]:
    exchange = sender.send("POST", url, {"Content-Type": "application/json"}, b"{}", intent="valid", source=source)
    return (exchange.response.status if exchange.response else None), exchange.problem


def test_a_kept_alive_connection_closed_unanswered_is_retried_on_a_fresh_one() -> None:
    # One race: the first connection closes as its second request arrives; every other one is kept alive.
    with raw_server(lambda connection, nth: connection != 0 or nth == 0) as url:
        sender = Sender(timeout=5)
        try:
            assert _send(sender, url, "first") == (200, None)
            assert _send(sender, url, "second") == (200, None)  # reused, closed, retried fresh
        finally:
            sender.close()


def test_a_fresh_connection_closed_unanswered_still_fails() -> None:
    with raw_server(lambda connection, nth: False) as url:
        sender = Sender(timeout=5)
        try:
            assert _send(sender, url, "first") == (None, CLOSED_UNANSWERED)
        finally:
            sender.close()


def test_a_close_that_comes_back_after_the_request_before_it_is_kept() -> None:
    """Every connection closes on its second request: reproducible, so the failure stays for the runner's
    out-of-step probe (server/attribution.py) to judge, as the out-of-step server tests show end to end."""
    with raw_server(lambda connection, nth: nth == 0) as url:
        sender = Sender(timeout=5)
        try:
            assert _send(sender, url, "first") == (200, None)
            assert _send(sender, url, "second") == (None, CLOSED_UNANSWERED)
        finally:
            sender.close()


def test_the_retry_is_made_once() -> None:
    with raw_server(lambda connection, nth: connection == 0 and nth == 0) as url:  # only the very first request
        sender = Sender(timeout=5)
        try:
            assert _send(sender, url, "first") == (200, None)
            assert _send(sender, url, "second") == (None, CLOSED_UNANSWERED)  # reused, closed; fresh, closed
        finally:
            sender.close()
