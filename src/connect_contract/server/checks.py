"""The server checks: plain functions over one (request, response) exchange.

Each check has an id, a level, the Smithy rule it stands on, the exchanges it applies to, and a
judge returning a failure message, ``None`` (passed) or :class:`Unjudged` (the exchange cannot say,
e.g. a pair whose answer was throttled).  They know nothing about where the exchange came from, so
the deterministic vectors, the generated schemathesis cases and the schemathesis hooks module
(:mod:`connect_contract.server.st_hooks`) all use the same ones.  Messages describe the answer
(status, type, header names) and are scrubbed of every sensitive value the request carried.

The verdict policy (docs/verdict-policy.md): ``required`` fails only where a client following the
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

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

import botocore
import botocore.model

from connect_contract.contracts import REQUEST_ID_HEADER, sensitive_request_members
from connect_contract.contracts.parts import response_parts, validator
from connect_contract.model import Shape
from connect_contract.operations import ServiceOperation, mission_operation
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
    catches: str  # one line for the check table (docs/server-checks.md) and --help
    applies: Callable[[Exchange], bool]
    judge: Callable[[Exchange], Outcome]
    vectors_only: bool = False  # needs a twin answer, which only deterministic vectors provide
    # False where the operation's cases give it nothing to judge by design (see :func:`checks_for`): it
    # still judges every exchange it applies to, but a run that judged none has no gap to report.
    must_exercise: bool = True

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


def operation_of(ex: Exchange) -> ServiceOperation:
    """The operation the exchange's request was meant for (the mission operation unless it says otherwise)."""
    return ex.request.operation or mission_operation()


@cache
def modeled_statuses(op: ServiceOperation | None = None) -> dict[str, int]:
    return {error.name: error.status for error in (op or mission_operation()).errors}


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


SIZE_LIMIT_STATUSES = frozenset({413, 431})  # RFC 9110 15.5.14 Content Too Large, RFC 6585 §5


def _accepts_valid(ex: Exchange) -> Outcome:
    response = ex.response
    assert response is not None
    if 200 <= response.status < 300:
        return None
    kind = type_name(response)
    if response.status < 500 and kind in modeled_statuses(operation_of(ex)):
        return None
    if response.status < 500 and throttled(response):  # the front end said "slow down": nothing about the request
        return Unjudged(f"answered {_answer(response)} (throttled): says nothing about the request")
    if response.status in SIZE_LIMIT_STATUSES and kind is not None:
        # A model-valid value can still exceed what a front end takes (a 100,000-character token in a
        # body or a query): a typed 413/431 is the server's size limit, not a misread of the contract.
        return Unjudged(f"answered {_answer(response)}: the request exceeded the server's size limit")
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
    op = operation_of(ex)
    if op.status_member is not None:  # @httpResponseCode: any 2xx is the member's value
        return None
    expected = op.response_code
    return None if ex.response.status == expected else f"success answered with {ex.response.status}, not {expected}"


def _success_body(ex: Exchange) -> Outcome:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"success response: {problem}" if problem else None


def output_problems(value: Any, shape: botocore.model.Shape, path: str = "") -> list[str]:
    """Members a structure does not know and enum values outside the model, at any depth, with their JSON path."""
    if value is None:
        return []
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict) and not shape.is_document_type:
        known = {member.serialization.get("name", name): member for name, member in shape.members.items()}
        problems: list[str] = []
        for key, item in value.items():
            member = known.get(key)
            if member is None:
                problems.append(f"member `{path}/{key}` is not in {shape.name}")
            else:
                problems += output_problems(item, member, f"{path}/{key}")
        return problems
    if isinstance(shape, botocore.model.ListShape) and isinstance(value, list):
        return [p for index, item in enumerate(value) for p in output_problems(item, shape.member, f"{path}/{index}")]
    if isinstance(shape, botocore.model.MapShape) and isinstance(value, dict):
        return [p for key, item in value.items() for p in output_problems(item, shape.value, f"{path}/{key}")]
    enum = shape.metadata.get("enum")
    if enum and isinstance(value, str) and value not in enum:
        return [f"`{path}` is {_shown(value)}, not a value of enum {shape.name}"]
    return []


