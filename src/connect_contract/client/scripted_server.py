"""A purpose-built scripted server: serves exactly the response a vector scripts, captures exactly what
the client sent.

It is deliberately independent of the reference mock: the mock interprets requests, this server
never does.  It is a raw ASGI app (no routing, no parsing) so that nothing between the socket and the
capture normalises what the client sent: method, raw path and query, every header line in order
(repeated names kept), and the body bytes.

One server serves one *lane* (a client process, or one isolated vector) at a time: the runner arms a
script, runs the client, then disarms it and reads every attempt that arrived meanwhile.  Each armed
script carries a token; a request that arrives while nothing is armed is kept as a stray (it is shown,
never silently attributed to the next vector).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from connect_contract.asgi import Receive, Scope, Send, receive_body, send_response
from connect_contract.serving import serve_in_thread

# Served when no script is armed: a status no client maps to anything, so a stray call stands out.
STRAY_STATUS = 599


@dataclass(frozen=True)
class Script:
    """The raw response served to every attempt while the script is armed."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    body: bytes = b"{}"


@dataclass(frozen=True)
class Captured:
    """One request exactly as it arrived."""

    method: str
    raw_path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: float

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def joined_headers(self) -> dict[str, str]:
        """Lower-cased names, repeated headers joined with ``,`` (what SigV4 canonicalisation sees)."""
        joined: dict[str, str] = {}
        for key, value in self.headers:
            lowered = key.lower()
            joined[lowered] = f"{joined[lowered]},{value}" if lowered in joined else value
        return joined


@dataclass
class _Armed:
    token: int
    script: Script
    captured: list[Captured] = field(default_factory=list)


class ScriptedServer:
    """The ASGI app plus its script state (thread-safe: armed from the runner, read from uvicorn)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: _Armed | None = None
        self._tokens = itertools.count(1)
        self.strays: list[Captured] = []

    def arm(self, script: Script) -> int:
        with self._lock:
            token = next(self._tokens)
            self._armed = _Armed(token, script)
            return token

    def disarm(self, token: int) -> list[Captured]:
        """Stop serving the script; return every attempt it received (in arrival order)."""
        with self._lock:
            armed = self._armed
            if armed is None or armed.token != token:
                raise RuntimeError(f"script {token} is not the armed one")
            self._armed = None
            return list(armed.captured)

    def _record(self, request: Captured) -> Script | None:
        with self._lock:
            if self._armed is None:
                self.strays.append(request)
                return None
            self._armed.captured.append(request)
            return self._armed.script

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; websockets are not served
            return
        # No limit: the body is the client's evidence, and a client that goes away mid-body is captured
        # with what it sent.
        body, _whole = await receive_body(receive)
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        request = Captured(
            method=scope["method"],
            raw_path=raw_path.decode("latin-1"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
            body=body,
            received_at=time.monotonic(),
        )
        script = self._record(request) or Script(STRAY_STATUS, (("Content-Type", "text/plain"),), b"no script armed")
        # Content-Length is always explicit so the server never switches to chunked encoding.
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in script.headers]
        headers.append((b"content-length", str(len(script.body)).encode()))
        await send_response(send, script.status, headers, script.body)


# uvicorn (re)configures the process-wide logging on every start; two lanes starting at once can
# interleave that with another server's startup message and leak an INFO line into the terminal.
_STARTUP = threading.Lock()


@contextmanager
def running_scripted_server() -> Iterator[tuple[ScriptedServer, str]]:
    """A scripted server on 127.0.0.1 (free port) for the duration of the block: (server, base URL)."""
    server = ScriptedServer()
    with contextlib.ExitStack() as stack:
        with _STARTUP:
            url = stack.enter_context(serve_in_thread(server))
        yield server, url
