"""The proxy's ASGI app: forward each request to the upstream, judge both halves, record, report.

A plain ASGI app (like the mock and the replay server) on uvicorn; forwarding uses kept-alive
``http.client`` connections in worker threads (:mod:`.upstream`) with bounded timeouts, so a hanging
upstream costs one ``--timeout`` and gets the ``responds`` verdict, and the client gets a 502 with
an error type instead of a hang.  Requests
the proxy cannot read (a body over the limit, a broken stream) get a clear error answer; an
exception while judging or recording is reported on that exchange, never raised into uvicorn.

Signing: a request signed for the upstream's own host (its ``Host`` header is the upstream's) is
forwarded byte for byte, Host included.  Any other signed request reaches the upstream with a
different Host, which breaks its signature, so with ``--sigv4-resign`` the proxy signs it again
(botocore's signer, credentials from the standard chain) for the upstream; without it the request
goes as it came, and the upstream decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from botocore.credentials import Credentials

from connect_contract.asgi import Receive, Scope, Send, read_body, send_response, serve_lifespan
from connect_contract.cassettes import wire
from connect_contract.cassettes.routing import Router
from connect_contract.operations import ServiceOperation
from connect_contract.protocol import error_frame
from connect_contract.proxy.judge import Finding, judge_request, judge_response, lower_headers, proxied_request
from connect_contract.proxy.recorder import Recorder, Wire
from connect_contract.proxy.upstream import Answer, Upstream, UpstreamError
from connect_contract.redaction import scrub
from connect_contract.server.transport import Response
from connect_contract.sigv4 import parse_authorization, sign

MAX_BODY = 10 * 1024 * 1024
# Hop-by-hop headers (RFC 9110 section 7.6.1) and Content-Length (recomputed): never forwarded as they came.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length"}
)
SIGNING_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"})
PROXY_ERROR = "ProxyUpstreamError"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})  # the ones Smithy's http trait uses
# uvicorn sets these itself.
SERVER_SET = frozenset({"date", "server"})


@dataclass
class ExchangeRecord:
    """One exchange as the reports show it: nothing here holds a sensitive value or a credential."""

    number: int
    method: str
    target: str  # redacted path and query
    operation: str | None
    status: int | None
    elapsed_ms: float
    findings: list[Finding] = field(default_factory=list)
    recorded: str = ""
    judged: bool = True  # False: an operation outside --operation, forwarded unjudged

    @property
    def failed(self) -> bool:
        return any(f.level == "required" for f in self.findings)

    @property
    def verdict(self) -> str:
        if not self.judged:
            return "SKIP"
        if self.failed:
            return "FAIL"
        return "WARN" if self.findings else "PASS"


@dataclass(frozen=True)
class ProxySettings:
    upstream: str
    service: str
    operations: tuple[ServiceOperation, ...]
    timeout: float = 10.0
    region: str = "us-east-1"
    resign: Credentials | None = None
    recorder: Recorder | None = None
    allow_unknown_members: bool = False
    known_secrets: tuple[str, ...] = ()  # credentials the proxy holds: scrubbed, and refused in cassettes


def _error(status: int, message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return error_frame(status, PROXY_ERROR, {"message": message})


class ProxyApp:
    def __init__(self, settings: ProxySettings, on_exchange: Callable[[ExchangeRecord], None]) -> None:
        self.settings = settings
        self.on_exchange = on_exchange
        self.records: list[ExchangeRecord] = []
        self.router = Router(settings.operations)
        self.service_router = Router(_service_operations(settings.service))
        upstream = urlsplit(settings.upstream)
        self.upstream_host = upstream.netloc
        self.upstream_base = settings.upstream.rstrip("/")
        self.upstream = Upstream(settings.upstream, settings.timeout)
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await read_body(receive, MAX_BODY)
        if body is None:
            await send_response(send, *_error(413, f"request body over {MAX_BODY} bytes, or the client went away"))
            return
        try:
            status, headers, payload = await self.exchange(scope, body)
        except Exception as exc:  # never crash uvicorn's worker on one bad exchange (no values: they may be secret)
            print(f"proxy: internal error on one exchange: {type(exc).__name__}", file=sys.stderr, flush=True)
            status, headers, payload = _error(500, f"proxy error: {type(exc).__name__}")
        await send_response(send, status, headers, payload)

    async def exchange(self, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        method = str(scope["method"]).upper()
        raw_path = (scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        target = raw_path + (f"?{query}" if query else "")
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        op = self.router.route(method, raw_path, query)
        known = op or self.service_router.route(method, raw_path, query)
        judged = op is not None or known is None  # a known operation outside --operation is only forwarded
        other = None if op is not None else self._other_method(method, raw_path, query)
        verdict = judge_request(op, self.settings.service, method, target, headers, body, other_method=other)
        secrets = verdict.secrets | frozenset(self.settings.known_secrets)
        url = self.upstream_base + target
        outgoing = self._outgoing(method, url, headers, body, op)
        started = time.perf_counter()
        problem: str | None = None
        response: Answer | None = None
        loop = asyncio.get_running_loop()
        try:
            response = await loop.run_in_executor(
                self.upstream.executor, self.upstream.send, method, target, outgoing, body
            )
        except UpstreamError as exc:
            problem = str(exc)
        elapsed = time.perf_counter() - started
        request = proxied_request(op, method, url, headers, body, secrets)
        answer = None
        if response is not None:
            answer = Response(response.status, response.reason, lower_headers(response.headers), response.body, elapsed)
        record = ExchangeRecord(
            number=0,
            method=method,
            target=scrub(wire.redact_target(op, target) if op else target.partition("?")[0], secrets),
            operation=known.name if known else None,
            status=answer.status if answer else None,
            elapsed_ms=elapsed * 1000,
            judged=judged,
        )
        if judged:
            try:
                record.findings = list(verdict.findings) + judge_response(
                    op, request, answer, problem, allow_unknown_members=self.settings.allow_unknown_members
                )
            except Exception as exc:  # a harness bug must not cost the client its answer; it is reported
                message = f"the proxy could not judge the answer ({type(exc).__name__})"
                record.findings = [*verdict.findings, Finding("server", "proxy.internal", "required", message)]
        if self.settings.recorder is not None and op is not None and response is not None:
            record.recorded = await self._record(op, method, url, headers, body, response, secrets)
        async with self._lock:
            record.number = len(self.records) + 1
            self.records.append(record)
        self.on_exchange(record)
        if response is None:
            return _error(502, f"the upstream gave no answer ({problem})")
        forwarded = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in response.headers
            if k.lower() not in HOP_BY_HOP | SERVER_SET
        ]
        forwarded.append((b"content-length", str(len(response.body)).encode()))
        return response.status, forwarded, response.body

    async def _record(
        self,
        op: ServiceOperation,
        method: str,
        url: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        response: Answer,
        secrets: frozenset[str],
    ) -> str:
        recorder = self.settings.recorder
        assert recorder is not None
        try:
            return await asyncio.to_thread(
                recorder.append,
                op,
                Wire(
                    method,
                    url,
                    tuple((k, v) for k, v in headers if k.lower() not in HOP_BY_HOP | {"host"}),
                    body,
                    response.status,
                    response.reason,
                    response.headers,
                    response.body,
                ),
                secrets,
            )
        except Exception as exc:  # the previous cassette stays as it was (atomic writes); say so, carry on
            return f"not recorded: the recorder failed ({type(exc).__name__})"

    def _other_method(self, method: str, raw_path: str, query: str) -> ServiceOperation | None:
        """The judged operation whose path (and fixed query) the request has, under another method."""
        for other in HTTP_METHODS - {method}:
            found = self.router.route(other, raw_path, query)
            if found is not None:
                return found
        return None

    def _outgoing(
        self, method: str, url: str, headers: tuple[tuple[str, str], ...], body: bytes, op: ServiceOperation | None
    ) -> list[tuple[str, str]]:
        host = next((v for k, v in headers if k.lower() == "host"), "")
        signed = any(k.lower() == "authorization" for k, _ in headers)
        if signed and host == self.upstream_host:
            return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]  # untouched, Host included
        kept = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP | {"host"}]
        credentials = self.settings.resign
        if not signed or credentials is None:
            return kept
        auth = next(v for k, v in headers if k.lower() == "authorization")
        parsed = parse_authorization(auth)
        service = parsed.service if parsed else (op.signing_name if op else self.settings.service)
        region = parsed.region if parsed else self.settings.region
        unsigned = [(k, v) for k, v in kept if k.lower() not in SIGNING_HEADERS]
        signature = sign(method, url, body, dict(unsigned), credentials, region=region, service=service)
        return unsigned + list(signature.items())


def _service_operations(service: str) -> tuple[ServiceOperation, ...]:
    from connect_contract.cassettes.routing import service_router

    with contextlib.suppress(LookupError):
        return service_router(service).operations
    return ()
