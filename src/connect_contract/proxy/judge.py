"""Judging one proxied exchange: the request with the client-side rules, the answer with the server checks.

The request (what the client put on the wire) is judged as ``check-client`` judges one: it must be
an operation of the service (method + URI template), every location must satisfy the operation's
contracts (labels, query, headers, body: :mod:`connect_contract.contracts.parts`), a JSON body must
say so and be framed with a Content-Length, and a SigV4 scope must name the operation's signing
service.  Unlike ``check-client`` the proxy does not know what the caller asked for, so the value
rules (``req.values``, ``req.omitted-absent``) are out of reach; the contract still catches invented
members, nulls for strings, wrong types and limits.

The answer is judged by the server checks of ``check`` themselves: the checks in effect for the
operation (:func:`connect_contract.server.checks.checks_for`) on an
:class:`~connect_contract.server.transport.Exchange` whose request carries the operation and the
intent a server must give it (:func:`connect_contract.server.classify.classify_operation`; for the
mission operation ``classify`` and no operation, exactly as ``check`` sends its generated cases).
So ``accepts_valid`` / ``rejects_invalid``, statuses, ``success_output`` / ``success_members`` and
every other check read the operation's own model, with the ids and levels ``check`` reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from connect_contract.cassettes import wire
from connect_contract.contracts.parts import request_errors, request_parts
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import JSON_MEDIA_TYPE, media_type
from connect_contract.redaction import scrub
from connect_contract.server.checks import Check, checks_for, judge_exchange
from connect_contract.server.classify import classify, classify_operation
from connect_contract.server.transport import Exchange, Request, Response
from connect_contract.sigv4 import parse_authorization

Side = Literal["client", "server"]
Level = Literal["required", "recommended"]
JSON = JSON_MEDIA_TYPE


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
        return RequestJudgement((Finding("client", "req.operation", "required", message),))
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
    return RequestJudgement(tuple(findings), secrets)


# --- the answer ----------------------------------------------------------------------------------


@cache
def _checks_in_effect(op: ServiceOperation | None, allow_unknown_members: bool) -> tuple[Check, ...]:
    """``check``'s checks for ``op`` (a request of no operation: the mission's set; only the
    operation-free ones apply to a ``foreign`` exchange)."""
    return checks_for(allow_unknown_members=allow_unknown_members, operation=op)


def _is_mission(op: ServiceOperation) -> bool:
    mission = mission_operation()
    return (op.service_name, op.name) == (mission.service_name, mission.name)


def proxied_request(
    op: ServiceOperation | None,
    method: str,
    url: str,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
    secrets: frozenset[str],
) -> Request:
    """The request as ``check`` would have sent it: the operation it carries and the intent a server must
    give it (``classify`` for the mission operation, ``classify_operation`` for any other), as the
    generated cases of :mod:`connect_contract.server.generated` get theirs."""
    source = f"proxy {method}"
    if op is None:
        return Request(method, url, headers, body, "foreign", source, secrets)
    joined = _joined(headers)
    if _is_mission(op):  # check judges the mission operation's exchanges with operation=None
        return Request(method, url, headers, body, classify(method, url, joined, body), source, secrets)
    intent = classify_operation(op, method, url, joined, body)
    return Request(method, url, headers, body, intent, source, secrets, operation=op)


def judge_response(
    op: ServiceOperation | None,
    request: Request,
    response: Response | None,
    problem: str | None,
    *,
    allow_unknown_members: bool = False,
) -> list[Finding]:
    """The server checks of ``check`` (:func:`connect_contract.server.checks.checks_for`) on the pair."""
    exchange = Exchange(request, response, problem)
    findings = []
    for check, outcome in judge_exchange(exchange, _checks_in_effect(op, allow_unknown_members)):
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
