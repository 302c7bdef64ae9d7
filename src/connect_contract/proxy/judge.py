"""Judging one proxied exchange: the request with the client-side rules, the answer with the server checks.

The request (what the client put on the wire) is judged as ``check-client`` judges one: it must be
an operation of the service (method + URI template), every location must satisfy the operation's
contracts (labels, query, headers, body: :mod:`connect_contract.contracts.parts`), a JSON body must
say so and be framed with a Content-Length, and a SigV4 scope must name the operation's signing
service.  Unlike ``check-client`` the proxy does not know what the caller asked for, so the value
rules (``req.values``, ``req.omitted-absent``) are out of reach; the contract still catches invented
members, nulls for strings, wrong types and limits.

The answer is judged by the server checks (:mod:`connect_contract.server.checks`) on an
:class:`~connect_contract.server.transport.Exchange` built from the pair; whether the request was
valid (per the contracts) decides between ``accepts_valid`` and ``rejects_invalid``, as the
vectors' intent does in ``check``.  For the mission operation the checks are used as they are; for
any other operation the checks that read the mission operation's model (statuses, output members,
message members) are replaced by the same rules read from that operation's model and contracts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from connect_contract.cassettes import wire
from connect_contract.contracts.parts import request_errors, request_parts, response_errors, response_parts, validator
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import JSON_MEDIA_TYPE, PROTOCOL_ERROR_STATUSES, media_type, parse_json
from connect_contract.redaction import scrub
from connect_contract.server.checks import (
    CHECKS,
    Check,
    Outcome,
    Unjudged,
    checks_for,
    judge_exchange,
    throttled,
    type_name,
)
from connect_contract.server.transport import Exchange, Intent, Request, Response
from connect_contract.sigv4 import parse_authorization

Side = Literal["client", "server"]
Level = Literal["required", "recommended"]
JSON = JSON_MEDIA_TYPE
# The server checks that read only the protocol, never an operation's model: valid for every operation.
OPERATION_FREE = ("responds", "no_server_error", "rejects_invalid", "error_type", "error_body", "no_secret_echo")
OPERATION_FREE_RECOMMENDED = ("error_type_style", "json_media_type", "request_id")


@dataclass(frozen=True)
class Finding:
    side: Side
    rule: str
    level: Level
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True)
class RequestJudgement:
    findings: tuple[Finding, ...]
    intent: Intent
    secrets: frozenset[str] = field(default_factory=frozenset)


def _header(headers: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def _joined(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for key, value in headers:
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def request_secrets(op: ServiceOperation, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> set[str]:
    """The text of every sensitive value the request carries (reports and the echo check scrub them)."""
    return wire.request_sensitive_texts(op, target, headers, body)


def judge_request(
    op: ServiceOperation | None,
    service: str,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> RequestJudgement:
    if op is None:
        path = target.partition("?")[0]
        message = f"{method} {path[:120]} is no operation of {service} (no URI template matches)"
        return RequestJudgement((Finding("client", "req.operation", "required", message),), "foreign")
    findings: list[Finding] = []
    parts = request_parts(op, target, _joined(headers), body)
    for problem in request_errors(op, parts):
        findings.append(Finding("client", "req.contract", "required", problem))
    if body and op.request_media_type == JSON:
        types = _header(headers, "content-type")
        if len(types) != 1 or media_type(types[0]) != JSON:
            shown = "none" if not types else ", ".join(repr(t[:60]) for t in types)
            findings.append(Finding("client", "req.content-type", "required", f"expected {JSON}, got {shown}"))
    lengths = _header(headers, "content-length")
    if body and lengths != [str(len(body))]:
        got = lengths or "none" + (" (chunked)" if _header(headers, "transfer-encoding") else "")
        message = f"expected Content-Length: {len(body)} (the body's size), got {got}"
        findings.append(Finding("client", "req.content-length", "required", message))
    authorization = _header(headers, "authorization")
    if authorization:
        parsed = parse_authorization(authorization[0])
        if parsed is None:
            findings.append(Finding("client", "req.sigv4", "required", "Authorization is not a SigV4 header"))
        elif parsed.service != op.signing_name:
            message = f"signed for service {parsed.service!r}, but {op.name} is signed as {op.signing_name!r}"
            findings.append(Finding("client", "req.sigv4", "required", message))
    secrets = frozenset(request_secrets(op, target, headers, body))
    contract_broken = any(f.rule in ("req.contract", "req.content-type") for f in findings)
    return RequestJudgement(tuple(findings), "invalid" if contract_broken else "valid", secrets)


# --- the answer ----------------------------------------------------------------------------------


def _is_mission(op: ServiceOperation) -> bool:
    mission = mission_operation()
    return (op.service_name, op.name) == (mission.service_name, mission.name)


def _operation_checks(op: ServiceOperation) -> tuple[Check, ...]:
    """The model-reading checks, read from ``op``'s model (same ids, levels and rules as for the mission)."""
    statuses = {error.name: error.status for error in op.errors}
    expected_success = op.response_code

    def accepts_valid(ex: Exchange) -> Outcome:
        assert ex.response is not None
        status, kind = ex.response.status, type_name(ex.response)
        if 200 <= status < 300 or (status < 500 and kind in statuses):
            return None
        if status < 500 and throttled(ex.response):
            return Unjudged(f"answered {status} {kind} (throttled): says nothing about the request")
        return f"a valid request was answered {status} {kind or '(no error type)'}: expected 2xx or a modeled error"

    def success_status(ex: Exchange) -> Outcome:
        assert ex.response is not None
        if op.status_member is not None or ex.response.status == expected_success:
            return None  # a statusCode member makes any 2xx legitimate (the contract judges its range)
        return f"success answered with {ex.response.status}, not {expected_success}"

    def success_contract(ex: Exchange) -> Outcome:
        assert ex.response is not None
        parts = response_parts(op, ex.response.status, dict(ex.response.headers), ex.response.body)
        problems = response_errors(op, parts)
        return "; ".join(problems[:3]) if problems else None

    def error_status(ex: Exchange) -> Outcome:
        assert ex.response is not None
        kind = type_name(ex.response) or ""
        expected = statuses.get(kind) or PROTOCOL_ERROR_STATUSES.get(kind)
        if expected is None or expected == ex.response.status:
            return None
        return f"{kind} sent with status {ex.response.status}; its status is {expected}"

    def error_contract(ex: Exchange) -> Outcome:
        assert ex.response is not None
        kind = type_name(ex.response) or ""
        ok, document = parse_json(ex.response.body)
        if kind not in statuses or not (ok and isinstance(document, dict)):
            return None
        schema = validator(op, f"errors/{kind}.schema.json")
        problems = ["/".join(map(str, e.absolute_path)) or "body" for e in schema.iter_errors(document)]
        return f"{kind} body breaks its error schema at {', '.join(problems[:3])}" if problems else None

    def answered_op(ex: Exchange) -> bool:
        return ex.response is not None and ex.request.intent != "foreign"

    def success(ex: Exchange) -> bool:
        return answered_op(ex) and ex.response is not None and 200 <= ex.response.status < 300

    def typed_error(ex: Exchange) -> bool:
        return (
            answered_op(ex) and ex.response is not None and ex.response.status >= 400 and bool(type_name(ex.response))
        )

    section = "restJson1 'Operation error serialization'"
    return (
        Check(
            "accepts_valid",
            "required",
            "Smithy http trait: a valid request gets the operation's output or a modeled error",
            "a valid request answered with anything but 2xx or a modeled 4xx error",
            lambda ex: answered_op(ex) and ex.request.intent == "valid",
            accepts_valid,
        ),
        Check(
            "success_status",
            "required",
            "Smithy http trait: `code` (botocore responseCode, default 200)",
            "success with another status than the operation's",
            success,
            success_status,
        ),
        Check(
            "success_contract",
            "required",
            "restJson1 'JSON shape serialization' + HTTP binding traits: the output contract",
            "output headers, body member names and JSON types not the model's",
            success,
            success_contract,
        ),
        Check(
            "error_status",
            "required",
            "restJson1 httpError trait: the error's status is its modeled status",
            "an error whose status is not its type's modeled (or protocol) status",
            typed_error,
            error_status,
        ),
        Check(
            "error_contract",
            "required",
            f"{section}: the error is its shape serialized",
            "a modeled error whose body breaks the error's schema",
            typed_error,
            error_contract,
        ),
    )


