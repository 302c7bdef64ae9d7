"""Model-driven redaction of recorded interactions, applied before anything touches disk.

Builds on :mod:`connect_contract.redaction`.  A sensitive member's value is replaced by a
placeholder that keeps what the contract can observe and nothing else: the JSON type, the length
in code points and whether the value satisfies the member's pattern.  That keeps the recorded
request *equivalent* for validation (a ``Code`` one code point over its maximum stays one over),
so replays and ``verify`` reproduce the recorded answer, while the characters are gone.
Placeholders are deterministic and idempotent: redacting a redacted body changes nothing, which is
also how lint tells a redacted member from a leaked one.

Signatures and tokens become fixed placeholders, ``X-Amz-Date`` a fixed instant, request ids and
SDK invocation ids a zero UUID, account ids and access key ids anywhere their placeholder; header
values that botocore sends as bytes are stored as text so non-Python consumers can read them.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from connect_contract.cassettes import sensitive, wire
from connect_contract.model import Member, load_operation
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.redaction import ACCESS_KEY_ID
from connect_contract.sigv4 import parse_authorization

REDACTED = "REDACTED"
FIXED_AMZ_DATE = "20000101T000000Z"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"
ACCOUNT_PLACEHOLDER = "000000000000"
ACCESS_KEY_PLACEHOLDER = "<access-key-id>"
# A 12-digit number standing alone: an account id in an ARN (arn:aws:connect:us-east-1:123456789012:...)
# or in a message.  Longer digit runs (timestamps in ms are 13) are left alone.
ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
DROPPED_RESPONSE_HEADERS = frozenset({"date", "server"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
REDACTED_AUTHORIZATION = re.compile(
    rf"^AWS4-HMAC-SHA256 Credential={REDACTED}/{FIXED_AMZ_DATE[:8]}/[a-z0-9-]+/[a-z0-9-]+/[a-z0-9_]+, "
    rf"SignedHeaders=[a-z0-9;_-]+, Signature={REDACTED}$"
)


@cache
def sensitive_members() -> dict[str, Member]:
    """Name -> member, for every sensitive input member of the model."""
    return {m.name: m for m in load_operation().sensitive_members}


def _shape(member: Member) -> Any:
    """botocore's shape of a mission-operation member (the one model :mod:`.sensitive` walks)."""
    return next(b.shape for b in mission_operation().input if b.name == member.name)


def verdict(member: Member, value: Any) -> str:
    """What the contract can say about a value: ``valid`` or the first constraint it breaks."""
    return sensitive.verdict(_shape(member), value)


def mask(member: Member, value: Any) -> Any:
    """The stable placeholder for a sensitive value (same JSON type, length and pattern verdict)."""
    return sensitive.placeholder(member.name, _shape(member), value)


def redact_json(value: Any) -> Any:
    """A copy of a decoded JSON body with each sensitive member masked (top level: the model is flat)."""
    if not isinstance(value, dict):
        return value
    sensitive = sensitive_members()
    return {key: (mask(sensitive[key], item) if key in sensitive else item) for key, item in value.items()}


def scrub(text: str) -> str:
    """Account ids and access key ids, wherever they appear in free text."""
    return ACCOUNT_ID.sub(ACCOUNT_PLACEHOLDER, ACCESS_KEY_ID.sub(ACCESS_KEY_PLACEHOLDER, text))


