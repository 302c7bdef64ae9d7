"""Model-valid inputs for any operation, and the scenarios recorded from them.

A small deterministic generator over botocore's shapes: enums take their first value, numbers the
smallest value the range allows (at least 1), strings the first of a few ordinary candidates that
satisfies the member's pattern and length (padded or cut to fit), lists and maps one entry (or
their minimum), structures their required members -- and, for ``all-members``, every member down to
a few levels.  botocore's own rest-json serializer then puts the input on the wire, so labels,
query strings, headers and bodies are exactly what boto3 sends.

Another helper writes a generator for the server checks in parallel; the lead will unify them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.model
import botocore.serialize
from botocore.utils import percent_encode_sequence

from connect_contract.cassettes import sensitive
from connect_contract.operations import ServiceOperation
from connect_contract.operations.patterns import intended_pattern

# Ordinary values tried in order for a string member; the first that satisfies the pattern wins.
CANDIDATES = (
    "contract-value",
    "00000000-0000-4000-8000-000000000001",
    "contract_value",
    "ContractValue1",
    "A1b2c3d4",
    "a",
    "1",
    "2020-01-02",
    "us-east-1",
    "+12065550100",
    "user@example.com",
    "s3://contract-bucket/key",
    "https://example.com/contract",
    "d-0123456789",
    "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000001",
)
FIXED_INSTANT = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
MAX_DEPTH = 4


def _fit(text: str, low: int | None, high: int | None) -> str:
    if high is not None and len(text) > high:
        text = text[:high]
    if low is not None and len(text) < low:
        text = (text * (low // max(len(text), 1) + 1))[:low] if text else "a" * low
    return text


def string_value(shape: botocore.model.Shape, name: str = "value") -> str | None:
    """A value the string shape accepts, or ``None`` when no candidate fits.

    The member's own name comes first (``contract-first-name``), so each member's value is
    distinctive: the recorder's scan looks for sensitive values sent, and must not find them in
    ordinary members that happen to share a value.
    """
    enum = shape.metadata.get("enum")
    if enum:
        return str(enum[0])
    low, high, pattern = (
        shape.metadata.get("min"),
        shape.metadata.get("max"),
        intended_pattern(shape.metadata.get("pattern") or "") or None,
    )
    own = "contract-" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()
    for candidate in (own, *CANDIDATES):
        fitted = _fit(candidate, low, high)
        if pattern is None or sensitive.matches(pattern, fitted):
            personal = _personal(fitted, name)  # e.g. two phone members must not share one number
            return personal if pattern is None or sensitive.matches(pattern, personal) else fitted
    return None


def _personal(text: str, name: str) -> str:
    """``text`` with its last four digits taken from the member's name, so that members whose pattern
    admits only one candidate (an E.164 number, a UUID) still get values of their own."""
    positions = [match.start() for match in re.finditer(r"[0-9]", text)][-4:]
    if len(positions) < 4:
        return text
    digits = f"{zlib.crc32(name.encode('utf-8')) % 10_000:04d}"
    chars = list(text)
    for position, digit in zip(positions, digits, strict=True):
        chars[position] = digit
    return "".join(chars)


def value_for(shape: botocore.model.Shape, *, every_member: bool, depth: int = 0, name: str = "value") -> Any:
    """A model-valid value of ``shape`` (``None``: none could be made; the caller leaves it out)."""
    kind = shape.type_name
    if kind == "string":
        return string_value(shape, name)
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        value = max(int(low), 1) if low is not None else 1
        return min(value, int(high)) if high is not None else value
    if kind in ("float", "double"):
        low = shape.metadata.get("min")
        return float(low) if low is not None else 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return FIXED_INSTANT
    if kind == "blob":
        return b"contract-blob"
    if depth > MAX_DEPTH:
        return None
    if isinstance(shape, botocore.model.ListShape):
        item = value_for(shape.member, every_member=every_member, depth=depth + 1, name=name)
        count = max(int(shape.metadata.get("min", 1)), 1)
        return None if item is None else [item] * count
    if isinstance(shape, botocore.model.MapShape):
        key = string_value(shape.key) or "key"
        item = value_for(shape.value, every_member=every_member, depth=depth + 1, name=name)
        return None if item is None else {key: item}
    if isinstance(shape, botocore.model.StructureShape):
        return structure_value(shape, every_member=every_member, depth=depth)
    if kind == "structure" and shape.metadata.get("document"):
        return {"contract": "document"}
    return None


def structure_value(
    shape: botocore.model.StructureShape, *, every_member: bool, depth: int = 0
) -> dict[str, Any] | None:
    if shape.metadata.get("document"):
        return {"contract": "document"}
    result: dict[str, Any] = {}
    required = set(shape.required_members)
    union = bool(shape.metadata.get("union"))
    for name, member in shape.members.items():
        if member.serialization.get("eventstream") or member.metadata.get("idempotencyToken"):
            continue  # botocore fills idempotency tokens in itself
        wanted = name in required or (every_member and depth < MAX_DEPTH and not (union and result))
        if not wanted:
            continue
        value = value_for(member, every_member=every_member, depth=depth + 1, name=name)
        if value is None:
            if name in required:
                return None
            continue
        result[name] = value
    if union and not result and shape.members:
        first, member = next(iter(shape.members.items()))
        value = value_for(member, every_member=False, depth=depth + 1, name=first)
        result = {first: value} if value is not None else {}
    return result


@dataclass(frozen=True)
class WireRequest:
    """One request as botocore's serializer puts it on the wire (no host, no signature)."""

    method: str
    target: str  # path and query, percent-encoded
    headers: dict[str, str]
    body: bytes
    secrets: tuple[str, ...] = field(default=())  # the text of every sensitive value it carries


