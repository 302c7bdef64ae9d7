"""The server checks: plain functions over one (request, response) exchange.

Each check has an id, a level (``required`` decides the exit code; ``recommended`` only with
``--strict``), the exchanges it applies to, and a function returning a failure message or ``None``.
They know nothing about where the exchange came from, so the deterministic vectors, the generated
schemathesis cases and the schemathesis hooks module (:mod:`connect_contract.server.st_hooks`) all
use the same ones.  Messages describe the answer (status, type, header names) and are scrubbed of
every sensitive value the request carried, so they are safe to print.

Accepted answers to input problems: Connect models none of ``SerializationException``,
``ValidationException`` or ``UnsupportedMediaTypeException`` for this operation, so any 4xx with a
cleanly named error type is accepted -- as long as its status is consistent with the type (a
modeled error must have its modeled status; the well-known protocol errors below, theirs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from connect_contract import sigv4
from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER, sensitive_request_members
from connect_contract.model import load_operation
from connect_contract.server.classify import JSON_MEDIA_TYPE, media_type, parse_body
from connect_contract.server.echo import distinctive_secrets, echoes, scrubbed
from connect_contract.server.transport import Exchange, Response

Level = Literal["required", "recommended"]

# Errors a restJson1 / AWS front end answers before the operation runs (not in the operation's model):
# Smithy's httpMalformedRequestTests and the SigV4 front end.  Their statuses are protocol facts.
PROTOCOL_ERROR_STATUSES: dict[str, int] = {
    "SerializationException": 400,
    "ValidationException": 400,
    "UnsupportedMediaTypeException": 415,
    "RequestEntityTooLargeException": 413,
    "UnknownOperationException": 404,
    "MethodNotAllowedException": 405,
    sigv4.MISSING: 403,
    sigv4.UNRECOGNIZED: 403,
    sigv4.INVALID: 403,
}
CLEAN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    catches: str  # one line for the README table and --help
    applies: Callable[[Exchange], bool]
    judge: Callable[[Exchange], str | None]
    vectors_only: bool = False  # needs a twin answer, which only deterministic vectors provide

    def run(self, exchange: Exchange) -> str | None:
        """The failure message (scrubbed of the request's sensitive values), or ``None`` when it passed."""
        message = self.judge(exchange)
        if message is None:
            return None
        return scrubbed(message, exchange.request.secrets)


@cache
def modeled_statuses() -> dict[str, int]:
    return {error.name: error.status for error in load_operation().errors}


def error_type_of(response: Response) -> str | None:
    """The error type the way AWS SDKs read it from the header: before ``:``, after ``#``."""
    raw = response.header(ERROR_TYPE_HEADER)
    if not raw:
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip() or None


def _shown(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _answer(response: Response) -> str:
    kind = error_type_of(response)
    return f"{response.status} {kind}" if kind else f"{response.status} (no error type)"


def _json_object(response: Response) -> tuple[bool, Any]:
    ok, document = parse_body(response.body)
    return ok and isinstance(document, dict), document


def _body_problem(response: Response) -> str | None:
    """What is wrong with a body that must be a JSON object sent as application/json (both told)."""
    problems = []
    if media_type(response.header("content-type")) != JSON_MEDIA_TYPE:
        problems.append(f"Content-Type is {_shown(response.header('content-type') or '(none)')}, not {JSON_MEDIA_TYPE}")
    ok, document = parse_body(response.body)
    if not response.body:
        problems.append("the body is empty, not a JSON object")
    elif not ok:
        problems.append(f"the body is not JSON (starts with {_shown(response.body[:20].decode('utf-8', 'replace'))})")
    elif not isinstance(document, dict):
        problems.append(f"the body is JSON {'null' if document is None else type(document).__name__}, not an object")
    return "; ".join(problems) or None


# --- judges ---------------------------------------------------------------------------------------


def _responds(ex: Exchange) -> str | None:
    return ex.problem


def _no_server_error(ex: Exchange) -> str | None:
    assert ex.response is not None
    return f"answered {_answer(ex.response)}: a server error" if ex.response.status >= 500 else None


def _accepts_valid(ex: Exchange) -> str | None:
    response = ex.response
    assert response is not None
    if 200 <= response.status < 300 or response.status >= 500:  # 5xx is no_server_error's finding
        return None
    if error_type_of(response) in modeled_statuses():
        return None
    return f"a valid request was answered {_answer(response)}: expected 200 or one of the modeled errors"


def _rejects_invalid(ex: Exchange) -> str | None:
    assert ex.response is not None
    if 400 <= ex.response.status < 500:
        return None
    return f"invalid input was answered {_answer(ex.response)}: expected a 4xx with an error type"


def _success_status(ex: Exchange) -> str | None:
    assert ex.response is not None
    return None if ex.response.status == 200 else f"success answered with {ex.response.status}, not 200"


def _success_body(ex: Exchange) -> str | None:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"success response: {problem}" if problem else None


def _error_type(ex: Exchange) -> str | None:
    assert ex.response is not None
    raw = ex.response.header(ERROR_TYPE_HEADER)
    if not raw:
        return f"{ex.response.status} without an {ERROR_TYPE_HEADER} header"
    if not CLEAN_NAME.match(raw.strip()):
        return f"{ERROR_TYPE_HEADER} is {_shown(raw)}, not a bare error name"
    return None


def _error_status(ex: Exchange) -> str | None:
    assert ex.response is not None
    kind = error_type_of(ex.response)
    expected = modeled_statuses().get(kind or "") or PROTOCOL_ERROR_STATUSES.get(kind or "")
    if expected is None or expected == ex.response.status:
        return None
    return f"{kind} sent with status {ex.response.status}; its status is {expected}"


def _error_body(ex: Exchange) -> str | None:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"{_answer(ex.response)}: {problem}" if problem else None


def _no_secret_echo(ex: Exchange) -> str | None:
    assert ex.response is not None
    if echoes(ex.response, distinctive_secrets(ex.request.secrets)):
        return f"{_answer(ex.response)} echoes a sensitive value sent in the request"
    return None


def _code_point_length(ex: Exchange) -> str | None:
    assert ex.response is not None and ex.reference is not None
    mine, twin = _answer(ex.response), _answer(ex.reference)
    if mine == twin:
        return None
    return f"answered {mine}, but the same length in ASCII was answered {twin}: lengths must count code points"


def _bounded_time(ex: Exchange) -> str | None:
    assert ex.response is not None and ex.request.budget is not None
    if ex.response.elapsed <= ex.request.budget:
        return None
    return f"answered after {ex.response.elapsed:.1f} s; this input must be answered within {ex.request.budget:g} s"


def _error_message(ex: Exchange) -> str | None:
    assert ex.response is not None
    _, document = _json_object(ex.response)
    if isinstance(document.get("Message"), str):
        return None
    other = "message" if "message" in document else None
    return f"{_answer(ex.response)} has no string `Message` member" + (
        " (it has lower-case `message`)" if other else ""
    )


def _request_id(ex: Exchange) -> str | None:
    assert ex.response is not None
    return None if ex.response.header(REQUEST_ID_HEADER) else f"{ex.response.status} without {REQUEST_ID_HEADER}"


# --- applicability ---------------------------------------------------------------------------------


def _answered(ex: Exchange) -> bool:
    return ex.response is not None


def _operation(ex: Exchange) -> bool:
    return ex.response is not None and ex.request.intent != "foreign"


def _success(ex: Exchange) -> bool:
    return _operation(ex) and ex.response is not None and 200 <= ex.response.status < 300


def _error(ex: Exchange) -> bool:
    return _operation(ex) and ex.response is not None and ex.response.status >= 400


CHECKS: tuple[Check, ...] = (
    Check(
        "responds",
        "required",
        "hang, reset connection, garbage bytes: no HTTP answer in time",
        lambda ex: True,
        _responds,
    ),
    Check("no_server_error", "required", "a 5xx answer to any request", _answered, _no_server_error),
    Check(
        "accepts_valid",
        "required",
        "a valid request answered with anything but 2xx or a modeled error",
        lambda ex: _operation(ex) and ex.request.intent == "valid",
        _accepts_valid,
    ),
    Check(
        "rejects_invalid",
        "required",
        "invalid input (bad JSON, missing/null required, length, pattern, type, media type) not answered 4xx",
        lambda ex: _operation(ex) and ex.request.intent == "invalid",
        _rejects_invalid,
    ),
    Check("success_status", "required", "success with a status other than 200 (e.g. 201)", _success, _success_status),
    Check(
        "success_body",
        "required",
        "success body that is not a JSON object, or not application/json",
        _success,
        _success_body,
    ),
    Check("error_type", "required", f"an error without a bare type name in {ERROR_TYPE_HEADER}", _error, _error_type),
    Check(
        "error_status",
        "required",
        "an error whose status is not its type's modeled (or protocol) status",
        lambda ex: _error(ex) and ex.response is not None and error_type_of(ex.response) is not None,
        _error_status,
    ),
    Check(
        "error_body", "required", "an error that is not application/json with a JSON object body", _error, _error_body
    ),
    Check(
        "no_secret_echo",
        "required",
        f"a sensitive value ({', '.join(sorted(sensitive_request_members()))}) sent back in headers or body",
        lambda ex: _answered(ex) and bool(distinctive_secrets(ex.request.secrets)),
        _no_secret_echo,
    ),
    Check(
        "code_point_length",
        "required",
        "non-ASCII text at a length limit answered unlike ASCII (length counted in bytes or UTF-16 units)",
        lambda ex: _operation(ex) and ex.reference is not None,
        _code_point_length,
        vectors_only=True,
    ),
    Check(
        "bounded_time",
        "required",
        "a ReDoS-shaped value (long allowed run, one bad character) answered slowly (backtracking pattern check)",
        lambda ex: _answered(ex) and ex.request.budget is not None,
        _bounded_time,
        vectors_only=True,
    ),
    Check(
        "error_message",
        "recommended",
        "an error body without the modeled `Message` member (capital M)",
        lambda ex: _error(ex) and ex.response is not None and _json_object(ex.response)[0],
        _error_message,
    ),
    Check("request_id", "recommended", f"a response without {REQUEST_ID_HEADER}", _operation, _request_id),
)
CHECK_IDS = tuple(check.id for check in CHECKS)


def by_id(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    raise KeyError(check_id)


def evaluate(exchange: Exchange) -> list[tuple[Check, str | None]]:
    """Every applicable check with its verdict (``None`` = passed)."""
    return [(check, check.run(exchange)) for check in CHECKS if check.applies(exchange)]
