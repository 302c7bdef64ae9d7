"""A bounded-time HTTP sender: every request gets an answer or a clear verdict, never a hang.

Everything the server checks send (deterministic vectors and schemathesis cases alike) goes
through :class:`Sender`, so timeouts, rate limiting and signing behave the same everywhere.  A
shared ``requests.Session`` keeps connections alive (a several-fold speed-up against a local
server); the body is read in chunks against a deadline, so a server that trickles bytes cannot
stretch a request much past the timeout either.

Because connections are reused, one request's answer can be another's fault: a server that leaves a
request body unread (say, on a 405) answers the *next* request on that connection from the leftover
bytes.  So each exchange records the request sent just before it on the same connection
(:attr:`Exchange.previous`), and :meth:`Sender.resend` sends requests again on a fresh connection of
their own, which is how the runner tells the two apart.
"""

from __future__ import annotations

import socket
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import requests

from connect_contract.ratelimit import RateLimit

if TYPE_CHECKING:
    from connect_contract.operations import ServiceOperation

Intent = Literal["valid", "invalid", "either", "foreign"]
MAX_BODY_BYTES = 1024 * 1024  # a misbehaving server cannot make the harness buffer more than this
CLOSED_UNANSWERED = "the connection was reset or closed without a response"


@dataclass(frozen=True)
class Request:
    """A request exactly as it went on the wire, plus what the harness knows about it."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    intent: Intent
    source: str  # "vector <id>" or "<phase>: <description>" -- never contains a sensitive value
    secrets: frozenset[str] = frozenset()  # sensitive member values in this request (for the echo check)
    budget: float | None = None  # seconds the answer may take (check bounded_time), when the case sets one
    # The operation the request is meant for (``None``: the mission operation, UpdateParticipantAuthentication).
    operation: ServiceOperation | None = field(default=None, compare=False)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Exchange:
    """One request and either its response or the transport problem that replaced it."""

    request: Request
    response: Response | None
    problem: str | None = None
    # The answer to a twin request that must be answered the same way (vectors with ``same_as``).
    reference: Response | None = None
    # The request sent just before this one on the same kept-alive connection (None: a fresh one).
    previous: Request | None = None
    # What the twin comparison stands for: "code-points" (code_point_length) or "label-encoding"
    # (label_percent_decoding); only meaningful with ``reference``.
    pair: str = "code-points"
    # Pagination: the output tokens of the pages before this one (``None``: not a pagination step).
    earlier_tokens: tuple[str, ...] | None = None


class _Channel:
    """A session plus which request last used its kept-alive connection (requests are sent one at a time)."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment: talk to the endpoint itself
        self._last: tuple[weakref.ref[socket.socket], Request] | None = None

    def previous_on(self, sock: socket.socket | None) -> Request | None:
        """The request that used ``sock`` last (``None`` for a fresh connection or an unknown one)."""
        if self._last is None:
            return None
        last_sock, request = self._last
        if sock is None:  # the pooled connection, if it is still open
            kept = last_sock()
            return request if kept is not None and kept.fileno() != -1 else None
        return request if last_sock() is sock else None

    def used(self, sock: socket.socket | None, request: Request) -> None:
        self._last = (weakref.ref(sock), request) if sock is not None else None