def _success_members(ex: Exchange) -> Outcome:
    assert ex.response is not None
    op = operation_of(ex)
    _, document = _json_object(ex.response)
    output = op.model.output_shape
    payload = op.output_payload
    if payload is not None:
        problems = output_problems(document, payload.shape)
    elif output is not None and op.has_json_output_body:
        body_members = {b.wire_name for b in op.output_body}
        problems = [f"member `/{key}` is not in {output.name}" for key in document if key not in body_members]
        for binding in op.output_body:
            problems += output_problems(document.get(binding.wire_name), binding.shape, f"/{binding.wire_name}")
    else:
        return None  # no output: clients read nothing from the body (restjson-bindings.md section 6)
    if not problems:
        return None
    return (
        f"success body: {'; '.join(problems[:3])} (the model of botocore {botocore.__version__}). "
        f"The one legitimate cause is a server built on a newer model than the installed botocore: "
        f"upgrade botocore, or pass {ALLOW_UNKNOWN_MEMBERS_OPTION} to make this a recommendation"
    )


# Schema keywords whose failures are success_members' (relaxed by --allow-unknown-members), not success_output's.
_MODEL_KEY_KEYWORDS = frozenset({"enum", "additionalProperties", "unevaluatedProperties"})
# Keywords whose messages name keys only, never the value (safe to quote whatever the member holds).
_NAMES_ONLY = frozenset({"required", "dependentRequired"})
# Constraint traits (length, range, pattern) are input validation: "Smithy server SDKs will only validate
# input values against constraint traits. While output structures can have constraint traits applied,
# they will never be evaluated" (smithy-typescript's server validation docs), and neither botocore nor the
# JS SDK v3 checks them on output, so an output outside them is read as sent.  Where a pattern or length
# carries the wire form itself (timestamps, base64 blobs), breaking it is a misread, and it is kept.
_CONSTRAINT_KEYWORDS = frozenset(
    {"minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "minProperties", "maxProperties"}
    | {"pattern", "propertyNames"}
)


def _wire_form(schema: Any) -> bool:
    return isinstance(schema, dict) and ("x-aws-timestamp-format" in schema or "contentEncoding" in schema)


def output_contract_problems(op: ServiceOperation, response: Response) -> list[str]:
    """How a success answer breaks ``op``'s output contract: headers, body types, timestamps, required members.

    The answer is decoded as a client reads it (:func:`connect_contract.contracts.parts.response_parts`).
    Messages never quote a value (an output member may be ``sensitive``): they name where and what the
    model says instead.  Unknown members and enum values are ``success_members``'; the status,
    ``success_status``'.
    """
    parts = response_parts(op, response.status, response.headers, response.body)
    checks = [("headers", "response/headers.schema.json", parts.headers)]
    if parts.body_error is None and (op.has_json_output_body or op.output_payload is not None):
        checks.append(("body", "response/body.schema.json", parts.body))
    return contract_problems(op, checks)


def contract_problems(
    op: ServiceOperation, checks: list[tuple[str, str, Any]], ignored: frozenset[str] = frozenset()
) -> list[str]:
    """How each (location, contract file, instance) breaks ``op``'s contract file, as a client would misread
    it: unknown members and enum values (``_MODEL_KEY_KEYWORDS``), constraints other than wire forms, and
    the keywords in ``ignored`` are not judged.  Messages never quote a value."""
    problems = []
    for location, path, instance in checks:
        for error in validator(op, path).iter_errors(instance):
            if error.validator in _MODEL_KEY_KEYWORDS or error.validator in ignored:
                continue
            if error.validator in _CONSTRAINT_KEYWORDS and not _wire_form(error.schema):
                continue
            where = "/".join(str(p) for p in error.absolute_path)
            if error.validator in _NAMES_ONLY:
                what = error.message
            else:
                what = f"breaks `{error.validator}`: the model says {_shown(error.validator_value, 80)}"
            problems.append(f"{location}{'/' + where if where else ''}: {what}")
    return sorted(problems)


def _success_output(ex: Exchange) -> Outcome:
    assert ex.response is not None
    problems = output_contract_problems(operation_of(ex), ex.response)
    if not problems:
        return None
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"success answer breaks the output contract: {'; '.join(problems[:3])}{more}"


def _label_percent_decoding(ex: Exchange) -> Outcome:
    assert ex.response is not None and ex.reference is not None
    mine, twin = _answer(ex.response), _answer(ex.reference)
    if throttled(ex.response) or throttled(ex.reference):
        return Unjudged(f"answered {mine}, its plain twin {twin}: a throttled answer leaves the pair unjudged")
    if mine == twin:
        return None
    return (
        f"a valid label holding a percent-encoded character was answered {mine}, its plain twin of the same "
        f"length {twin}: labels must be percent-decoded before they are read"
    )


def output_token(op: ServiceOperation, document: Any) -> str | None:
    """The paginator's output token in a success body (botocore's ``output_token`` expression), if any."""
    if op.paginator is None or not isinstance(document, dict):
        return None
    expression = op.paginator["output_token"]
    expression = expression[0] if isinstance(expression, list) else expression
    token: Any = document
    for name in str(expression).split("."):  # botocore's tokens are (dotted) member paths
        token = token.get(name) if isinstance(token, dict) else None
    return token if isinstance(token, str) and token else None


def _pagination_token(ex: Exchange) -> Outcome:
    assert ex.response is not None and ex.earlier_tokens is not None
    _, document = _json_object(ex.response)
    token = output_token(operation_of(ex), document)
    if token is None or token not in ex.earlier_tokens:
        return None
    page = ex.earlier_tokens.index(token) + 1
    return (
        f"page {len(ex.earlier_tokens) + 1} returned the same next token as page {page}: a paginator following it "
        "never ends (the JS SDK v3 loops: @smithy/core createPaginator stops on a repeated token only with "
        "stopOnSameToken; botocore raises PaginationError 'The same next token was received twice')"
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
    expected = modeled_statuses(operation_of(ex)).get(kind) or PROTOCOL_ERROR_STATUSES.get(kind)
    if expected is None or expected == ex.response.status:
        return None
    return f"{kind} sent with status {ex.response.status}; its status is {expected}"


def _error_body(ex: Exchange) -> Outcome:
    assert ex.response is not None
    problem = _body_problem(ex.response)
    return f"{_answer(ex.response)}: {problem}" if problem else None


def _without_nulls(value: Any) -> Any:
    """``value`` without ``null`` object members: clients read a null member as absent (botocore's parser
    and the JS SDK v3's ``expect*`` helpers both give "not set"), so it is never a misread."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def error_contract_problems(op: ServiceOperation, error: str, document: dict[str, Any]) -> list[str]:
    """How an error body breaks its modeled error shape's contract (``errors/<Name>.schema.json``): members
    of the wrong JSON type or wire format.  Members the shape lacks pass (the schema is open: clients ignore
    them, and AWS services send e.g. a lowercase ``message`` beside or instead of a modeled ``Message``), and
    so do missing ones (``required``): a client reads what is there, and ``error_message`` judges the
    message member as a recommendation."""
    checks = [("body", f"errors/{error}.schema.json", _without_nulls(document))]
    return contract_problems(op, checks, ignored=frozenset({"required", "dependentRequired"}))


def _shaped_error_body(ex: Exchange) -> bool:
    """A typed error with a JSON object body whose type has a shape the harness knows: one of the operation's
    modeled errors, or a framework error (``smithy.framework#ValidationException``)."""
    if not (_typed_error(ex) and _carries_body(ex)) or ex.response is None:
        return False
    kind = type_name(ex.response)
    known = kind in modeled_statuses(operation_of(ex)) or kind in FRAMEWORK_MESSAGE_MEMBERS
    return known and _json_object(ex.response)[0]


def _error_members(ex: Exchange) -> Outcome:
    assert ex.response is not None
    op = operation_of(ex)
    kind = type_name(ex.response) or ""
    _, document = _json_object(ex.response)
    if kind in modeled_statuses(op):
        problems = error_contract_problems(op, kind, document)
    else:  # smithy.framework#ValidationException: its message member is a String (Smithy's framework shape)
        member = FRAMEWORK_MESSAGE_MEMBERS[kind]
        value = document.get(member)
        problems = [] if value is None or isinstance(value, str) else [f"body/{member}: breaks `type`: not a string"]
    if not problems:
        return None
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"{_answer(ex.response)} breaks the {kind} error shape: {'; '.join(problems[:3])}{more}"


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


def message_member(response: Response, op: ServiceOperation | None = None) -> tuple[str, ...]:
    """The message member(s) the error's own shape has: the modeled error's, the framework error's,
    or -- for a type the harness knows no shape of -- either spelling clients read."""
    op = op or mission_operation()
    kind = type_name(response) or ""
    if kind in modeled_statuses(op):
        names = set(op.error(kind).shape.members)
        return tuple(name for name in ("Message", "message") if name in names)
    if kind in FRAMEWORK_MESSAGE_MEMBERS:
        return (FRAMEWORK_MESSAGE_MEMBERS[kind],)
    return ("Message", "message")


def _error_message(ex: Exchange) -> Outcome:
    assert ex.response is not None
    _, document = _json_object(ex.response)
    expected = message_member(ex.response, operation_of(ex))
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


def _carries_body(ex: Exchange) -> bool:
    """An answer that can carry a body: never one to HEAD (HTTP), whose errors clients read from the status."""
    return ex.request.method.upper() != "HEAD"


def _json_success(ex: Exchange) -> bool:
    """A success whose body a client parses as JSON: the mission operation's always (its output is ``{}``);
    another operation's when its output has JSON body members, and the answer has a body at all (an empty
    body is an empty result to botocore and the JS SDK v3: RestJsonEmptyInputAndEmptyOutputJsonObjectOutput)."""
    if not (_success(ex) and _carries_body(ex)):
        return False
    if ex.request.operation is None:
        return True
    assert ex.response is not None
    return operation_of(ex).has_json_output_body and bool(ex.response.body)


def _body_error(ex: Exchange) -> bool:
    return _error(ex) and _carries_body(ex)


def _typed_error(ex: Exchange) -> bool:
    """An error whose type resolves to a clean name (``error_type`` judges the others)."""
    return _error(ex) and ex.response is not None and type_name(ex.response) is not None


def _may_echo(ex: Exchange) -> bool:
    """Sensitive request values may not come back -- except in a success answer whose output models
    sensitive members (``DescribeInstance`` returns the ``InstanceAlias`` that ``CreateInstance`` was sent)."""
    if not (_answered(ex) and distinctive_secrets(ex.request.secrets)):
        return False
    assert ex.response is not None
    return ex.response.status >= 300 or not _output_is_sensitive(operation_of(ex))


@cache
def _output_is_sensitive(op: ServiceOperation) -> bool:
    from connect_contract.contracts.schemas import SENSITIVE_KEYWORD

    schema = validator(op, "response/body.schema.json").schema if op.has_json_output_body else {}
    return SENSITIVE_KEYWORD in json.dumps(schema) or any(b.sensitive for b in op.output)


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
        _json_success,
        _success_body,
    ),
    Check(
        "success_members",
        "required",
        "restJson1 'JSON shape serialization': members are the structure's (payload keys are the model's)",
        "success body member the model's output shape does not know, or an enum value outside the model",
        lambda ex: _json_success(ex) and ex.response is not None and _json_object(ex.response)[0],
        _success_members,
    ),
    Check(
        "success_output",
        "required",
        "restJson1 'JSON shape serialization', httpHeader, timestampFormat; Smithy required trait: the output's "
        "members have their modeled types and wire formats, required ones present",
        "a success member of the wrong JSON type, a timestamp in another format, a missing required member, "
        "a malformed output header",
        lambda ex: _success(ex) and bool(operation_of(ex).output),
        _success_output,
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
        _body_error,
        _error_body,
    ),
    Check(
        "error_members",
        "required",
        f"{ERRORS_SECTION}: an error is a structure, serialized like any (restJson1 'JSON shape serialization', "
        "timestampFormat): modeled members have their JSON types and wire formats",
        "a member of a typed error's body with the wrong JSON type or wire format (e.g. `Message` as a list; the "
        "modeled errors' shapes, and `message` of smithy.framework#ValidationException); members the shape lacks "
        "(a lowercase `message`) and missing ones pass",
        _shaped_error_body,
        _error_members,
    ),
    Check(
        "no_secret_echo",
        "required",
        "Smithy sensitive trait; validation tests: the value is never echoed",
        f"a sensitive value ({', '.join(sorted(sensitive_request_members()))}) sent back in headers or body",
        _may_echo,
        _no_secret_echo,
    ),
    Check(
        "code_point_length",
        "required",
        "Smithy length trait: lengths count Unicode code points",
        "non-ASCII text at a length limit answered unlike ASCII (length counted in bytes or UTF-16 units)",
        lambda ex: _operation(ex) and ex.reference is not None and ex.pair == "code-points",
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
        "label_percent_decoding",
        "required",
        "Smithy httpLabel: label values are percent-encoded on the wire (RestJsonHttpRequestLabelEscaping), "
        "so a server reads them decoded",
        "a valid label value with a percent-encoded character answered unlike its plain twin (label read encoded)",
        lambda ex: _operation(ex) and ex.reference is not None and ex.pair == "label-encoding",
        _label_percent_decoding,
        vectors_only=True,
    ),
    Check(
        "pagination_token",
        "required",
        "Smithy paginated trait: the output token must not repeat (botocore paginate.py raises PaginationError; "
        "the JS SDK v3 paginator loops unless stopOnSameToken)",
        "a paginated operation whose next token repeats one already returned",
        lambda ex: _success(ex) and ex.earlier_tokens is not None,
        _pagination_token,
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


def _concerns(check: Check, op: ServiceOperation) -> bool:
    """Whether ``check`` can apply to ``op`` at all (a check that never could would stay unexercised)."""
    if check.id == "success_output":
        return bool(op.output)
    if check.id == "pagination_token":
        return op.paginator is not None
    if check.id == "label_percent_decoding":
        # Judged on a pair of model vectors only (the mission operation's hand-tuned vectors have none); a
        # label no percent-encoded value fits (an ARN or id pattern) gets no pair, so the pair decides.
        return op is not mission_operation() and _vector_facts(op).label_pairs
    if op is mission_operation():
        return True
    if check.id in ("success_body", "success_members"):
        return op.has_json_output_body and op.http_method != "HEAD"
    if check.id in ("error_body", "error_message", "json_media_type"):
        return op.http_method != "HEAD"  # a HEAD answer has no body (HTTP); clients read its status
    if check.id == "error_members":
        return op.http_method != "HEAD" and bool(op.errors)
    # Only the mission operation's hand-tuned vectors (contracts/vectors/server.json) carry the
    # code-point and ReDoS cases; another operation's sensitive values exist only if its input has some.
    if check.id in ("code_point_length", "bounded_time"):
        return False
    if check.id == "no_secret_echo":
        from connect_contract.contracts.schemas import SENSITIVE_KEYWORD

        schemas = ("request/path.schema.json", "request/query.schema.json", "request/body.schema.json")
        return any(
            path in _schema_paths(op) and SENSITIVE_KEYWORD in json.dumps(validator(op, path).schema)
            for path in schemas
        )
    return True


# The built-in checks that only an error answer (or an invalid request) gives something to judge
# (error_members: the check another branch adds to CHECKS this session; an id not in CHECKS is harmless).
ERROR_ANSWER_CHECKS = frozenset(
    {"rejects_invalid", "error_type", "error_status", "error_body", "error_members"}
    | {"error_type_style", "error_message"}
)


@dataclass(frozen=True)
class VectorFacts:
    """What an operation's model vectors (:mod:`connect_contract.server.model_vectors`) can provoke."""

    invalid_input: bool  # some vector is invalid input: a correct server answers it with an error
    label_pairs: bool  # some vector pairs a percent-encoded label with its plain twin
    secrets: bool  # some vector carries a sensitive value to search for, in an answer that may not echo it


@cache
def _vector_facts(op: ServiceOperation) -> VectorFacts:
    """Read from the vectors themselves, so what a run must exercise is what its cases can reach.  An
    operation whose vectors cannot be built answers "yes" to both: the run reports that gap itself."""
    from connect_contract.server.inputs import NoValidValue
    from connect_contract.server.model_vectors import model_vectors
    from connect_contract.server.vectors import VectorError

    try:
        vectors = model_vectors(op)
    except (NoValidValue, VectorError):
        return VectorFacts(invalid_input=True, label_pairs=True, secrets=True)
    return VectorFacts(
        invalid_input=any(v.expect == "invalid" for v in vectors),
        label_pairs=any(v.pair == "label-encoding" and v.same_as is not None for v in vectors),
        # As check no_secret_echo applies (_may_echo): a valid vector's success may echo a sensitive output.
        secrets=any(
            distinctive_secrets(v.markers) and (v.expect == "invalid" or not _output_is_sensitive(op)) for v in vectors
        ),
    )


def _must_exercise(check: Check, op: ServiceOperation) -> bool:
    """Whether a run over ``op`` that judged no case of ``check`` has a gap (``--strict`` fails on it).

    The error checks need an error answer.  When no input of the operation can be invalid (every member a
    free string in a label, query or header: the model-vector expansion yields no invalid vector), a correct
    server answers every case 2xx, and no error is ever provoked: the checks stay in effect -- an error that
    does come back is judged -- but judging none is no gap.  Likewise ``no_secret_echo`` where the input
    models a sensitive member but no vector carries a value of it distinctive enough to search for (one in a
    union branch the model-valid input does not take: bedrock-runtime ApplyGuardrail's ``content[].image``).
    The mission operation keeps every check.
    """
    if op is mission_operation():
        return True
    if check.id == "no_secret_echo":
        return _vector_facts(op).secrets
    if check.id in ERROR_ANSWER_CHECKS:
        return _vector_facts(op).invalid_input
    return True


def _schema_paths(op: ServiceOperation) -> frozenset[str]:
    from connect_contract.contracts.ondemand import operation_documents

    return frozenset(operation_documents(op))


def checks_for(*, allow_unknown_members: bool = False, operation: ServiceOperation | None = None) -> tuple[Check, ...]:
    """The checks in effect for ``operation`` (default: the mission operation); with
    ``--allow-unknown-members`` the model-key checks are recommendations."""
    from connect_contract.registry import server_checks  # users' own, from @connect_contract.server_check

    op = operation or mission_operation()
    chosen = tuple(
        check if _must_exercise(check, op) else replace(check, must_exercise=False)
        for check in CHECKS + server_checks()
        if _concerns(check, op)
    )
    if not allow_unknown_members:
        return chosen
    return tuple(replace(check, level="recommended") if check.id in MODEL_KEY_CHECKS else check for check in chosen)


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
