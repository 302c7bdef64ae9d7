"""Judging one proxied exchange: the request with check-client's wire rules, the answer with the server checks.

The request (what the client put on the wire) is judged by the rules ``check-client`` judges every
request's form with (:func:`connect_contract.client.wirerules.judge_wire_request`), under the same rule
ids and levels: it must be an operation of the service (``req.path``; ``req.method`` when only the
method is wrong), labels percent-encoded, query keys the model's, header and query texts of their
types, timestamps in their location's format, idempotency tokens filled, a JSON body with the model's
keys and JSON types and no nulls, Content-Type and Content-Length, and a SigV4 signature scoped to the
operation's signing name.  Unlike ``check-client`` the proxy does not know what the caller asked for,
so the comparisons with the call (``req.values``' value checks, a member sent that was not given, the
exact bytes of a given label) and the signature's verification (it holds no secret) are out of reach;
an input that breaks the model's constraints is the caller's, and the answer's ``rejects_invalid``
judges what the server did with it.

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
from connect_contract.client.wirerules import judge_wire_request
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.redaction import scrub
from connect_contract.server.checks import Check, checks_for, judge_exchange
from connect_contract.server.classify import classify, classify_operation
from connect_contract.server.transport import Exchange, Request, Response

Side = Literal["client", "server"]
Level = Literal["required", "recommended"]


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
    *,
    other_method: ServiceOperation | None = None,
) -> RequestJudgement:
    """``op``: the operation the request routes to; ``other_method``: when it routes nowhere, the
    operation whose path it has under another method, if any."""
    path, _, query = target.partition("?")
    if op is None:
        if other_method is not None:
            message = f"expected {other_method.http_method} for {other_method.name}, got {method}"
            return RequestJudgement((Finding("client", "req.method", "required", message),))
        message = f"{method} {path[:120]} is no operation of {service} (no URI template matches)"
        return RequestJudgement((Finding("client", "req.path", "required", message),))
    secrets = frozenset(request_secrets(op, target, headers, body))
    try:
        problems = judge_wire_request(op, method, path, query, headers, body)
    except Exception as exc:  # (e.g. a body nested past the recursion limit) the client still gets its answer
        message = f"the proxy could not judge the request ({type(exc).__name__})"
        return RequestJudgement((Finding("client", "proxy.internal", "required", message),), secrets)
    findings = tuple(Finding("client", p.rule, p.level, scrub(p.detail, secrets)) for p in problems)
    return RequestJudgement(findings, secrets)


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
