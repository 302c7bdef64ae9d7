"""A raw HTTP/1.1 server that leaves the connection out of step, and an unrelated web server.

``serve_out_of_step()`` is the correct reference server of ``server_catalogue`` (its ASGI app, called
in-process) behind a hand-written HTTP/1.1 loop with one defect, common in real frameworks: a request
with another method is answered 405 *without reading its body*, and the connection is kept alive.
The next request on that connection then starts with the leftover body bytes, its request line does
not parse, and it is answered with an HTML ``400 Bad Request`` (the connection is closed after that,
as servers do after a parse error).

``serve_unrelated_web_server(directory)`` is ``python3 -m http.server``: the standard library's
file server, which answers a POST with a 501 HTML page.
"""

from __future__ import annotations

import asyncio
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from server_catalogue import OP, make_app

from connect_contract.serving import LOOPBACK

_REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.1$")
_BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 50\r\nConnection: close\r\n\r\n"
    b"<html><body><h1>400 Bad Request</h1></body></html>"
)


async def _answer(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    """Call the ASGI app for one request and serialise its answer as HTTP/1.1 (keep-alive)."""
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b""}
    parts: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        parts.update(message)

    await app(scope, receive, send)
    head = [f"HTTP/1.1 {parts['status']} Status".encode()]
    head += [name + b": " + value for name, value in parts["headers"]]
    return b"\r\n".join(head) + b"\r\n\r\n" + parts.get("body", b"")


async def _connection(app: Any, silent: bool, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return
            request_line, *header_lines = head[:-4].split(b"\r\n")
            match = _REQUEST_LINE.match(request_line)
            if not match:  # the leftover of an unread body: what the framework sees as a request line
                if not silent:
                    writer.write(_BAD_REQUEST)
                    await writer.drain()
                return
            method, path = match[1].decode(), match[2].decode()
            headers = [tuple(line.split(b":", 1)) for line in header_lines if b":" in line]
            pairs = [(name.strip().lower(), value.strip()) for name, value in headers]
            length = int(next((v for k, v in pairs if k == b"content-length"), b"0"))
            if method != OP.http_method:
                body = b""  # THE DEFECT: the body stays in the socket, and the connection is kept
            else:
                body = await reader.readexactly(length)
            writer.write(await _answer(app, method, path, pairs, body))
            await writer.drain()
    except asyncio.CancelledError:
        pass  # the server is shutting down
    finally:
        writer.close()


@contextmanager
def serve_out_of_step(*, silent: bool = False) -> Iterator[str]:
    """``silent``: close the connection on an unparsable request line instead of answering HTML 400."""
    app = make_app()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        stop = holder["stop"] = asyncio.Event()
        server = await asyncio.start_server(partial(_connection, app, silent), LOOPBACK, 0)
        holder["port"] = server.sockets[0].getsockname()[1]
        started.set()
        await stop.wait()
        server.close()
        await server.wait_closed()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:  # the connections still open: end them here, not when the loop is gone
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the out-of-step server did not start")
    try:
        yield f"http://{LOOPBACK}:{holder['port']}"
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(timeout=5)
        loop.close()


@contextmanager
def serve_unrelated_web_server(directory: Path) -> Iterator[str]:
    """``python3 -m http.server`` on 127.0.0.1 (a 501 HTML page for every POST)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
