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

from connect_contract.cassettes.redact import REDACTED, as_text, is_redacted_authorization, mask, sensitive_members
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
    return forms


def _structural(part_name: str, part: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Secrets the model and the protocol identify by position: sensitive members, signatures, tokens."""
    try:
        decoded = json.loads(body_text(part) or "null")
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        for name, member in sensitive_members().items():
            if name in decoded and decoded[name] != mask(member, decoded[name]):
                yield f"{part_name} body", f"sensitive member {name} is not redacted"
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
    findings: list[Finding] = []
    parts: list[tuple[int | None, str, Any]] = [(None, "metadata", data.get("metadata"))]
    for number, interaction in enumerate(data.get("interactions") or []):
        if isinstance(interaction, dict):
            parts += [(number, name, interaction.get(name)) for name in ("request", "response")]
    for index, name, part in parts:
        if isinstance(part, dict) and index is not None:
            findings += [Finding(index, where, kind) for where, kind in _structural(name, part)]
        for where, text in _leaves(part, name):
            if ACCESS_KEY_ID.search(text):
                findings.append(Finding(index, where, "an AWS access key id"))
            if SECRET_KEY_LIKE.search(text):
                findings.append(Finding(index, where, "a 40-character secret-access-key-like string"))
            if any(form in text for form in forms):
                findings.append(Finding(index, where, "a value this recording sent as a sensitive member"))
    return findings
