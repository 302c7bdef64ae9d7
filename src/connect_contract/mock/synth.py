"""Deterministic, model-valid values for any botocore shape: the mock's outputs and the tests' inputs.

``Synth(seed).value(shape)`` returns a value as botocore's parameters hold it (``datetime`` for
timestamps, ``bytes`` for blobs, dicts keyed by member name); :func:`to_wire` turns it into the JSON a
body carries (wire names, timestamps in the member's format, base64 blobs).  Every choice comes from
a ``random.Random`` seeded by the caller, so the same seed always gives the same value.

What the model constrains is respected: required members, enums, ``min``/``max`` lengths (code points)
and ranges, unions (exactly one member), and ``pattern``.  Strings that must match a pattern are built
by walking the pattern's parse tree (Python's own ``re`` parser), then checked with ``re.search`` (JSON
Schema's semantics) and the length bounds; a pattern Python cannot compile (ECMA-only escapes such as
``\\p{L}``) is not enforced by the contracts either, and gets a plain alphanumeric value.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import string
from collections.abc import Callable
from functools import cache

# Python's own pattern parser (3.11+: re._parser; sre_parse is its deprecated alias).
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Any

import botocore.model

from connect_contract.contracts.schemas import timestamp_format
from connect_contract.operations.patterns import intended_pattern

SAFE_CHARS = string.ascii_letters + string.digits
# Printable ASCII, best first: letters and digits, then punctuation, space last (headers strip it).
_PREFERRED = SAFE_CHARS + "-_.~:/@+=,!*'()$&;#%?[]^`{|}<>\"\\ "
_BASE_TIME = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
MAX_DEPTH = 4  # below this, only what the model requires (recursive shapes terminate)
_ATTEMPTS = 24
_UNLIMITED = 60  # cap for open-ended repeats (``*``, ``+``, ``{n,}``)


class Synth:
    """One seeded generator; ``optional`` is the share of optional members it fills in (top levels)."""

    def __init__(self, seed: int | str, *, optional: float = 0.6) -> None:
        self.rng = random.Random(str(seed))
        self.optional = optional

    # -- shapes ---------------------------------------------------------------------------------
    def value(self, shape: botocore.model.Shape, depth: int = 0) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return {"key": self.string_for(None, 1, 12), "number": self.rng.randint(0, 99), "flag": True}
            return self.structure(shape, depth)
        if kind == "list":
            low, high = _bounds(shape, 0, None)
            count = max(low, 0 if depth >= MAX_DEPTH else min(1 + self.rng.randint(0, 1), high if high else 2))
            count = min(count, high) if high is not None else count
            return [self.value(shape.member, depth + 1) for _ in range(count)]
        if kind == "map":
            low, high = _bounds(shape, 0, None)
            count = max(low, 0 if depth >= MAX_DEPTH else 1)
            count = min(count, high) if high is not None else count
            result: dict[str, Any] = {}
            for _ in range(count * 4):
                if len(result) >= count:
                    break
                result[self.value(shape.key, depth + 1)] = self.value(shape.value, depth + 1)
            return result
        if kind == "string":
            return self.string(shape)
        if kind in ("integer", "long"):
            low, high = _bounds(shape, 0, None)
            return self.rng.randint(low, high if high is not None else low + 100)
        if kind in ("float", "double"):
            low_f = float(shape.metadata.get("min", 0))
            high_f = float(shape.metadata.get("max", low_f + 100))
            return round(low_f + (high_f - low_f) * self.rng.random(), 3) if high_f > low_f else low_f
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return _BASE_TIME + dt.timedelta(seconds=self.rng.randint(0, 10**8))
        if kind == "blob":
            low, high = _bounds(shape, 1, None)
            size = max(low, min(high if high is not None else low + 8, low + self.rng.randint(0, 8)))
            return bytes(self.rng.randrange(256) for _ in range(size))
        raise ValueError(f"unsupported shape type {kind!r} ({shape.name})")

    def structure(self, shape: botocore.model.StructureShape, depth: int) -> dict[str, Any]:
        members = shape.members
        if shape.metadata.get("union"):
            names = sorted(members)
            name = self.rng.choice(names)
            return {name: self.value(members[name], depth + 1)}
        required = set(shape.required_members)
        result: dict[str, Any] = {}
        for name, member in members.items():
            if member.serialization.get("eventstream"):
                continue
            if name in required or (depth < MAX_DEPTH - 1 and self.rng.random() < self.optional):
                result[name] = self.value(member, depth + 1)
        return result

    def string(self, shape: botocore.model.Shape) -> Any:
        meta = shape.metadata
        if shape.serialization.get("jsonvalue"):
            return {"key": "value"}  # botocore takes the decoded JSON value of a jsonvalue member
        if meta.get("enum"):
            return self.rng.choice(list(meta["enum"]))
        low, high = _bounds(shape, 0, None)
        return self.string_for(meta.get("pattern"), low, high)

    def string_for(self, pattern: str | None, low: int, high: int | None) -> str:
        """A string of ``low``..``high`` code points that ``pattern`` (if any) finds a match in."""
        pattern = intended_pattern(pattern) if pattern else None
        compiled = compiled_pattern(pattern) if pattern else None
        if compiled is not None:
            tree = _parsed(pattern or "")
            for attempt in range(_ATTEMPTS):
                spread = (1, 3, 8, 24, 64)[min(attempt // 4, 4)]
                try:
                    text = "".join(_emit(tree, self.rng, spread))
                except _Unsupported:
                    break
                if _fits(text, low, high) and compiled.search(text):
                    return text
            # Pad an unanchored match up to the minimum length (JSON Schema patterns are searches).
            for _ in range(_ATTEMPTS):
                text = "".join(_emit(tree, self.rng, 3)) if tree is not None else ""
                padded = text + "".join(self.rng.choice(SAFE_CHARS) for _ in range(max(0, low - len(text))))
                if _fits(padded, low, high) and compiled.search(padded):
                    return padded
        top = high if high is not None else max(low, 1) + 12
        size = max(low, min(top, max(low, 1) + self.rng.randint(0, 11)))
        return "".join(self.rng.choice(SAFE_CHARS) for _ in range(size))


class _Unsupported(Exception):
    pass


def _bounds(shape: botocore.model.Shape, default_low: int, default_high: int | None) -> tuple[int, int | None]:
    meta = shape.metadata
    low = int(meta.get("min", default_low))
    high = int(meta["max"]) if "max" in meta else default_high
    return max(low, 0), high


def _fits(text: str, low: int, high: int | None) -> bool:
    return len(text) >= low and (high is None or len(text) <= high)


@cache
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


@cache
def _parsed(pattern: str) -> Any:
    return sre_parse.parse(pattern)


def _choose_char(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    """One character an ``IN`` set (``[...]``) accepts, preferring printable ASCII."""
    negate = any(op is sre_constants.NEGATE for op, _ in items)
    allowed = [ch for ch in _PREFERRED if _in_set(ord(ch), items) != negate]
    if allowed:
        good = [ch for ch in allowed if ch in SAFE_CHARS] or allowed
        return rng.choice(good)
    if not negate:
        for op, arg in items:
            if op is sre_constants.LITERAL:
                return chr(arg)
            if op is sre_constants.RANGE:
                return chr(arg[0])
    raise _Unsupported


_CATEGORIES: dict[Any, Callable[[int], bool]] = {
    sre_constants.CATEGORY_DIGIT: lambda c: chr(c).isdigit(),
    sre_constants.CATEGORY_NOT_DIGIT: lambda c: not chr(c).isdigit(),
    sre_constants.CATEGORY_SPACE: lambda c: chr(c).isspace(),
    sre_constants.CATEGORY_NOT_SPACE: lambda c: not chr(c).isspace(),
    sre_constants.CATEGORY_WORD: lambda c: chr(c).isalnum() or c == ord("_"),
    sre_constants.CATEGORY_NOT_WORD: lambda c: not (chr(c).isalnum() or c == ord("_")),
}


def _in_set(code: int, items: list[tuple[Any, Any]]) -> bool:
    for op, arg in items:
        if op is sre_constants.LITERAL and code == arg:
            return True
        if op is sre_constants.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is sre_constants.CATEGORY and arg in _CATEGORIES and _CATEGORIES[arg](code):
            return True
    return False


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None))


def _quoted(item: str) -> str:
    """A header list item, double-quoted (``"`` and ``\\`` escaped) when it holds ``,`` or ``"``."""
    if "," not in item and '"' not in item:
        return item
    return '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _emit(tree: Any, rng: random.Random, spread: int) -> list[str]:
    out: list[str] = []
    for op, arg in tree:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.NOT_LITERAL:
            out.append(rng.choice([ch for ch in SAFE_CHARS if ord(ch) != arg]))
        elif op is sre_constants.ANY:
            out.append(rng.choice(SAFE_CHARS))
        elif op is sre_constants.IN:
            out.append(_choose_char(list(arg), rng))
        elif op is sre_constants.CATEGORY:
            out.append(_choose_char([(op, arg)], rng))
        elif op in _REPEATS:
            low, high, sub = arg
            top = low + spread if high is sre_constants.MAXREPEAT else min(high, low + spread)
            top = min(top, low + _UNLIMITED)
            for _ in range(rng.randint(low, max(low, top))):
                out.extend(_emit(sub, rng, spread))
        elif op is sre_constants.SUBPATTERN:
            out.extend(_emit(arg[-1], rng, spread))
        elif op is getattr(sre_constants, "ATOMIC_GROUP", None):
            out.extend(_emit(arg, rng, spread))
        elif op is sre_constants.BRANCH:
            out.extend(_emit(rng.choice(arg[1]), rng, spread))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # anchors and lookarounds: the final re.search decides
        else:
            raise _Unsupported
    return out


# -- wire forms ---------------------------------------------------------------------------------


def format_timestamp(value: dt.datetime, form: str) -> Any:
    if form == "unixTimestamp":
        return int(value.timestamp())
    if form == "rfc822":
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_wire(shape: botocore.model.Shape, value: Any, location: str = "body") -> Any:
    """``value`` (botocore's parameter form) as a JSON body carries it."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        members = shape.members
        return {
            members[name].serialization.get("name", name): to_wire(members[name], item)
            for name, item in value.items()
            if name in members
        }
    if kind == "list":
        return [to_wire(shape.member, item) for item in value]
    if kind == "map":
        return {key: to_wire(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return format_timestamp(value, timestamp_format(shape, location))
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return value


def header_text(shape: botocore.model.Shape, value: Any) -> str:
    """A header's text for ``value`` (restJson1 ``@httpHeader`` rules; restjson-bindings.md §3)."""
    kind = shape.type_name
    if kind == "list":
        items = [header_text(shape.member, item) for item in value]
        if shape.member.type_name == "timestamp":  # IMF-fixdates are never quoted (Smithy httpHeader lists)
            return ",".join(items)
        return ",".join(_quoted(item) for item in items)
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, "header")))
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "string" and shape.serialization.get("jsonvalue"):
        import json

        return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode("ascii")
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return str(value)


def sample_input(op: Any, seed: int | str = 0, *, optional: float = 0.6) -> dict[str, Any]:
    """A model-valid input for ``op`` (a ServiceOperation) as botocore's parameters: every required member,
    some optional ones, each within the model's constraints (botocore validates types, required members
    and ``min`` before sending).  Labels are never empty, so the request keeps the template's shape."""
    shape = op.model.input_shape
    if shape is None:
        return {}
    synth = Synth(f"{op.service_name}/{op.name}/input/{seed}", optional=optional)
    params = synth.structure(shape, 0)
    if (op.service_name, op.name) == ("connect", "UpdateParticipantAuthentication"):
        # Its semantics (connect_contract.mock.semantics), which the model cannot say: Code xor Error.
        params.pop("Error", None)
        params.pop("ErrorDescription", None)
        params.setdefault("Code", synth.value(shape.members["Code"], 1))
    for binding in op.labels:
        if binding.name in params and params[binding.name] in ("", ".", ".."):
            params[binding.name] = "x" * max(1, int(binding.shape.metadata.get("min", 1)))
    return params