def serialize(op: ServiceOperation, params: dict[str, Any]) -> WireRequest:
    """``params`` serialized by botocore's rest-json serializer, exactly as boto3 would send them."""
    request = botocore.serialize.create_serializer("rest-json", include_validation=False).serialize_to_request(
        params, op.model
    )
    query = request["query_string"]
    encoded = percent_encode_sequence(query) if isinstance(query, dict) else str(query or "")
    target = request["url_path"] + (("&" if "?" in request["url_path"] else "?") + encoded if encoded else "")
    headers = {str(k): str(v) for k, v in request["headers"].items()}
    body = request["body"] if isinstance(request["body"], bytes) else str(request["body"] or "").encode("utf-8")
    if op.request_media_type is not None and "Content-Type" not in headers and body:
        headers["Content-Type"] = op.request_media_type
    secrets: list[str] = []
    if op.model.input_shape is not None:
        sensitive_texts(op.model.input_shape, params, False, secrets)
    return WireRequest(str(request["method"]), target, headers, body, tuple(secrets))


def sensitive_texts(shape: botocore.model.Shape, value: Any, forced: bool, into: list[str]) -> None:
    """The text of every sensitive value in botocore parameters (keyed by member names)."""
    forced = forced or sensitive.is_sensitive(shape)
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                sensitive_texts(member, value[name], forced, into)
    elif isinstance(shape, botocore.model.ListShape) and isinstance(value, list):
        for item in value:
            sensitive_texts(shape.member, item, forced, into)
    elif isinstance(shape, botocore.model.MapShape) and isinstance(value, dict):
        for item in value.values():
            sensitive_texts(shape.value, item, forced, into)
    elif forced and value is not None:
        into.append(value if isinstance(value, str) else json.dumps(value, default=str))


def model_inputs(op: ServiceOperation) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(scenario name, description, params): required members only, then every member."""
    shape = op.model.input_shape
    if shape is None:
        yield "no-input", "the operation takes no input", {}
        return
    required = structure_value(shape, every_member=False)
    if required is not None:
        yield "required-only", "required members only, each a model-valid value", required
    every = structure_value(shape, every_member=True)
    if every is not None and every != required:
        yield "all-members", "every member (nested ones too) with a model-valid value", every