def server_checks(op: ServiceOperation | None, *, allow_unknown_members: bool = False) -> tuple[Check, ...]:
    if op is not None and _is_mission(op):
        return checks_for(allow_unknown_members=allow_unknown_members)
    free = tuple(c for c in CHECKS if c.id in OPERATION_FREE + OPERATION_FREE_RECOMMENDED)
    return free + (_operation_checks(op) if op is not None else ())


def judge_response(
    op: ServiceOperation | None,
    request: Request,
    response: Response | None,
    problem: str | None,
    *,
    allow_unknown_members: bool = False,
) -> list[Finding]:
    exchange = Exchange(request, response, problem)
    findings = []
    for check, outcome in judge_exchange(exchange, server_checks(op, allow_unknown_members=allow_unknown_members)):
        if isinstance(outcome, str):
            findings.append(Finding("server", check.id, check.level, scrub(outcome, request.secrets)))
    return findings


def lower_headers(pairs: Sequence[tuple[str, str]]) -> Mapping[str, str]:
    """Lower-cased names, repeated headers joined with ``, `` (what :class:`Response` holds)."""
    joined: dict[str, str] = {}
    for key, value in pairs:
        lowered = key.lower()
        joined[lowered] = f"{joined[lowered]}, {value}" if lowered in joined else value
    return joined
