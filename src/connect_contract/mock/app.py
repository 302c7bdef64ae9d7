"""The mock as a plain ASGI application: every operation of the served services and the ``/_mock`` routes.

Plain ASGI rather than a framework router keeps an operation's hot path to a handful of function
calls (a trie walk, body read with a size limit, one ``json.loads``, the compiled member checks), which
is what lets the mock keep up with a bare Starlette app that does no validation at all.  The mission
operation (UpdateParticipantAuthentication) keeps its own handler, semantics and stateful mode; every
other operation is served by :mod:`connect_contract.mock.anyop` from the model.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from connect_contract import sigv4
from connect_contract.asgi import BodyTooLarge, Receive, Scope, Send, receive_body, send_response, serve_lifespan
from connect_contract.mock import responses as r
from connect_contract.mock.anyop import OperationHandler, TagStore
from connect_contract.mock.config import MockConfig
from connect_contract.mock.faults import FaultQueue, FaultSpecError, parse_fault
from connect_contract.mock.models import CaptureLog, Redactor, SessionStore
from connect_contract.mock.routing import Router
from connect_contract.mock.semantics import (
    CONFLICT_ERROR,
    INSTANCE_ID,
    PARAMETER_ERROR,
    REQUEST_ERROR,
    STATE,
    semantic_problem,
)
from connect_contract.mock.validation import BodyError, InputValidator, parse_object, parse_request_json
from connect_contract.model import load_operation
from connect_contract.operations import (
    DEFAULT_OPERATION,
    DEFAULT_SERVICE,
    OperationLookupError,
    ServiceOperation,
    resolve_operations,
)
from connect_contract.protocol import is_json_request_media_type

CONTROL_PREFIX = "/_mock/"
MAX_ISSUED_SESSIONS = 50_000  # each keeps the (model-bounded) members that completed it: tens of MB at most
CONTROL_BODIES = {
    "sessions": f"{{{INSTANCE_ID!r}: ...}}",
    "faults": "a fault object or a list of them",
    "reset": '{} or {"operation": NAME}',
}
MISSION = (DEFAULT_SERVICE, DEFAULT_OPERATION)
MISSION_KEY = f"{DEFAULT_SERVICE}:{DEFAULT_OPERATION}"
logger = logging.getLogger(__name__)


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refusing (without buffering it) anything over ``limit`` bytes: raises
    :class:`~connect_contract.asgi.BodyTooLarge`.  A body cut short by a disconnect is answered as it came
    (it is captured; the answer goes nowhere)."""
    body, _whole = await receive_body(receive, limit, scope["headers"])
    return body


class ControlBodyError(ValueError):
    """A control route's body that is not a usable JSON document (answered 400 MockControlException)."""


def control_document(body: bytes) -> Any:
    """The JSON document posted to a control route (an empty body is ``{}``)."""
    try:
        return parse_request_json(body) if body.strip() else {}
    except BodyError as exc:
        raise ControlBodyError(str(exc).replace("Request body", "The body")) from None


async def send_reply(send: Send, reply: r.Reply) -> None:
    await send_response(send, reply.status, reply.wire_headers(), reply.body)


WEBSOCKET_REFUSED = r.error_reply(r.UNSUPPORTED_UPGRADE, "The mock speaks HTTP/1.1 only; WebSocket is not offered")


def is_websocket_handshake(headers: list[tuple[bytes, bytes]]) -> bool:
    """A WebSocket opening handshake (RFC 6455 section 4.1: a GET with ``Upgrade: websocket``).  Any other
    request carrying Upgrade is answered as if it were absent, as RFC 9110 section 7.8 lets a server do."""
    return any(name == b"upgrade" and b"websocket" in value.lower() for name, value in headers)


