"""Forwarding to the upstream: ``http.client`` keep-alive connections, one per worker thread.

Measured on this machine (benchmarks/proxy_overhead.py's upstream, keep-alive GET): an
``httpx.AsyncClient`` took ~5 ms per request (httpcore re-attempts ``import sniffio`` on every
request when it is absent, and its write path stalls), ``http.client`` run in a worker thread
~0.5 ms.  Each worker thread keeps its own connection; a request sent on a kept-alive connection
that the upstream had closed meanwhile is retried once on a fresh one (nothing was answered).
Every wait is bounded by the timeout: connect, send, and each read of the answer.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_ANSWER = 10 * 1024 * 1024
WORKERS = 32


class UpstreamError(Exception):
    """No HTTP answer: ``str()`` says why in one line (never a header or body value)."""


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Upstream:
    def __init__(self, base: str, timeout: float) -> None:
        parts = urlsplit(base)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.netloc = parts.netloc
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self.executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="proxy-upstream")

    def _connection(self, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None and not fresh:
            return connection, True
        if connection is not None:
            connection.close()
        kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        connection = kind(self.host, self.port, timeout=self.timeout)
        self._local.connection = connection
        return connection, False

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Answer:
        """Send one request (headers exactly as given, plus Content-Length); blocking, bounded."""
        for fresh in (False, True):
            connection, reused = self._connection(fresh)
            try:
                return self._exchange(connection, method, target, headers, body)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop()
                if not reused:
                    raise UpstreamError(f"the upstream closed the connection ({type(exc).__name__})") from None
            except TimeoutError:
                self._drop()
                raise UpstreamError(f"no answer within {self.timeout:g} s") from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                raise UpstreamError(f"no HTTP answer ({type(exc).__name__})") from None
        raise UpstreamError("the upstream closed the connection twice")

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> Answer:
        names = {name.lower() for name, _ in headers}
        connection.putrequest(method, self.prefix + target, skip_host="host" in names, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        data = response.read(MAX_ANSWER + 1)
        if len(data) > MAX_ANSWER:
            self._drop()
            raise http.client.HTTPException(f"answer over {MAX_ANSWER} bytes")
        if response.will_close:
            self._drop()
        return Answer(response.status, response.reason, tuple(response.getheaders()), data)
