"""Facts of the AWS restJson1 protocol that the harness judges by, in one place.

Sources (quoted in docs/verdict-policy.md):

- Smithy ``docs/source-2.0/aws/protocols/aws-restjson1-protocol.rst``, section "Operation error
  serialization": where the error type travels, how clients sanitize it;
- the Smithy protocol tests ``smithy-aws-protocol-tests/model/restJson1/errors.smithy`` (type
  resolution vectors) and ``.../restJson1/malformedRequests`` (protocol errors and their statuses);
- ``smithy-validation-model/model/smithy.framework.validation.smithy`` (the framework
  ``ValidationException`` shape);
- botocore's parser (``RestJSONParser._inject_error_code``) and retry handler
  (``botocore.retries.standard``), i.e. what a real client does.

Operation facts (members, modeled errors, statuses) are not here: they come from the model
(:mod:`connect_contract.model`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from botocore.retries.standard import ThrottledRetryableChecker

from connect_contract import sigv4
from connect_contract.contracts import ERROR_TYPE_HEADER

__all__ = [
    "CLEAN_NAME",
    "ERROR_TYPE_HEADER",
    "FRAMEWORK_MESSAGE_MEMBERS",
    "JSON_MEDIA_TYPE",
    "PROTOCOL_ERROR_STATUSES",
    "THROTTLING_STATUS",
    "THROTTLING_TYPES",
    "ErrorType",
    "is_json_media_type",
    "is_throttling",
    "media_type",
    "parse_json",
    "resolve_error_type",
    "sanitize_error_type",
]

# --- media types -----------------------------------------------------------------------------------

# "The aws.protocols#restJson1 protocol uses a default Content-Type of application/json" (section
# "Content-Type").  Neither botocore nor the JS SDK v3 looks at a response's Content-Type before
# parsing the body as JSON, so any JSON media type is read correctly: the AWS JSON 1.0/1.1 types
# (``application/x-amz-json-1.1``, which some AWS front ends send on errors) and ``*/*+json``.
JSON_MEDIA_TYPE = "application/json"
_JSON_FAMILY = re.compile(r"^application/(json|x-amz-json-\d+\.\d+|[a-z0-9.+-]+\+json)$")


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` -> ``application/json`` (lower case, parameters dropped)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media_type(content_type: str | None) -> bool:
    return bool(_JSON_FAMILY.match(media_type(content_type)))


def parse_json(body: bytes) -> tuple[bool, Any]:
    """``(True, value)`` when the body is strict JSON (:func:`decode_json`: no bare NaN/Infinity), else
    ``(False, None)``."""
    try:
        return True, decode_json(body)
    except NotJsonError:
        return False, None


# --- error types -----------------------------------------------------------------------------------

# "The value of this component SHOULD contain only the shape name of the error's shape-id": a
# Smithy identifier (``smithy:Identifier``: a letter or ``_`` first, then letters, digits, ``_``).
CLEAN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TypeSource = Literal["header", "code", "Code", "__type"]
# Body members a client reads the type from, in its order.  ``code`` and ``__type`` are the
# protocol's; ``Code`` is botocore's (``body.get('code', body.get('Code', ''))``) and the JS SDK v3's
# (it matches ``code`` case-insensitively).
BODY_TYPE_MEMBERS: tuple[TypeSource, ...] = ("code", "Code", "__type")


@dataclass(frozen=True)
class ErrorType:
    """An error type as a client resolves it: where it was found, the raw value, and the name it means."""

    source: TypeSource
    raw: object  # the value as sent (a body member may not even be a string)
    name: str | None  # the sanitized name, or ``None`` when the value is not a string

    @property
    def clean(self) -> bool:
        """The sanitized value is a shape name that every client resolves alike."""
        return self.name is not None and bool(CLEAN_NAME.match(self.name))

    @property
    def bare(self) -> bool:
        """Sent the way new servers SHOULD send it: the shape name alone, in the header."""
        return self.source == "header" and isinstance(self.raw, str) and bool(CLEAN_NAME.match(self.raw))


def sanitize_error_type(value: str) -> str:
    """The spec's two steps: keep what is before the first ``:``, then what is after the first ``#``.

    (botocore splits at the last ``#``; the two agree on every value whose result is a clean name.)
    """
    before_colon = value.split(":", 1)[0]
    return before_colon.split("#", 1)[1] if "#" in before_colon else before_colon


def resolve_error_type(header: Callable[[str], str | None], body: bytes) -> ErrorType | None:
    """The header ``X-Amzn-Errortype`` (any case; ``header`` looks names up), else body ``code``,
    ``Code``, ``__type``: first found wins, as in botocore and the JS SDK v3.  ``None``: no type at all.
    """
    raw_header = header(ERROR_TYPE_HEADER)
    if raw_header is not None:
        return ErrorType("header", raw_header, sanitize_error_type(raw_header))
    ok, document = parse_json(body)
    if ok and isinstance(document, dict):
        for key in BODY_TYPE_MEMBERS:
            if key in document:
                value = document[key]
                return ErrorType(key, value, sanitize_error_type(value) if isinstance(value, str) else None)
    return None


# --- protocol errors -------------------------------------------------------------------------------

# Errors a restJson1 server framework or an AWS front end answers before the operation runs, with
# their statuses: Smithy's ``httpMalformedRequestTests`` (SerializationException 400,
# UnsupportedMediaTypeException 415, ValidationException 400 -- the framework shape is
# ``@error("client")``, i.e. 400), API Gateway-style front ends (413, 404, 405) and SigV4 (403).
# Connect models none of them for this operation.
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

# The message member of framework error shapes that an operation does not model, so an error of
# that type is judged by its own shape.  ``smithy.framework#ValidationException`` has
# ``@required message: String`` and ``fieldList`` (smithy-validation-model); a Smithy server
# framework sends it for member problems (restJson1 ``validation`` protocol tests).
FRAMEWORK_MESSAGE_MEMBERS: dict[str, str] = {"ValidationException": "message"}

# --- throttling ------------------------------------------------------------------------------------

# A 429 answer, or a type that clients treat as throttling whatever its status: botocore's list of
# throttling codes (``ThrottledRetryableChecker``, the standard retry mode's), read from botocore
# rather than copied.
THROTTLING_STATUS = 429
THROTTLING_TYPES: frozenset[str] = frozenset(ThrottledRetryableChecker()._throttled_error_codes)


def is_throttling(status: int, error_type: str | None) -> bool:
    """The answer says "slow down", not anything about the request: clients retry it."""
    return status == THROTTLING_STATUS or (error_type is not None and error_type in THROTTLING_TYPES)


# --- protocol-facts helper: names of the protocol errors, and the HTTP layer's answers ------------

# The names in :data:`PROTOCOL_ERROR_STATUSES`, for code that sends or expects one of them.
SERIALIZATION_ERROR = "SerializationException"  # the body is not JSON, or not a JSON object
UNSUPPORTED_MEDIA_TYPE_ERROR = "UnsupportedMediaTypeException"  # Content-Type is not the operation's
REQUEST_TOO_LARGE_ERROR = "RequestEntityTooLargeException"  # the body is over the front end's limit
UNKNOWN_OPERATION_ERROR = "UnknownOperationException"  # no operation at this path
METHOD_NOT_ALLOWED_ERROR = "MethodNotAllowedException"  # an operation's path with another HTTP method
VALIDATION_ERROR = "ValidationException"  # smithy.framework#ValidationException

# Answers of the HTTP layer, before a request is whole enough to reach any restJson1 framing: the
# statuses are HTTP's own (RFC 9110 400 and 408, RFC 6585 431); the names follow the
# ``...Exception`` convention of the front end's other errors.  No client reads these as modeled.
HEADERS_TOO_LARGE_ERROR = "RequestHeaderFieldsTooLargeException"  # request line + headers over the limit
BAD_REQUEST_ERROR = "BadRequestException"  # not parseable as HTTP/1.1
REQUEST_TIMEOUT_ERROR = "RequestTimeoutException"  # the request did not arrive in time
UNSUPPORTED_UPGRADE_ERROR = "UnsupportedUpgradeException"  # a WebSocket opening handshake to an HTTP-only API
HTTP_ERROR_STATUSES: dict[str, int] = {
    HEADERS_TOO_LARGE_ERROR: 431,
    BAD_REQUEST_ERROR: 400,
    REQUEST_TIMEOUT_ERROR: 408,
    UNSUPPORTED_UPGRADE_ERROR: 400,
}


def error_frame(status: int, error_type: str, document: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A restJson1 error as the harness's own servers send it: status, the type in ``X-Amzn-Errortype``
    (the shape name alone, as new servers SHOULD), a JSON body with an explicit Content-Length."""
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", JSON_MEDIA_TYPE.encode()),
        (ERROR_TYPE_HEADER.lower().encode(), error_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    return status, headers, body


# --- protofacts helper: strict JSON with its reason, and the request's media type -----------------

# A bare ``NaN``/``Infinity``/``-Infinity`` token is not JSON (RFC 8259 section 6), and restJson1 never
# sends one: non-finite floats travel as the strings "NaN", "Infinity", "-Infinity" (Smithy protocol
# tests RestJsonSupportsNaNFloatInputs/Outputs; botocore's ``Serializer._handle_float``).  A server MUST
# reject the bare token with 400 SerializationException (malformed-double.smithy,
# RestJsonBodyDoubleMalformedValueRejected, tags "nan"/"inf"/"negative_inf"); on a response, the JS SDK
# v3 fails on it (``JSON.parse`` in @smithy/core ``parseJsonBody`` throws SyntaxError) although
# botocore's ``json.loads`` would read it.  So every reader here treats the token as "not JSON".


class NotJsonError(ValueError):
    """A body that is not strict JSON.  The message names a position or a kind, never the content."""


class _NonFiniteToken(ValueError):
    pass


def _reject_non_finite(name: str) -> Any:
    raise _NonFiniteToken(name)


# Built once: ``json.loads(..., parse_constant=...)`` would build a new decoder on every call.
_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_non_finite)
# The scanner decode() runs (set by JSONDecoder.__init__, absent from the type stubs): (text, index) -> (value, end).
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = _STRICT_DECODER.scan_once  # type: ignore[attr-defined]


def decode_json(body: bytes | str) -> Any:
    """The value of a strict UTF-8 JSON document, or :class:`NotJsonError` saying why there is none.

    Every way a hostile body can fail is a ``NotJsonError``: bad UTF-8, a syntax error, a bare
    ``NaN``/``Infinity`` token, an integer longer than Python converts, nesting deeper than the decoder's
    recursion limit.
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise NotJsonError(f"not UTF-8 text (byte {exc.start})") from None
    # The usual document (an object or array, no whitespace around it) goes straight to the decoder's own
    # scanner: decode() runs the same scanner after two whitespace regex matches that cost as much again
    # (the reference mock reads every request body here).  Any other text, and every failure, goes
    # through decode(), so values and messages are exactly its.
    if text[:1] in ("{", "[") and text[-1] in "}]":
        try:
            value, end = _SCAN_ONCE(text, 0)
        except Exception:  # decode() below says what is wrong
            end = -1
        if end == len(text):
            return value
    try:
        return _STRICT_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        # (some of json's messages end in "at" already: "Unterminated string starting at")
        where = f"at line {exc.lineno} column {exc.colno}"
        raise NotJsonError(f"not JSON ({exc.msg.removesuffix(' at')} {where})") from None
    except _NonFiniteToken as exc:
        raise NotJsonError(f'not JSON (a bare {exc} token; restJson1 sends the string "{exc}")') from None
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise NotJsonError("not JSON (a number too long to convert)") from None
    except RecursionError:
        raise NotJsonError("not JSON (nested too deeply)") from None


_JSON_MEDIA_TYPE_BYTES = JSON_MEDIA_TYPE.encode()


def is_json_request_media_type(content_type: str | bytes | None) -> bool:
    """A request body's Content-Type as a restJson1 server accepts it: ``application/json`` exactly (any
    case, parameters such as ``; charset=utf-8`` allowed).  ``application/hal+json`` or the AWS JSON
    1.x types are 415 UnsupportedMediaTypeException (RestJsonWithBodyExpectsApplicationJsonContentType),
    unlike a response, which clients read whatever JSON type it names (:func:`is_json_media_type`)."""
    if content_type == _JSON_MEDIA_TYPE_BYTES:  # what every SDK sends: skip the parsing below
        return True
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    # Only HTTP's optional whitespace (RFC 9110 section 5.6.3) around the type, not str.strip()'s
    # Unicode spaces: "application/json\xa0" is not application/json.
    return (content_type or "").split(";", 1)[0].strip(" \t").lower() == JSON_MEDIA_TYPE


# --- query strings ---------------------------------------------------------------------------------


def query_pairs(query: str) -> list[tuple[str, str]]:
    """A query string as its percent-decoded ``(key, value)`` pairs, in order, repeated keys kept (restJson1
    sends a list as repeated keys, Smithy httpQuery).  ``+`` stays ``+``: botocore and the JS SDK v3
    percent-encode a space as ``%20`` in a query."""
    return [
        (unquote(key), unquote(value)) for key, _, value in (part.partition("=") for part in query.split("&") if part)
    ]
