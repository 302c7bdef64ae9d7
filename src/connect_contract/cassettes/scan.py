"""Refuse a cassette that still holds a secret.

Runs on exactly what would reach disk (the serialized cassette, parsed back) before the recorder
writes it, and on every cassette ``lint`` reads.  A finding says what kind of secret and where
(interaction index and part) -- never the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from connect_contract.cassettes import wire
from connect_contract.cassettes.redact import REDACTED, as_text, is_redacted_authorization
from connect_contract.operations import ServiceOperation, load_service_operation, mission_operation
from connect_contract.redaction import ACCESS_KEY_ID, SECRET_KEY_LIKE

# Shorter values cannot be told apart from ordinary text (a one-character Code is in every cassette).
MIN_KNOWN_LENGTH = 6


@dataclass(frozen=True)
class Finding:
    """A secret found in a cassette: ``index`` is the interaction (None for the metadata)."""

    index: int | None
    where: str
    kind: str

    def __str__(self) -> str:
        prefix = "metadata" if self.index is None else f"interaction {self.index} {self.where}"
        return f"{prefix}: {self.kind}"


def _leaves(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{where} {key}".strip())
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item, where)
    elif value is not None:
        yield where, as_text(value)


def body_text(part: dict[str, Any]) -> str:
    """A request's ``body`` or a response's ``body.string`` as text."""
    body = part.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    return "" if body is None else as_text(body)


def headers_of(part: dict[str, Any]) -> dict[str, list[str]]:
    """Header name -> list of text values (vcrpy stores lists; a bare value is tolerated)."""
    result: dict[str, list[str]] = {}
    for name, values in (part.get("headers") or {}).items():
        items = values if isinstance(values, list | tuple) else [values]
        result[str(name)] = [as_text(v) for v in items]
    return result


def _known_forms(known: Iterable[str]) -> set[str]:
    forms = set()
    for value in known:
        if len(value) >= MIN_KNOWN_LENGTH:
            forms.update({value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]})
            forms.update({quote(value, safe="-._~"), quote_plus(value)})  # echoed in a URI or a query string
    return forms


def operation_of(data: Any) -> ServiceOperation:
    """The operation a cassette records (metadata ``operation``; none: the mission operation).

    ``LookupError`` when the metadata names an operation botocore does not know.
    """
    metadata = (data.get("metadata") if isinstance(data, dict) else None) or {}
    named = metadata.get("operation") if isinstance(metadata, dict) else None
    if not isinstance(named, dict):
        return mission_operation()
    return load_service_operation(str(named.get("service", "connect")), str(named.get("name", "")))


def _target(part: dict[str, Any]) -> str:
    parts = urlsplit(str(part.get("uri", "")))
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _status(part: dict[str, Any]) -> int:
    try:
        return int((part.get("status") or {}).get("code", 0))
    except (TypeError, ValueError, AttributeError):
        return 0


def _sensitive_findings(op: ServiceOperation, part_name: str, part: dict[str, Any]) -> list[tuple[str, str]]:
    raw = body_text(part).encode("utf-8")
    if part_name == "request":
        found = wire.unredacted_request(op, _target(part), headers_of(part), raw)
    else:
        found = wire.unredacted_response(op, _status(part), headers_of(part), raw)
    return [(f"{part_name} {where}", f"sensitive member {member} is not redacted") for where, member in found]


def _structural(part_name: str, part: dict[str, Any], op: ServiceOperation) -> Iterator[tuple[str, str]]:
    """Secrets the model and the protocol identify by position: sensitive members, signatures, tokens."""
    yield from _sensitive_findings(op, part_name, part)
    for name, values in headers_of(part).items():
        lower = name.lower()
        for value in values:
            if lower == "authorization" and not is_redacted_authorization(value):
                yield f"{part_name} headers {name}", "an unredacted Authorization header"
            if lower == "x-amz-security-token" and value != REDACTED:
                yield f"{part_name} headers {name}", "an unredacted session token"


def scan_cassette(data: Any, known: Iterable[str] = ()) -> list[Finding]:
    """Every secret in a cassette loaded as plain data (``{"interactions": [...], "metadata": ...}``)."""
    if not isinstance(data, dict):
        return []
    forms = _known_forms(known)
    try:
        op = operation_of(data)
    except LookupError:
        op = mission_operation()  # lint reports the unknown operation; the scan still runs
    findings: list[Finding] = []
    parts: list[tuple[int | None, str, Any]] = [(None, "metadata", data.get("metadata"))]
    for number, interaction in enumerate(data.get("interactions") or []):
        if isinstance(interaction, dict):
            parts += [(number, name, interaction.get(name)) for name in ("request", "response")]
    for index, name, part in parts:
        if isinstance(part, dict) and index is not None:
            findings += [Finding(index, where, kind) for where, kind in _structural(name, part, op)]
        for where, text in _leaves(part, name):
            if ACCESS_KEY_ID.search(text):
                findings.append(Finding(index, where, "an AWS access key id"))
            if SECRET_KEY_LIKE.search(text):
                findings.append(Finding(index, where, "a 40-character secret-access-key-like string"))
            if any(form in text for form in forms):
                findings.append(Finding(index, where, "a value this recording sent as a sensitive member"))
    return findings
