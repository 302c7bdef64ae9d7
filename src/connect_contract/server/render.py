"""Showing a request in a report without its secrets: a redacted summary and a ``curl`` line.

Sensitive members are replaced by *stand-ins* of the same length that keep the value's validity
(a pattern-violating secret becomes a pattern-violating stand-in), so the ``curl`` line still
reproduces the failure without the secret.  Credentials and signatures are never shown: a signed
request's ``curl`` line uses curl's own ``--aws-sigv4`` with the user's environment variables.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from connect_contract.model import load_operation
from connect_contract.redaction import SECRET_HEADERS
from connect_contract.server.classify import parse_body
from connect_contract.server.echo import scrubbed
from connect_contract.server.transport import Request

SHOWN_BODY_CHARS = 300
_SKIPPED_HEADERS = {"content-length", "user-agent", "accept", "accept-encoding", "connection", "host"}
_VIOLATING = ('"', "\\", "\u00e9", "\u0000")


def stand_in(member: str, value: Any) -> Any:
    """A same-length, same-validity replacement for a sensitive value (non-strings keep their type)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        return type(value)()
    if not value:
        return value
    seed = f"REDACTED-{member}-"
    text = (seed * (len(value) // len(seed) + 1))[: len(value)]
    pattern = load_operation().member(member).shape.pattern if member in load_operation().member_names else None
    if pattern and not re.search(pattern, value):
        bad = next((c for c in _VIOLATING if not re.search(pattern, text[:-1] + c)), None)
        if bad is not None:
            text = text[:-1] + bad
    return text


def redacted_body(request: Request) -> str:
    """The request body as text with every sensitive value replaced (JSON member-wise, else by value)."""
    ok, document = parse_body(request.body)
    if ok and isinstance(document, dict) and request.operation is None:
        sensitive = {m.name for m in load_operation().sensitive_members}
        document = {k: (stand_in(k, v) if k in sensitive else v) for k, v in document.items()}
        text = json.dumps(document, ensure_ascii=False)
    else:
        text = request.body.decode("utf-8", "backslashreplace")
    return scrubbed(text, request.secrets)


def _shown_headers(request: Request) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in request.headers
        if name.lower() not in _SKIPPED_HEADERS
        and name.lower() not in SECRET_HEADERS
        and not name.lower().startswith("x-amz-")
    ]


def _signed(request: Request) -> bool:
    return any(name.lower() == "authorization" for name, _ in request.headers)


def summary(request: Request) -> str:
    """One or two lines for a terminal table: method, path, headers that matter, the (cut) body."""
    body = redacted_body(request)
    if len(body) > SHOWN_BODY_CHARS:
        body = body[:SHOWN_BODY_CHARS] + f"… ({len(body)} chars)"
    headers = " ".join(f"{name}: {value}" for name, value in _shown_headers(request))
    signed = " [SigV4-signed]" if _signed(request) else ""
    return f"{request.method} {request.url}{signed} {headers}\n{body or '(no body)'}".strip()


def curl(request: Request, region: str = "us-east-1") -> str:
    """A ``curl`` command that sends the (redacted) request again."""
    parts = ["curl", "-sS", "-i", "-X", request.method, shlex.quote(request.url)]
    for name, value in _shown_headers(request):
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if not any(name.lower() == "content-type" for name, _ in request.headers) and request.body:
        parts += ["-H", shlex.quote("Content-Type:")]  # curl would otherwise add a form content type
    if _signed(request):
        service = request.operation.signing_name if request.operation is not None else load_operation().signing_name
        parts += ["--aws-sigv4", shlex.quote(f"aws:amz:{region}:{service}")]
        parts += ["--user", '"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"']
    if request.body:
        body = redacted_body(request)
        if _utf8(request.body) and "\x00" not in body:
            parts += ["--data-binary", shlex.quote(body)]
        else:  # raw bytes (not JSON, so no sensitive member in them): let printf rebuild them exactly
            parts += ["--data-binary", f"@<(printf %b {shlex.quote(_printf_escape(request.body))})"]
    return " ".join(parts)


def curl_sequence(sent: list[Request], region: str = "us-east-1") -> str:
    """One ``curl`` command sending ``sent`` in order; curl reuses one connection across ``--next``."""
    first, *rest = [curl(request, region) for request in sent]
    return " --next ".join([first, *(line.removeprefix("curl ") for line in rest)])


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _printf_escape(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in "\\'%" else f"\\x{b:02x}" for b in data)
