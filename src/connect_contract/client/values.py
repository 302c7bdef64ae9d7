"""The adapter protocol's one JSON encoding of inputs and outputs, and comparing values in it.

Inputs and outputs cross the adapter boundary as JSON with the model's member names: timestamps as
ISO 8601 UTC strings ending in ``Z``, blobs as base64, documents and everything else as JSON.  Values
are compared the way a caller would: timestamps as instants (to the millisecond, the finest precision
JS keeps), blobs as bytes, numbers as numbers, objects without regard to key order.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

import botocore.model

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:?\d{2})?$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# JS SDK v3 keeps milliseconds, botocore microseconds: instants are compared to the millisecond.
TIMESTAMP_RESOLUTION = Decimal("0.001")


def instant(value: Any) -> Decimal | None:
    """Seconds since the epoch for an ISO 8601 string, an IMF-fixdate, or an epoch number (or its text)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        pass
    match = _ISO.match(text)
    if match:
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        zone = match[8] or "Z"
        offset = 0
        if zone not in ("Z", "z"):
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        try:
            moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        except ValueError:
            return None
        whole = int((moment - _EPOCH).total_seconds()) - offset
        return Decimal(whole) + Decimal(match[7] or "0")
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return Decimal(int((parsed - _EPOCH).total_seconds()))


def iso(seconds: Decimal) -> str:
    """The documented encoding of an instant: ISO 8601 UTC, ``Z``, milliseconds only when there are some."""
    whole = int(seconds // 1)
    fraction = seconds - whole
    text = (_EPOCH + dt.timedelta(seconds=whole)).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + f"{fraction:.3f}".split(".")[1]
    return text + "Z"


def http_date(seconds: Decimal) -> str:
    """IMF-fixdate, whole seconds (the fraction is dropped, as both SDKs do in headers)."""
    moment = _EPOCH + dt.timedelta(seconds=int(seconds // 1))
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def _number(value: Any) -> Decimal | str | None:
    """Numbers compare as numbers (``1`` equals ``1.0``); NaN and infinities as their protocol strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return Decimal(str(value)) if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return value
    return None


def differences(
    shape: botocore.model.Shape,
    expected: Any,
    actual: Any,
    where: str = "",
    resolution: Decimal = TIMESTAMP_RESOLUTION,
) -> list[str]:
    """Every way ``actual`` differs from ``expected`` (both in the documented encoding), by path.

    Members of ``expected`` must be in ``actual``; extra members of ``actual`` are not looked at here
    (the caller decides which extra names matter).  Timestamps are equal when less than ``resolution``
    seconds apart.  Details never quote a value of a ``sensitive`` shape.
    """
    at = where or "(top)"
    secret = bool(shape.metadata.get("sensitive"))
    kind = shape.type_name

    def show(value: Any) -> str:
        return "<sensitive>" if secret else _show(value)

    if expected is None:
        return [] if actual is None else [f"{at}: expected null/absent, got {show(actual)}"]
    if actual is None:
        return [f"{at}: missing"]
    if kind == "structure" and not shape.is_document_type:
        if not isinstance(actual, dict):
            return [f"{at}: expected an object, got {show(actual)}"]
        problems = []
        for name, member in shape.members.items():
            if name in expected:
                problems += differences(
                    member, expected[name], actual.get(name), f"{where}.{name}".lstrip("."), resolution
                )
        return problems
    if kind == "list":
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{at}: expected a list of {len(expected)}, got {show(actual)}"]
        problems = []
        for index, (item_e, item_a) in enumerate(zip(expected, actual, strict=True)):
            problems += differences(shape.member, item_e, item_a, f"{where}[{index}]", resolution)
        return problems
    if kind == "map":
        if not isinstance(actual, dict) or set(actual) != set(expected):
            got = sorted(actual)[:8] if isinstance(actual, dict) else show(actual)
            return [f"{at}: expected keys {sorted(expected)[:8]}, got {got}"]
        problems = []
        for key in expected:
            problems += differences(shape.value, expected[key], actual[key], f"{where}[{key!r}]", resolution)
        return problems
    if kind == "timestamp":
        want_at, got_at = instant(expected), instant(actual)
        if got_at is None or want_at is None or abs(want_at - got_at) >= resolution:
            return [f"{at}: expected the instant {expected}, got {show(actual)}"]
        return []
    if kind == "blob":
        if unb64(actual) != unb64(expected):
            size = len(unb64(expected) or b"")
            return [f"{at}: expected base64 of {size} bytes, got {'<sensitive>' if secret else _show(actual)}"]
        return []
    if kind in ("integer", "long", "float", "double"):
        if _number(actual) is None or _number(actual) != _number(expected):
            return [f"{at}: expected {show(expected)}, got {show(actual)}"]
        return []
    if kind == "structure" and shape.is_document_type:
        return (
            []
            if _same_json(expected, actual)
            else [f"{at}: expected the document {show(expected)}, got {show(actual)}"]
        )
    if type(actual) is not type(expected) or actual != expected:
        return [f"{at}: expected {show(expected)}, got {show(actual)}"]
    return []


def _same_json(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    if _number(a) is not None and _number(b) is not None:
        return _number(a) == _number(b)
    return type(a) is type(b) and a == b


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:60] + "…"


def to_python(shape: botocore.model.Shape, value: Any) -> Any:
    """A value in the documented encoding as botocore's parameters take it (datetimes, bytes)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type and isinstance(value, dict):
        members = shape.members
        return {k: to_python(members[k], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [to_python(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: to_python(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, str):
        seconds = instant(value)
        if seconds is not None:
            return _EPOCH + dt.timedelta(seconds=float(seconds))
    if kind == "blob" and isinstance(value, str):
        decoded = unb64(value)
        return decoded if decoded is not None else value
    if kind in ("float", "double") and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def from_python(value: Any) -> Any:
    """A parsed output (botocore's, or any Python client's) in the documented encoding."""
    if isinstance(value, dict):
        return {str(k): from_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [from_python(item) for item in value]
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        delta = moment - _EPOCH
        seconds = Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / Decimal(1_000_000)
        return iso(seconds.quantize(Decimal("0.001")))
    if isinstance(value, bytes | bytearray):
        return b64(bytes(value))
    if hasattr(value, "read"):  # botocore's StreamingBody
        return b64(value.read())
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value
