"""Keeping secrets out of logs, reports, assertion messages and cassettes.

Which members are secret comes from the model's ``sensitive`` trait (via the generated contracts);
credentials and signatures are secret by nature.  Every module that prints or stores a request or a
response goes through here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from connect_contract.contracts import sensitive_request_members

SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})
ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b")
# Exactly 40 base64 characters mixing upper case, lower case and digits: the shape of an AWS secret key.
_B64 = "[A-Za-z0-9/+=]"
SECRET_KEY_LIKE = re.compile(rf"(?<!{_B64})(?={_B64}*[0-9])(?={_B64}*[a-z])(?={_B64}*[A-Z]){_B64}{{40}}(?!{_B64})")


def placeholder(member: str) -> str:
    """The stable stand-in for a sensitive member (valid for the member's pattern and length)."""
    return f"REDACTED-{member}"


def redact_body(body: Any) -> Any:
    """A copy of a decoded JSON body with every sensitive member's value replaced."""
    if not isinstance(body, dict):
        return body
    sensitive = sensitive_request_members()
    return {key: (placeholder(key) if key in sensitive and value is not None else value) for key, value in body.items()}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Redact a body given as text: JSON objects member by member, anything else by known values."""
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict) and sensitive_request_members() & decoded.keys():
        text = json.dumps(redact_body(decoded), ensure_ascii=False)
    return scrub(text, secrets)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each known secret value (longest first) in free text."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return ACCESS_KEY_ID.sub("<access-key-id>", text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: ("<redacted>" if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()}


def find_secrets(text: str, known: Iterable[str] = ()) -> list[str]:
    """Descriptions (never the values) of secret-looking things found in ``text``."""
    found = []
    if ACCESS_KEY_ID.search(text):
        found.append("an AWS access key id")
    if SECRET_KEY_LIKE.search(text):
        found.append("a 40-character secret-access-key-like string")
    found.extend("a known secret value" for secret in set(known) if secret and secret in text)
    return found
