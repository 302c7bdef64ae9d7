"""The ``sensitive`` trait at any depth, for any operation: mask, canonicalize and find sensitive values.

botocore's shapes carry ``sensitive`` on the member or on its target; a sensitive structure, list or
map makes everything under it sensitive.  One walk over (shape, decoded value) serves three callers:

- :func:`redact` replaces each sensitive value by its placeholder (same JSON type, same length in
  code points, same pattern verdict: see :mod:`.redact`), deterministic and idempotent;
- :func:`canonical` replaces it by a presence marker ``<present:valid>`` / ``<present:too-long>`` /
  ... for request matching (what a redacted recording still knows);
- :func:`leaves` yields every sensitive value with where it is, for the secret scan (a value that
  is not its own placeholder was never redacted).

Values come decoded from a location (JSON body, query value, header, label), so a walk follows the
wire names (``locationName``) JSON and the HTTP bindings use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import botocore.model

from connect_contract.operations.patterns import intended_pattern

REDACTED = "REDACTED"
# Characters tried, in order, to keep a pattern-violating value violating after redaction.
_VIOLATORS = ('"', "\u00d7", "\x00")
MAX_DEPTH = 32  # recursive shapes (documents of documents) stop here: deeper values are kept as they are


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct: no pattern verdict rather than a crash
        return None


def matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.search(value) is not None


def _bounds(shape: botocore.model.Shape) -> tuple[int | None, int | None, str | None]:
    meta = shape.metadata
    return meta.get("min"), meta.get("max"), intended_pattern(meta.get("pattern") or "") or None


def verdict(shape: botocore.model.Shape, value: Any) -> str:
    """What the contract can say about a sensitive value: ``valid`` or the first constraint it breaks."""
    if value is None:
        return "null"
    if shape.type_name != "string" or not isinstance(value, str):
        return "type" if shape.type_name == "string" else "other"
    low, high, pattern = _bounds(shape)
    if low is not None and len(value) < low:
        return "too-short"
    if high is not None and len(value) > high:
        return "too-long"
    if pattern is not None and not matches(pattern, value):
        return "pattern"
    return "valid"


def placeholder(name: str, shape: botocore.model.Shape | None, value: Any) -> Any:
    """The stable placeholder for a sensitive value (same JSON type, length and pattern verdict)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return type(value)(0)
    item = shape
    if isinstance(value, list):
        item = shape.member if isinstance(shape, botocore.model.ListShape) else shape
        return [placeholder(name, item, entry) for entry in value]
    if isinstance(value, dict):
        return {key: placeholder(name, _child(shape, key), entry) for key, entry in value.items()}
    text = str(value)
    unit = f"{REDACTED}-{name}-"
    masked = (unit * (len(text) // len(unit) + 1))[: len(text)]
    pattern = _bounds(shape)[2] if shape is not None and shape.type_name == "string" else None
    if pattern and text and matches(pattern, text) and not matches(pattern, masked):
        # The placeholder would break a pattern the value satisfies (an e-mail address, a phone
        # number): keep the value's punctuation, hide its letters and digits.  Idempotent too.
        shaped = _shape_mask(text)
        if matches(pattern, shaped):
            return shaped
    if pattern and text and not matches(pattern, text) and matches(pattern, masked):
        for bad in _VIOLATORS:
            candidate = bad + masked[1:]
            if not matches(pattern, candidate):
                return candidate
    return masked


def _shape_mask(text: str) -> str:
    return "".join(("X" if c.isupper() else "x") if c.isalpha() else ("1" if c.isdigit() else c) for c in text)


def _child(shape: botocore.model.Shape | None, key: str) -> botocore.model.Shape | None:
    if isinstance(shape, botocore.model.StructureShape):
        return wire_members(shape).get(key, (key, None))[1]
    if isinstance(shape, botocore.model.MapShape):
        return shape.value
    return None


@cache
def _wire_members(shape: botocore.model.StructureShape) -> dict[str, tuple[str, botocore.model.Shape]]:
    return {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()}


def wire_members(shape: botocore.model.StructureShape) -> dict[str, tuple[str, botocore.model.Shape]]:
    """Wire name -> (member name, member shape)."""
    return _wire_members(shape)


def is_sensitive(shape: botocore.model.Shape) -> bool:
    return bool(shape.metadata.get("sensitive"))


Visit = Callable[[str, botocore.model.Shape, Any, tuple[str | int, ...]], Any]


def _walk(
    shape: botocore.model.Shape, value: Any, name: str, path: tuple[str | int, ...], visit: Visit, force: bool = False
) -> Any:
    """A copy of ``value`` where each sensitive subtree is replaced by ``visit(name, shape, value, path)``.

    ``force``: the value sits in a sensitive container the caller already unwrapped (a list-valued
    query parameter, a map of headers), so it is sensitive whatever its own shape says.
    """
    if force or is_sensitive(shape):
        return visit(name, shape, value, path)
    if len(path) > MAX_DEPTH:
        return value
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict):
        known = wire_members(shape)
        result = {}
        for key, item in value.items():
            member = known.get(key)
            result[key] = item if member is None else _walk(member[1], item, member[0], (*path, key), visit)
        return result
    if isinstance(shape, botocore.model.ListShape) and isinstance(value, list):
        return [_walk(shape.member, item, name, (*path, index), visit) for index, item in enumerate(value)]
    if isinstance(shape, botocore.model.MapShape) and isinstance(value, dict):
        return {key: _walk(shape.value, item, name, (*path, key), visit) for key, item in value.items()}
    return value


def redact(shape: botocore.model.Shape, value: Any, name: str, force: bool = False) -> Any:
    return _walk(shape, value, name, (), lambda n, s, v, _p: placeholder(n, s, v), force)


def canonical(shape: botocore.model.Shape, value: Any, name: str, force: bool = False) -> Any:
    return _walk(shape, value, name, (), lambda _n, s, v, _p: _marker(s, v), force)


def _marker(shape: botocore.model.Shape, value: Any) -> Any:
    if isinstance(value, list) and isinstance(shape, botocore.model.ListShape):
        return [_marker(shape.member, item) for item in value]
    return f"<present:{verdict(shape, value)}>"


def unredacted(
    shape: botocore.model.Shape, value: Any, name: str, force: bool = False
) -> list[tuple[str, tuple[str | int, ...]]]:
    """Where sensitive values are not their own placeholder (member name, path) -- never the values."""
    found: list[tuple[str, tuple[str | int, ...]]] = []

    def visit(n: str, s: botocore.model.Shape, v: Any, p: tuple[str | int, ...]) -> Any:
        if v is not None and placeholder(n, s, v) != v:
            found.append((n, p))
        return v

    _walk(shape, value, name, (), visit, force)
    return found


def walk(shape: botocore.model.Shape, value: Any, name: str, visit: Visit, force: bool = False) -> Any:
    """The walk itself, for callers with their own visit (see :func:`redact`)."""
    return _walk(shape, value, name, (), visit, force)


def texts(value: Any) -> list[str]:
    """Every string in a decoded value (a sensitive subtree's text, for scrubbing)."""
    found: list[str] = []
    _texts(value, found)
    return found


def _texts(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, list):
        for item in value:
            _texts(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _texts(item, into)
