"""The server checks: plain functions over one (request, response) exchange.

Each check has an id, a level, the Smithy rule it stands on, the exchanges it applies to, and a
judge returning a failure message, ``None`` (passed) or :class:`Unjudged` (the exchange cannot say,
e.g. a pair whose answer was throttled).  They know nothing about where the exchange came from, so
the deterministic vectors, the generated schemathesis cases and the schemathesis hooks module
(:mod:`connect_contract.server.st_hooks`) all use the same ones.  Messages describe the answer
(status, type, header names) and are scrubbed of every sensitive value the request carried.

The verdict policy (README "Verdict policy"): ``required`` fails only where a client following the
Smithy restJson1 client rules would misread the answer, where the protocol says MUST, or where
success payload keys are not the model's; SHOULD-rules and style are ``recommended`` (they decide
the exit code only with ``--strict``).  Every check that needs an error's type uses the type as
clients resolve it (:func:`connect_contract.protocol.resolve_error_type`).

Accepted answers to input problems: Connect models none of ``SerializationException``,
``ValidationException`` or ``UnsupportedMediaTypeException`` for this operation, so any 4xx with a
resolvable error type is accepted -- as long as its status is consistent with the type (a modeled
error must have its modeled status; the protocol errors, theirs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from connect_contract.contracts import REQUEST_ID_HEADER, sensitive_request_members
from connect_contract.model import Shape, load_operation
from connect_contract.protocol import (
    ERROR_TYPE_HEADER,
    FRAMEWORK_MESSAGE_MEMBERS,
    JSON_MEDIA_TYPE,
    PROTOCOL_ERROR_STATUSES,
    ErrorType,
    is_throttling,
    media_type,
    parse_json,
    resolve_error_type,
)
from connect_contract.server.echo import distinctive_secrets, echoes, scrubbed
from connect_contract.server.transport import Exchange, Response

Level = Literal["required", "recommended"]
ALLOW_UNKNOWN_MEMBERS_OPTION = "--allow-unknown-members"
# The checks that hold a success payload to the model's keys, and that the option above relaxes.
MODEL_KEY_CHECKS = frozenset({"success_members"})


@dataclass(frozen=True)
class Unjudged:
    """The check applied but this exchange cannot decide it (say why); neither a pass nor a failure."""

    reason: str


Outcome = str | Unjudged | None  # failure message | cannot judge | passed


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    rule: str  # the Smithy rule (MUST/SHOULD wording or protocol-test name) it stands on
    catches: str  # one line for the README table and --help
    applies: Callable[[Exchange], bool]
    judge: Callable[[Exchange], Outcome]
    vectors_only: bool = False  # needs a twin answer, which only deterministic vectors provide

    def outcome(self, exchange: Exchange) -> Outcome:
        """The failure message (scrubbed of the request's sensitive values), ``Unjudged``, or ``None``."""
        verdict = self.judge(exchange)
        if isinstance(verdict, Unjudged):
            return Unjudged(scrubbed(verdict.reason, exchange.request.secrets))
        return None if verdict is None else scrubbed(verdict, exchange.request.secrets)

    def run(self, exchange: Exchange) -> str | None:
        """The failure message, or ``None`` when it passed or could not judge (see :meth:`outcome`)."""
        verdict = self.outcome(exchange)
        return verdict if isinstance(verdict, str) else None


@cache
def modeled_statuses() -> dict[str, int]:
    return {error.name: error.status for error in load_operation().errors}


def error_type_of(response: Response) -> ErrorType | None:
    return resolve_error_type(response.header, response.body)


def type_name(response: Response) -> str | None:
    """The error type's name when clients resolve it to a clean shape name, else ``None``."""
    resolved = error_type_of(response)
    return resolved.name if resolved is not None and resolved.clean else None


def throttled(response: Response) -> bool:
    return is_throttling(response.status, type_name(response))


def _shown(text: object, limit: int = 60) -> str:
    text = str(text).replace("\n", " ")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _answer(response: Response) -> str:
    kind = type_name(response)
    return f"{response.status} {kind}" if kind else f"{response.status} (no error type)"


def _json_object(response: Response) -> tuple[bool, Any]:
    ok, document = parse_json(response.body)
    return ok and isinstance(document, dict), document


def _body_problem(response: Response) -> str | None:
    """Why a client cannot read the body as a JSON object.

    The media type is not judged here: botocore and the JS SDK v3 parse the body as JSON whatever its
    Content-Type (restjson-bindings.md §8), so a JSON object under another media type is read right
    and only ``json_media_type`` (recommended) reports it.
    """
    ok, document = parse_json(response.body)
    if not response.body:
        return "the body is empty, not a JSON object"
    if not ok:
        return f"the body is not JSON (starts with {_shown(response.body[:20].decode('utf-8', 'replace'))})"
    if not isinstance(document, dict):
        return f"the body is JSON {'null' if document is None else type(document).__name__}, not an object"
    return None


def payload_problems(document: dict[str, Any], shape: Shape, path: str = "") -> list[str]:
    """Members the shape does not know and enum values outside the model, with their JSON path."""
    problems: list[str] = []
    known = {member.name: member for member in shape.members}
    for key, value in document.items():
        where = f"{path}/{key}"
        member = known.get(key)
        if member is None:
            problems.append(f"member `{where}` is not in {shape.name}")
        elif value is not None:
            target = member.shape
            if target.enum and isinstance(value, str) and value not in target.enum:
                problems.append(f"`{where}` is {_shown(value)}, not a value of enum {target.name}")
            elif target.type == "structure" and isinstance(value, dict):
                problems += payload_problems(value, target, where)
    return problems


# --- judges ---------------------------------------------------------------------------------------


def _responds(ex: Exchange) -> Outcome:
    return ex.problem


def _no_server_error(ex: Exchange) -> Outcome:
    assert ex.response is not None
    return f"answered {_answer(ex.response)}: a server error" if ex.response.status >= 500 else None


def _accepts_valid(ex: Exchange) -> Outcome:
    response = ex.response
    assert response is not None
    if 200 <= response.status < 300:
        return None
    kind = type_name(response)
    if response.status < 500 and kind in modeled_statuses():
        return None
    if response.status < 500 and throttled(response):  # the front end said "slow down": nothing about the request
        return Unjudged(f"answered {_answer(response)} (throttled): says nothing about the request")
    why = "a server error is never a refusal" if response.status >= 500 else "not one of the modeled errors"
    return f"a valid request was answered {_answer(response)}: expected 200 or a modeled error ({why})"


def _rejects_invalid(ex: Exchange) -> Outcome:
    assert ex.response is not None
    if throttled(ex.response):
        return Unjudged(f"answered {_answer(ex.response)} (throttled): says nothing about the input")
    if 400 <= ex.response.status < 500:
        return None
    return f"invalid input was answered {_answer(ex.response)}: expected a 4xx with an error type"


def _success_status(ex: Exchange) -> Outcome:
    assert ex.response is not None
    return None if ex.response.status == 200 else f"success answered with {ex.response.status}, not 200"


def _success_body(ex: Exchange) -> Outcome:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"success response: {problem}" if problem else None


def _success_members(ex: Exchange) -> Outcome:
    assert ex.response is not None
    op = load_operation()
    _, document = _json_object(ex.response)
    problems = payload_problems(document, op.output)
    if not problems:
        return None
    return (
        f"success body: {'; '.join(problems[:3])} (the model of botocore {op.botocore_version}). "
        f"The one legitimate cause is a server built on a newer model than the installed botocore: "
        f"upgrade botocore, or pass {ALLOW_UNKNOWN_MEMBERS_OPTION} to make this a recommendation"
    )


def _error_type(ex: Exchange) -> Outcome:
    assert ex.response is not None
    resolved = error_type_of(ex.response)
    if resolved is None:
        return (
            f"{ex.response.status} without an error type: no {ERROR_TYPE_HEADER} header, "
            "no body `code` or `__type` (a client cannot tell which error it is)"
        )
    if not resolved.clean:
        return (
            f"the error type {_shown(resolved.raw)} (from {resolved.source}) resolves to "
            f"{_shown(resolved.name) if resolved.name is not None else 'nothing'}, not a shape name"
        )
    return None


def _error_type_style(ex: Exchange) -> Outcome:
    assert ex.response is not None
    resolved = error_type_of(ex.response)
    assert resolved is not None
    if resolved.bare:
        return None
    if resolved.source != "header":
        return (
            f"the type {resolved.name} is only in the body `{resolved.source}`: new servers MUST send it in "
            f"the {ERROR_TYPE_HEADER} header (clients MUST read the body too, so a client is not misled)"
        )
    return (
        f"{ERROR_TYPE_HEADER} is {_shown(resolved.raw)}: new servers SHOULD send only the shape name "
        f"({resolved.name}), without a namespace or a `:` suffix"
    )


def _error_status(ex: Exchange) -> Outcome:
    assert ex.response is not None
    kind = type_name(ex.response) or ""
    expected = modeled_statuses().get(kind) or PROTOCOL_ERROR_STATUSES.get(kind)
    if expected is None or expected == ex.response.status:
        return None
    return f"{kind} sent with status {ex.response.status}; its status is {expected}"


def _error_body(ex: Exchange) -> Outcome:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"{_answer(ex.response)}: {problem}" if problem else None


def _json_media_type(ex: Exchange) -> Outcome:
    assert ex.response is not None
    sent = media_type(ex.response.header("content-type"))
    if sent == JSON_MEDIA_TYPE:
        return None
    shown = _shown(sent or "(no Content-Type)")
    return f"{_answer(ex.response)} is sent as {shown}; restJson1's Content-Type is {JSON_MEDIA_TYPE}"


def _no_secret_echo(ex: Exchange) -> Outcome:
    assert ex.response is not None
    if echoes(ex.response, distinctive_secrets(ex.request.secrets)):
        return f"{_answer(ex.response)} echoes a sensitive value sent in the request"
    return None


def _code_point_length(ex: Exchange) -> Outcome:
    assert ex.response is not None and ex.reference is not None
    mine, twin = _answer(ex.response), _answer(ex.reference)
    if throttled(ex.response) or throttled(ex.reference):
        return Unjudged(f"answered {mine}, its ASCII twin {twin}: a throttled answer leaves the pair unjudged")
    if mine == twin:
        return None
    return f"answered {mine}, but the same length in ASCII was answered {twin}: lengths must count code points"


def _bounded_time(ex: Exchange) -> Outcome:
    assert ex.response is not None and ex.request.budget is not None
    if ex.response.elapsed <= ex.request.budget:
        return None
    return f"answered after {ex.response.elapsed:.1f} s; this input must be answered within {ex.request.budget:g} s"


def message_member(response: Response) -> tuple[str, ...]:
    """The message member(s) the error's own shape has: the modeled error's, the framework error's,
    or -- for a type the harness knows no shape of -- either spelling clients read."""
    kind = type_name(response) or ""
    if kind in modeled_statuses():
        names = {member.name for member in load_operation().error(kind).shape.members}
        return tuple(name for name in ("Message", "message") if name in names)
    if kind in FRAMEWORK_MESSAGE_MEMBERS:
        return (FRAMEWORK_MESSAGE_MEMBERS[kind],)
    return ("Message", "message")


def _error_message(ex: Exchange) -> Outcome:
    assert ex.response is not None
    _, document = _json_object(ex.response)
    expected = message_member(ex.response)
    if not expected or any(isinstance(document.get(name), str) for name in expected):
        return None
    other = next((name for name in ("Message", "message") if name in document and name not in expected), None)
    wanted = " or ".join(f"`{name}`" for name in expected)
    return f"{_answer(ex.response)} has no string {wanted} member" + (f" (it has `{other}`)" if other else "")


def _request_id(ex: Exchange) -> Outcome:
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


def _typed_error(ex: Exchange) -> bool:
    """An error whose type resolves to a clean name (``error_type`` judges the others)."""
    return _error(ex) and ex.response is not None and type_name(ex.response) is not None


def _readable_json(ex: Exchange) -> bool:
    """A JSON object a client reads (``success_body`` / ``error_body`` judge the others)."""
    return _operation(ex) and ex.response is not None and _json_object(ex.response)[0]


ERRORS_SECTION = "restJson1 'Operation error serialization'"
CHECKS: tuple[Check, ...] = (
    Check(
        "responds",
        "required",
        "HTTP: a request gets a response",
        "hang, reset connection, garbage bytes: no HTTP answer in time",
        lambda ex: True,
        _responds,
    ),
    Check(
        "no_server_error",
        "required",
        "httpMalformedRequestTests: bad input is a client error (4xx), never 5xx",
        "a 5xx answer to any request",
        _answered,
        _no_server_error,
    ),
    Check(
        "accepts_valid",
        "required",
        "Smithy http trait: a valid request gets the operation's output or a modeled error",
        "a valid request answered with anything but 2xx or a modeled 4xx error (a 5xx included)",
        lambda ex: _operation(ex) and ex.request.intent == "valid",
        _accepts_valid,
    ),
    Check(
        "rejects_invalid",
        "required",
        "httpMalformedRequestTests (malformedRequests, validation): 400/415 for malformed input",
        "invalid input (bad JSON, missing/null required, length, pattern, type, media type) not answered 4xx",
        lambda ex: _operation(ex) and ex.request.intent == "invalid",
        _rejects_invalid,
    ),
    Check(
        "success_status",
        "required",
        "Smithy http trait: `code` defaults to 200",
        "success with a status other than 200 (e.g. 201)",
        _success,
        _success_status,
    ),
    Check(
        "success_body",
        "required",
        "restJson1 'JSON shape serialization': a structure is a JSON object",
        "success body that is not a JSON object",
        _success,
        _success_body,
    ),
    Check(
        "success_members",
        "required",
        "restJson1 'JSON shape serialization': members are the structure's (payload keys are the model's)",
        "success body member the model's output shape does not know, or an enum value outside the model",
        lambda ex: _success(ex) and ex.response is not None and _json_object(ex.response)[0],
        _success_members,
    ),
    Check(
        "error_type",
        "required",
        f"{ERRORS_SECTION}: clients MUST accept the type from the header, `code` or `__type`",
        f"an error without a type (no {ERROR_TYPE_HEADER}, body `code` or `__type`), or not a shape name",
        _error,
        _error_type,
    ),
    Check(
        "error_status",
        "required",
        "restJson1 httpError trait: the error's status is its modeled status",
        "an error whose status is not its type's modeled (or protocol) status",
        _typed_error,
        _error_status,
    ),
    Check(
        "error_body",
        "required",
        f"{ERRORS_SECTION}: errors are serialized identically to responses (a JSON object)",
        "an error whose body is not a JSON object (e.g. an HTML page)",
        _error,
        _error_body,
    ),
    Check(
        "no_secret_echo",
        "required",
        "Smithy sensitive trait; validation tests: the value is never echoed",
        f"a sensitive value ({', '.join(sorted(sensitive_request_members()))}) sent back in headers or body",
        lambda ex: _answered(ex) and bool(distinctive_secrets(ex.request.secrets)),
        _no_secret_echo,
    ),
    Check(
        "code_point_length",
        "required",
        "Smithy length trait: lengths count Unicode code points",
        "non-ASCII text at a length limit answered unlike ASCII (length counted in bytes or UTF-16 units)",
        lambda ex: _operation(ex) and ex.reference is not None,
        _code_point_length,
        vectors_only=True,
    ),
    Check(
        "bounded_time",
        "required",
        "Smithy pattern trait (ECMA 262 regex); malformed-request tests must not hang",
        "a ReDoS-shaped value (long allowed run, one bad character) answered slowly (backtracking pattern check)",
        lambda ex: _answered(ex) and ex.request.budget is not None,
        _bounded_time,
        vectors_only=True,
    ),
    Check(
        "error_type_style",
        "recommended",
        f"{ERRORS_SECTION}: new servers MUST use the {ERROR_TYPE_HEADER} header and SHOULD NOT send "
        "anything but the shape name",
        f"an error type only in the body, or in {ERROR_TYPE_HEADER} with a namespace (`ns#`) or a `:` suffix",
        _typed_error,
        _error_type_style,
    ),
    Check(
        "json_media_type",
        "recommended",
        "restJson1 'Content-Type': the default Content-Type is application/json",
        "a JSON body sent as another media type (application/x-amz-json-1.1, text/plain, none)",
        _readable_json,
        _json_media_type,
    ),
    Check(
        "error_message",
        "recommended",
        "RestJsonInvalidGreetingError (errors.smithy): the message in the error shape's own member",
        "an error body without its shape's message member (`Message` when modeled, `message` for "
        "smithy.framework#ValidationException)",
        lambda ex: _error(ex) and ex.response is not None and _json_object(ex.response)[0],
        _error_message,
    ),
    Check(
        "request_id",
        "recommended",
        "AWS convention (not a Smithy rule): x-amzn-RequestId identifies the call",
        f"a response without {REQUEST_ID_HEADER}",
        _operation,
        _request_id,
    ),
)
CHECK_IDS = tuple(check.id for check in CHECKS)


def checks_for(*, allow_unknown_members: bool = False) -> tuple[Check, ...]:
    """The checks in effect: with ``--allow-unknown-members`` the model-key checks are recommendations."""
    from connect_contract.registry import server_checks  # users' own, from @connect_contract.server_check

    checks = CHECKS + server_checks()
    if not allow_unknown_members:
        return checks
    return tuple(replace(check, level="recommended") if check.id in MODEL_KEY_CHECKS else check for check in checks)


def by_id(check_id: str, checks: tuple[Check, ...] = CHECKS) -> Check:
    for check in checks:
        if check.id == check_id:
            return check
    raise KeyError(check_id)


def judge_exchange(exchange: Exchange, checks: tuple[Check, ...] = CHECKS) -> list[tuple[Check, Outcome]]:
    """Every applicable check with its outcome: a message, :class:`Unjudged`, or ``None`` (passed)."""
    return [(check, check.outcome(exchange)) for check in checks if check.applies(exchange)]


def evaluate(exchange: Exchange, checks: tuple[Check, ...] = CHECKS) -> list[tuple[Check, str | None]]:
    """Every applicable check that could judge, with its verdict (``None`` = passed)."""
    return [
        (check, outcome) for check, outcome in judge_exchange(exchange, checks) if not isinstance(outcome, Unjudged)
    ]
