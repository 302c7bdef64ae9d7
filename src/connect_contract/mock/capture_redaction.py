"""Hiding an operation's ``sensitive`` members in a captured request, in every location.

The mission operation's capture keeps its own redaction (:mod:`connect_contract.mock.models`); every
other operation's is built from its model here: sensitive members at any depth of a JSON body, query
values and headers of sensitive members, and the whole path when a label is sensitive.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import botocore.model

from connect_contract.operations import ServiceOperation
from connect_contract.redaction import placeholder


def _redacted_value(shape: botocore.model.Shape, value: Any, depth: int = 0) -> Any:
    """``value`` (wire form) with every ``sensitive`` value in it replaced, at any depth."""
    if shape.metadata.get("sensitive"):
        return placeholder(shape.name)
    if depth > 50:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type:
        wire = {member.serialization.get("name", name): member for name, member in shape.members.items()}
        return {
            key: _redacted_value(wire[key], item, depth + 1) if key in wire else item for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_redacted_value(shape.member, item, depth + 1) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _redacted_value(shape.value, item, depth + 1) for key, item in value.items()}
    return value


def _has_sensitive(shape: botocore.model.Shape, seen: set[str] | None = None) -> bool:
    seen = set() if seen is None else seen
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "structure" and not shape.is_document_type:
        return any(_has_sensitive(member, seen) for member in shape.members.values())
    if shape.type_name == "list":
        return _has_sensitive(shape.member, seen)
    if shape.type_name == "map":
        return _has_sensitive(shape.value, seen)
    return False


class CaptureRedactor:
    """Hides an operation's ``sensitive`` members in a captured request, in every location."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        self.secret_labels = any(_has_sensitive(b.shape) for b in op.labels)
        self.secret_query = {b.wire_name for b in op.query if _has_sensitive(b.shape)}
        self.hidden_headers = frozenset(b.wire_name.lower() for b in op.headers if _has_sensitive(b.shape))
        self.body_shape = op.model.input_shape if op.input and _has_sensitive(op.model.input_shape) else None

    def __call__(self, path: str, query: bytes, body: bytes) -> tuple[str, str, str, frozenset[str]]:
        text_query = query.decode("latin-1")
        if self.secret_query:
            pairs = [part.partition("=") for part in text_query.split("&") if part]
            text_query = "&".join(
                f"{key}{eq}{'<redacted>' if unquote(key) in self.secret_query else value}" for key, eq, value in pairs
            )
        return (
            self.op.path_template if self.secret_labels else path,
            text_query,
            self._body(body),
            self.hidden_headers,
        )

    def _body(self, body: bytes) -> str:
        text = body.decode("utf-8", errors="replace")
        if self.body_shape is None:
            return text
        payload = self.op.payload
        if payload is not None and payload.type_name in ("blob", "string"):
            return "<redacted>" if _has_sensitive(payload.shape) else text
        try:
            document = json.loads(text)
        except ValueError:
            return "<redacted: not JSON>"  # a sensitive member could be anywhere in it
        if payload is not None:
            return json.dumps(_redacted_value(payload.shape, document))
        wire = {b.wire_name: b.shape for b in self.op.body}
        if isinstance(document, dict):
            document = {k: _redacted_value(wire[k], v) if k in wire else v for k, v in document.items()}
        return json.dumps(document)