def as_text(value: Any) -> str:
    """Header values arrive as bytes from botocore: store text (no ``!!binary`` in the YAML)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def redact_body(body: bytes | str | None) -> bytes:
    """Redact a request or response body given as bytes; JSON is rewritten only when it changes."""
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    try:
        decoded = json.loads(raw)
    except ValueError:
        return scrub(raw.decode("utf-8", errors="replace")).encode("utf-8") if _is_text(raw) else raw
    redacted = redact_json(decoded)
    text = json.dumps(redacted, ensure_ascii=False) if redacted != decoded else raw.decode("utf-8")
    return scrub(text).encode("utf-8")


def _is_text(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def is_redacted_authorization(value: str) -> bool:
    return value == REDACTED or REDACTED_AUTHORIZATION.match(value) is not None


def redact_authorization(value: str) -> str:
    """Keep the scheme, region, service and signed-header list; drop the key id, date and signature."""
    if is_redacted_authorization(value):
        return value
    auth = parse_authorization(value)
    if auth is None:
        return REDACTED
    signed = ";".join(auth.signed_headers)
    scope = f"{FIXED_AMZ_DATE[:8]}/{auth.region}/{auth.service}/{auth.terminator}"
    return f"AWS4-HMAC-SHA256 Credential={REDACTED}/{scope}, SignedHeaders={signed}, Signature={REDACTED}"


def redact_header(name: str, value: Any, body: bytes) -> str:
    """One header value, redacted by what the header is."""
    text = as_text(value)
    lower = name.lower()
    if lower == "authorization":
        return redact_authorization(text)
    if lower == "x-amz-security-token":
        return REDACTED
    if lower == "x-amz-date":
        return FIXED_AMZ_DATE
    if lower in ("amz-sdk-invocation-id", "x-amzn-requestid", "x-amz-request-id"):
        return ZERO_UUID
    if lower == "x-amz-content-sha256" and text != "UNSIGNED-PAYLOAD":
        # The hash of the original body would let anyone brute-force a short Code: hash what is stored.
        return hashlib.sha256(body).hexdigest()
    if lower == "content-length":
        return str(len(body))
    if lower == "user-agent":
        return text.split(" ", 1)[0]  # product/version only: the rest names the recording host
    return scrub(text)


def normalize_uri(uri: str) -> str:
    """Loopback endpoints run on random ports: store them portless so re-recording is stable."""
    parts = urlsplit(uri)
    if parts.hostname in LOOPBACK_HOSTS:
        return urlunsplit((parts.scheme, "127.0.0.1", parts.path, parts.query, ""))
    return scrub(uri)


def _scrubbed(raw: bytes) -> bytes:
    return scrub(raw.decode("utf-8")).encode("utf-8") if _is_text(raw) else raw


def redact_request(request: Any, op: ServiceOperation | None = None) -> Any:
    """A vcrpy ``before_record_request`` hook (vcrpy hands it a deep copy, so mutating is safe).

    Every sensitive value of ``op`` (default: the mission operation) is masked wherever it travels:
    labels, query values, headers, and the body at any depth (:mod:`.wire`).
    """
    op = op or mission_operation()
    raw = request.body.encode("utf-8") if isinstance(request.body, str) else (request.body or b"")
    body = _scrubbed(wire.redact_body(op, raw))
    request.body = body
    parts = urlsplit(request.uri)
    target = wire.redact_target(op, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    path, _, query = target.partition("?")
    request.uri = normalize_uri(urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment)))
    mask_header = wire.request_header_redactor(op)
    request.headers = {
        name: redact_header(name, mask_header(name, as_text(value)), body) for name, value in request.headers.items()
    }
    return request


def redact_response(response: dict[str, Any], op: ServiceOperation | None = None) -> dict[str, Any]:
    """A vcrpy ``before_record_response`` hook: ``{status, headers: {name: [values]}, body: {string}}``."""
    op = op or mission_operation()
    status = response.get("status", {})
    code = int(status.get("code", 0))
    raw_headers = response.get("headers", {})

    def header(wanted: str) -> str | None:
        for name, values in raw_headers.items():
            if name.lower() == wanted.lower():
                items = values if isinstance(values, list | tuple) else [values]
                return as_text(items[0]) if items else None
        return None

    original = response.get("body", {}).get("string")
    raw = original.encode("utf-8") if isinstance(original, str) else (original or b"")
    body = _scrubbed(wire.redact_response_body(op, code, header, raw))
    mask_header = wire.response_header_redactor(op)
    headers: dict[str, list[str]] = {}
    for name, values in raw_headers.items():
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            continue
        items = values if isinstance(values, list | tuple) else [values]
        headers[name] = [redact_header(name, mask_header(name, as_text(value)), body) for value in items]
    return {
        **response,
        "status": {"code": code, "message": as_text(status.get("message", ""))},
        "headers": headers,
        "body": {"string": body},
    }


def hooks_for(op: ServiceOperation) -> tuple[Any, Any]:
    """vcrpy's ``before_record_request`` and ``before_record_response`` for one operation."""
    return (lambda request: redact_request(request, op)), (lambda response: redact_response(response, op))