async def refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """The websocket scope's refusal: the typed 400 where the server can send one, else a plain close (403)."""
    if (await receive())["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        reply = WEBSOCKET_REFUSED
        headers = reply.wire_headers()
        await send({"type": "websocket.http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": reply.body})
    else:
        await send({"type": "websocket.close", "code": 1003})


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


_MALLOC_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Hand freed heap pages back to the system.  Dropping the capture log frees its objects, but glibc keeps
    the pages for reuse, so the process would not shrink after a reset (benchmarks/mock_memory.py shows it)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class MockApp:
    """One mock instance; its state (sessions, captured requests, faults) lives as long as it does."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        op = load_operation()
        operations: dict[tuple[str, str], ServiceOperation] = {}
        for service in dict.fromkeys(self.config.services):
            try:
                served = resolve_operations(service, "all")
            except OperationLookupError as exc:
                raise ValueError(str(exc)) from None
            operations.update({(o.service_name, o.name): o for o in served})
        self.operations = operations
        # An operation's handler (its decoder, answers, compiled checks) is built on its first call, so
        # start-up only pays for the router.
        self._handlers: dict[int, OperationHandler] = {}
        self.router = Router(operations.values())
        self.serves_mission = MISSION in operations
        self.several_services = len(self.config.services) > 1
        self.operation_path = op.request_uri
        self.operation_method = op.http_method
        self.signing_name = op.signing_name
        self.validator = InputValidator(op)
        self.sessions = SessionStore(self.config.capture_limit)
        self.captured = CaptureLog(self.config.capture_limit, self.config.capture_max_bytes)
        self.faults = FaultQueue()
        self.tags: TagStore = {}  # the tags round trip (TagResource -> ListTagsForResource), until reset
        # uvicorn discards whatever body is still coming once the response is complete, so the rest of an
        # oversize body is never buffered and the connection stays usable (closing it would reset the client).
        self.too_large = r.error_reply(
            r.REQUEST_TOO_LARGE, f"Request body is larger than {self.config.max_body_bytes} bytes"
        )
        self._control: dict[tuple[str, str], Callable[[bytes, str], Awaitable[r.Reply]]] = {
            ("POST", "sessions"): self._issue_session,
            ("GET", "sessions"): self._list_sessions,
            ("POST", "faults"): self._add_fault,
            ("GET", "faults"): self._list_faults,
            ("DELETE", "faults"): self._clear_faults,
            ("POST", "reset"): self._reset,
            ("GET", "requests"): self._list_requests,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            try:
                if scope["method"] == "GET" and is_websocket_handshake(scope["headers"]):
                    reply = WEBSOCKET_REFUSED
                elif path == self.operation_path and self.serves_mission:
                    reply = await self._operation(scope, receive)
                elif path.startswith(CONTROL_PREFIX):
                    reply = await self._control_route(scope, receive)
                else:
                    reply = await self._route(scope, receive)
            except Exception:  # a bug in the mock: say so (with a request id), never pose as a modeled error
                logger.exception("reference mock failed on %s %s", scope["method"], path)
                reply = r.error_reply(r.MOCK_FAILURE, "The reference mock failed; see its log")
            await send_reply(send, reply)
        elif scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
        elif scope["type"] == "websocket":  # only when embedded in a server with WebSockets on (`serve` has them off)
            await refuse_websocket(scope, receive, send)

    # --- the operation ---------------------------------------------------------------------------

    async def _operation(self, scope: Scope, receive: Receive) -> r.Reply:
        """Method, size, capture, faults and signature; then :meth:`_answer`."""
        method = scope["method"]
        if method != self.operation_method:
            reply = r.error_reply(r.METHOD_NOT_ALLOWED, f"{method} is not allowed here; use {self.operation_method}")
            return r.Reply(reply.status, (*reply.headers, (b"allow", self.operation_method.encode())), reply.body)
        taken = await self._intake(scope, receive, MISSION_KEY, MISSION)
        if isinstance(taken, r.Reply):
            return taken
        return self._answer(taken, scope["headers"])

    async def _intake(
        self,
        scope: Scope,
        receive: Receive,
        capture_key: str,
        fault_scope: tuple[str, str],
        redact: Redactor | None = None,
        signing_name: str | None = None,
    ) -> bytes | r.Reply:
        """Size, capture, faults and signature, in that order, for any operation: the body, or the answer
        that ends the request here."""
        try:
            body = await read_body(scope, receive, self.config.max_body_bytes)
        except BodyTooLarge:
            return self.too_large
        self.captured.add(
            scope["method"], scope["path"], scope["query_string"], scope["headers"], body, capture_key, redact
        )
        fault = self.faults.take(fault_scope)
        if fault is not None:
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.reply is not None:
                return fault.reply
        if self.config.auth == "sigv4":
            verdict = self._verify(scope, body, signing_name)
            if not verdict.ok:
                assert verdict.error is not None
                return r.error_reply(verdict.error, verdict.reason)
        return body

    def _answer(self, body: bytes, headers: list[tuple[bytes, bytes]]) -> r.Reply:
        """The input checks in their documented order, then the session's completion."""
        try:
            document = parse_object(body)
        except BodyError as exc:
            return r.error_reply(r.SERIALIZATION, str(exc))
        content_type = None
        for name, value in headers:
            if name == b"content-type":
                content_type = value
        if not is_json_request_media_type(content_type):
            return r.error_reply(r.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
        params, problem = self.validator.check(document)
        if problem is not None:
            return r.error_reply(PARAMETER_ERROR, problem)
        problem = semantic_problem(params)
        if problem is not None:
            return r.error_reply(REQUEST_ERROR, problem)
        return self._complete(params)

    def _complete(self, params: dict[str, Any]) -> r.Reply:
        if self.config.mode != "stateful":
            self.sessions.record(params)
            return r.SUCCESS
        session = self.sessions.lookup(params[STATE], params[INSTANCE_ID])
        if session is None:
            return r.error_reply(REQUEST_ERROR, f"Unknown {STATE} for this {INSTANCE_ID}")
        if session.completed_at is not None:
            return r.error_reply(CONFLICT_ERROR, f"This {STATE} has already been completed")
        self.sessions.complete(session, params)
        return r.SUCCESS

    # --- every other operation ---------------------------------------------------------------------

    async def _route(self, scope: Scope, receive: Receive) -> r.Reply:
        """Route by method and URI template (404 / 405 as a front end answers), then :meth:`_any_operation`."""
        method = scope["method"]
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        signer = self._scope_service(scope) if self.several_services else None
        match = self.router.match(method, raw_path, query, signer)
        if match is None:
            return r.error_reply(r.UNKNOWN_OPERATION, "No operation is served at this path")
        if match.op is None:
            reply = r.error_reply(r.METHOD_NOT_ALLOWED, f"{method} is not allowed here; use {', '.join(match.allowed)}")
            return r.Reply(reply.status, (*reply.headers, (b"allow", ", ".join(match.allowed).encode())), reply.body)
        handler = self._handlers.get(id(match.op))
        if handler is None:
            handler = self._handlers[id(match.op)] = OperationHandler(match.op)
        if handler.scope == MISSION:  # reached through an encoded path
            return await self._operation(scope, receive)
        return await self._any_operation(scope, receive, handler, f"{raw_path}?{query}" if query else raw_path)

    @staticmethod
    def _scope_service(scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                parsed = sigv4.parse_authorization(value.decode("latin-1"))
                return parsed.service if parsed is not None else None
        return None

    async def _any_operation(self, scope: Scope, receive: Receive, handler: OperationHandler, target: str) -> r.Reply:
        """Size, capture, faults and signature, as for the mission operation; then the handler's answer."""
        taken = await self._intake(scope, receive, handler.key, handler.scope, handler.redact, handler.op.signing_name)
        if isinstance(taken, r.Reply):
            return taken
        return handler.answer(target, scope["headers"], taken, self.tags)

    def operations_of(self, service: str) -> list[ServiceOperation]:
        return [op for (name, _), op in self.operations.items() if name == service]

    def lookup(self, name: str, service: str | None = None) -> ServiceOperation | None:
        """A served operation by name (``service`` narrows it; else the first served service that has it)."""
        for service_name in [service] if service else list(dict.fromkeys(self.config.services)):
            op = self.operations.get((service_name, name))
            if op is not None:
                return op
        return None

    def _verify(self, scope: Scope, body: bytes, signing_name: str | None = None) -> sigv4.Verdict:
        joined: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            joined[name] = f"{joined[name]},{value}" if name in joined else value
        raw_path = scope.get("raw_path") or scope["path"].encode()
        return sigv4.verify(
            scope["method"],
            raw_path.decode("latin-1").split("?", 1)[0],
            scope["query_string"].decode("latin-1"),
            joined,
            body,
            self.config.credentials.get,
            service=signing_name or self.signing_name,
            region=self.config.region,
        )

    # --- control routes --------------------------------------------------------------------------

    async def _control_route(self, scope: Scope, receive: Receive) -> r.Reply:
        name = scope["path"][len(CONTROL_PREFIX) :].rstrip("/")
        handler = self._control.get((scope["method"], name))
        if handler is None:
            allowed = sorted(method for method, route in self._control if route == name)
            if not allowed:
                return r.error_reply(r.UNKNOWN_OPERATION, "Unknown mock control route")
            reply = r.error_reply(r.METHOD_NOT_ALLOWED, f"Use {', '.join(allowed)} on this route")
            return r.Reply(reply.status, (*reply.headers, (b"allow", ", ".join(allowed).encode())), reply.body)
        try:
            body = await read_body(scope, receive, self.config.max_body_bytes)
        except BodyTooLarge:
            return self.too_large
        try:
            return await handler(body, scope["query_string"].decode("latin-1"))
        except ControlBodyError as exc:
            expected = CONTROL_BODIES.get(name, "a JSON document")
            return r.error_reply(r.CONTROL_ERROR, f"{scope['method']} {scope['path']} needs {expected}: {exc}")

    async def _issue_session(self, body: bytes, query: str) -> r.Reply:
        document = control_document(body)
        instance_id = document.get(INSTANCE_ID) if isinstance(document, dict) else None
        problem = self.validator.check_member(INSTANCE_ID, instance_id)
        if problem is not None or not isinstance(instance_id, str):
            return r.error_reply(r.CONTROL_ERROR, f"POST /_mock/sessions needs {{{INSTANCE_ID!r}: ...}}: {problem}")
        if self.sessions.issued_count >= MAX_ISSUED_SESSIONS:
            message = f"The mock holds at most {MAX_ISSUED_SESSIONS} issued sessions; POST /_mock/reset clears them"
            return r.error_reply(r.CONTROL_ERROR, message)
        session = self.sessions.issue(instance_id)
        return r.json_reply({STATE: session.state, INSTANCE_ID: session.instance_id}, 201)

    async def _list_sessions(self, body: bytes, query: str) -> r.Reply:
        return r.json_reply({"mode": self.config.mode, "sessions": self.sessions.as_json()})

    async def _add_fault(self, body: bytes, query: str) -> r.Reply:
        document = control_document(body)
        specs = document if isinstance(document, list) else [document]
        try:
            self.faults.add_all([parse_fault(spec, self.lookup) for spec in specs])
        except FaultSpecError as exc:
            return r.error_reply(r.CONTROL_ERROR, f"Invalid fault: {exc}")
        return r.json_reply({"faults": self.faults.as_json()}, 201)

    async def _list_faults(self, body: bytes, query: str) -> r.Reply:
        return r.json_reply({"faults": self.faults.as_json()})

    def _scoped(self, selector: dict[str, Any]) -> tuple[str, str] | r.Reply | None:
        """The operation a control call is scoped to (``{"operation": NAME[, "service": NAME]}``), ``None``
        for none, or the 400 that says the selector names nothing served."""
        name, service = selector.get("operation"), selector.get("service")
        if name is None and service is None:
            return None
        op = self.lookup(name, service) if isinstance(name, str) and isinstance(service, (str, type(None))) else None
        if op is None:
            return r.error_reply(r.CONTROL_ERROR, "'operation' must name a served operation ('service' is optional)")
        return (op.service_name, op.name)

    @staticmethod
    def _query_selector(query: str) -> dict[str, Any]:
        return dict(parse_qsl(query)) if query else {}

    async def _clear_faults(self, body: bytes, query: str) -> r.Reply:
        scope = self._scoped(self._query_selector(query))
        if isinstance(scope, r.Reply):
            return scope
        self.faults.clear(scope)
        return r.json_reply({"faults": self.faults.as_json()})

    async def _reset(self, body: bytes, query: str) -> r.Reply:
        document = control_document(body)
        if not isinstance(document, dict):
            raise ControlBodyError("The body must be a JSON object")
        scope = self._scoped({**self._query_selector(query), **document})
        if isinstance(scope, r.Reply):
            return scope
        if scope is None:
            self.faults.clear()
            self.sessions.clear()
            self.captured.clear()
            self.tags.clear()
        else:  # only what belongs to that operation (the mission operation's sessions included)
            self.faults.clear(scope)
            self.captured.clear(":".join(scope))
            if scope == MISSION:
                self.sessions.clear()
        release_freed_memory()
        return r.json_reply({})

    async def _list_requests(self, body: bytes, query: str) -> r.Reply:
        scope = self._scoped(self._query_selector(query))
        if isinstance(scope, r.Reply):
            return scope
        return r.json_reply({"requests": self.captured.as_json(None if scope is None else ":".join(scope))})


def create_app(config: MockConfig | None = None) -> MockApp:
    """A new, independent mock (ASGI app); ``config`` defaults to lenient mode without auth."""
    return MockApp(config)