class Sender:
    """Sends requests with a per-request timeout, an optional rate limit and optional signing."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        rate_limit: RateLimit | None = None,
        auth: requests.auth.AuthBase | None = None,
    ) -> None:
        self.timeout = timeout
        self.rate_limit = rate_limit
        self.auth = auth
        self._channel = _Channel()

    def close(self) -> None:
        self._channel.session.close()

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        intent: Intent,
        source: str,
        secrets: frozenset[str] = frozenset(),
        budget: float | None = None,
        operation: ServiceOperation | None = None,
    ) -> Exchange:
        prepared = requests.Request(method, url, headers=dict(headers), data=body or None).prepare()
        if self.auth is not None:
            prepared = self.auth(prepared)
        sent_body = prepared.body or b""
        if isinstance(sent_body, str):
            sent_body = sent_body.encode("utf-8")
        request = Request(
            method=method,
            url=url,
            headers=tuple(prepared.headers.items()),
            body=sent_body,
            intent=intent,
            source=source,
            secrets=secrets,
            budget=budget,
            operation=operation,
        )
        return self._exchange(self._channel, prepared, request)

    def resend(self, sent: Sequence[Request]) -> list[Exchange]:
        """Send ``sent`` again, exactly as they went (signature included), in order, on a fresh connection,
        and without forgiving a closed connection: these replays are how a close is judged."""
        channel = _Channel()
        try:
            return [
                self._exchange(
                    channel,
                    requests.Request(r.method, r.url, headers=dict(r.headers), data=r.body or None).prepare(),
                    r,
                    retry=False,
                )
                for r in sent
            ]
        finally:
            channel.session.close()

    def _exchange(
        self, channel: _Channel, prepared: requests.PreparedRequest, request: Request, *, retry: bool = True
    ) -> Exchange:
        if self.rate_limit is not None:
            self.rate_limit.wait()
        exchange, unanswered = self._send_once(channel, prepared, request)
        previous = exchange.previous
        if not (retry and unanswered and previous is not None and exchange.problem == CLOSED_UNANSWERED):
            return exchange
        # A kept-alive connection closed without a byte of an answer as this request went out.  That is
        # either a race with the server's idle timeout (typical on a loaded machine), which RFC 9112
        # section 9.3.1 lets a client retry on a new connection and clients do (urllib3 on a dropped
        # pooled connection, botocore on ConnectionError) -- judging the server by it would be a false
        # verdict -- or the request before it left the connection out of step, a defect the runner's
        # probe (server/attribution.py) must still see.  So: retry alone on a fresh connection, then
        # replay the two on one fresh connection; only a close that does not come back is a race.
        channel.session.close()  # drop the pool: the retry opens a new connection
        channel.used(None, request)
        retried, _ = self._send_once(channel, prepared, request)
        if retried.response is None:
            return retried  # closed on a fresh connection too: its own failure
        first, second = self.resend([previous, request])
        if second.response is None and second.previous is first.request:
            return exchange  # reproduced after the request before it: out of step, for the probe to blame
        return retried

    def _send_once(
        self, channel: _Channel, prepared: requests.PreparedRequest, request: Request
    ) -> tuple[Exchange, bool]:
        """One send; the flag says it failed before any byte of an answer arrived."""
        pooled = channel.previous_on(None)  # the connection this request will reuse, if it is still open
        started = time.monotonic()
        try:
            raw = channel.session.send(
                prepared, timeout=(self.timeout, self.timeout), stream=True, allow_redirects=False
            )
        except requests.RequestException as exc:
            previous = pooled  # no answer, so no connection to ask: the pooled one it was sent on
            channel.used(None, request)
            return Exchange(request, None, describe_failure(exc, self.timeout), previous=previous), True
        sock = getattr(raw.raw.connection, "sock", None)  # before the connection goes back to the pool
        previous = channel.previous_on(sock)
        channel.used(sock, request)
        try:
            content = self._read(raw, started + self.timeout)
        except TimeoutError:
            problem = f"the response body did not arrive within {self.timeout:g} s"
            return Exchange(request, None, problem, previous=previous), False
        except requests.RequestException as exc:
            return Exchange(request, None, describe_failure(exc, self.timeout), previous=previous), False
        finally:
            raw.close()
        headers_out: dict[str, str] = {}
        for name, value in raw.raw.headers.items():  # urllib3's dict keeps repeated headers apart
            key = name.lower()
            headers_out[key] = f"{headers_out[key]}, {value}" if key in headers_out else value
        response = Response(raw.status_code, raw.reason or "", headers_out, content, time.monotonic() - started)
        return Exchange(request, response, previous=previous), False

    @staticmethod
    def _read(raw: requests.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                break  # enough to judge; the rest is dropped with the connection
            if time.monotonic() > deadline:
                raise TimeoutError
        return b"".join(chunks)


def describe_failure(exc: BaseException, timeout: float) -> str:
    """A one-line verdict for a transport failure (names the symptom, never the request's content)."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain)
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, requests.ReadTimeout) or "TimeoutError" in names or "timed out" in text:
        return f"no response within {timeout:g} s (the endpoint hangs)"
    if "ConnectionRefusedError" in names or "Connection refused" in text:
        return "connection refused: nothing is listening at the endpoint"
    if names & {"BadStatusLine", "LineTooLong", "InvalidChunkLength", "HeaderParsingError"}:
        return "the answer is not HTTP (garbage bytes instead of a status line)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "the response body was cut off or malformed"
    if names & {"RemoteDisconnected", "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError"}:
        return CLOSED_UNANSWERED
    if isinstance(exc, requests.ConnectionError):
        return f"could not talk to the endpoint ({type(chain[-1]).__name__})"
    return f"request failed ({type(exc).__name__})"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        nested = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        reason = getattr(current, "reason", None)
        current = (
            current.__cause__
            or current.__context__
            or nested
            or (reason if isinstance(reason, BaseException) else None)
        )
    return seen
