"""Model-valid values for any botocore shape: the baseline every server vector starts from.

A value respects what botocore's model says about its shape: enums (the first value), string and
list lengths, numeric ranges, patterns, required members, unions (exactly one member).  Values are
Python values as botocore's parameters take them (``datetime`` for timestamps, ``bytes`` for
blobs), so botocore's own serializer turns them into a request (:mod:`.model_vectors`) and its own
validator checks them.  Everything is deterministic: the same shape gives the same value.

A pattern no simple candidate satisfies is handed to Hypothesis' ``from_regex`` (derandomized, so
still deterministic); a pattern Python's ``re`` cannot compile (ECMA-only syntax such as
``\\p{L}``) is not enforced by the contracts either (``x-aws-pattern``), so it is ignored here too.
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from typing import Any

import botocore.model

from connect_contract.operations.patterns import intended_pattern

# A fixed instant for timestamps: whole seconds, so every wire format renders it exactly.
TIMESTAMP = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
# Beyond this depth only required members are filled in (recursive shapes terminate).
MAX_DEPTH = 4


class NoValidValue(ValueError):
    """The model's constraints could not be met by the generator (reported with the shape's name)."""


@cache
def compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def fits(shape: botocore.model.Shape, text: str) -> bool:
    """Whether ``text`` meets the string shape's length and (Python-compilable) pattern, as the contracts judge."""
    meta = shape.metadata
    if "min" in meta and len(text) < meta["min"]:
        return False
    if "max" in meta and len(text) > meta["max"]:
        return False
    pattern = compiled(intended_pattern(meta["pattern"])) if "pattern" in meta else None
    return pattern is None or pattern.search(text) is not None


def sized(seed: str, low: int, high: int | None, filler: str = "x") -> str:
    text = seed if high is None else seed[:high]
    return text.ljust(low, filler) if len(text) < low else text


def string_value(shape: botocore.model.Shape, hint: str, *, non_empty: bool = False) -> str:
    meta = shape.metadata
    if meta.get("enum"):
        return str(meta["enum"][0])
    low = max(int(meta.get("min", 0)), 1 if non_empty else 0)
    high = meta.get("max")
    name = re.sub(r"[^a-z0-9]", "", hint.lower()) or "value"
    for seed, filler in ((f"cc-{name}", "x"), (f"cc{name}", "x"), (name, "x"), ("a", "a"), ("1", "1"), ("A", "A")):
        candidate = sized(seed, low, high, filler)
        if fits(shape, candidate) and (candidate or not non_empty):
            return candidate
    found = _from_regex(intended_pattern(meta.get("pattern", "")), low, high)
    if found is None:
        raise NoValidValue(f"{shape.name}: no value matching {meta.get('pattern')!r} of length {low}..{high} found")
    return found


@cache  # failures too: an unsatisfiable pattern costs its search once per process
def _from_regex(pattern: str, low: int, high: int | None) -> str | None:
    import hypothesis
    from hypothesis import strategies

    regex = compiled(pattern)
    if regex is None:
        return None
    try:
        found: str = hypothesis.find(
            strategies.from_regex(regex, fullmatch=False),
            lambda text: low <= len(text) <= (high if high is not None else max(low, 64)) and "\x00" not in text,
            settings=hypothesis.settings(
                database=None,
                derandomize=True,
                max_examples=40,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            ),
        )
    except (hypothesis.errors.NoSuchExample, hypothesis.errors.Unsatisfiable):
        return None
    return found


def number_value(shape: botocore.model.Shape) -> int | float:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    value: int | float = low if low is not None else (min(1, high) if high is not None else 1)
    return float(value) if shape.type_name in ("float", "double") else int(value)


def count_of(shape: botocore.model.Shape) -> int:
    """How many items a list or map gets: one, or the model's minimum, within its maximum."""
    meta = shape.metadata
    wanted = max(int(meta.get("min", 1)), 1)
    return min(wanted, int(meta["max"])) if "max" in meta else wanted


def valid_value(
    shape: botocore.model.Shape, hint: str = "value", *, full: bool = False, depth: int = 0, non_empty: bool = False
) -> Any:
    """A value of ``shape`` the model accepts; ``full`` also fills optional members (to ``MAX_DEPTH``)."""
    kind = shape.type_name
    if kind == "string":
        return string_value(shape, hint, non_empty=non_empty)
    if kind in ("integer", "long", "float", "double"):
        return number_value(shape)
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return TIMESTAMP
    if kind == "blob":
        meta = shape.metadata
        # Named after the member, like strings: distinctive enough for check no_secret_echo to search
        # for when the blob is sensitive (ebs PutSnapshotBlock's BlockData payload).
        name = re.sub(r"[^a-z0-9]", "", hint.lower()) or "blob"
        return sized(f"cc-{name}", int(meta.get("min", 0)), meta.get("max")).encode("ascii")
    if kind == "list":
        count = 0 if depth > MAX_DEPTH and not shape.metadata.get("min") else count_of(shape)  # recursion ends
        items = [valid_value(shape.member, hint, full=full, depth=depth + 1) for _ in range(count)]
        if isinstance(shape.member, botocore.model.StringShape) and len(items) > 1 and not shape.member.enum:
            items = [_distinct(shape.member, item, i) for i, item in enumerate(items)]
        return items
    if kind == "map":
        keys = [_distinct(shape.key, string_value(shape.key, "key"), i) for i in range(count_of(shape))]
        return {key: valid_value(shape.value, key, full=full, depth=depth + 1) for key in keys}
    if kind == "structure":
        return structure_value(shape, full=full, depth=depth)
    raise NoValidValue(f"{shape.name}: unsupported shape type {kind!r}")


def _distinct(shape: botocore.model.Shape, value: str, index: int) -> str:
    """``value`` made distinct for position ``index`` (list items, map keys), when the model allows it."""
    if index == 0:
        return value
    for candidate in (f"{value[:-1]}{index % 10}", f"{value}{index}", f"{index}{value[1:]}"):
        if fits(shape, candidate):
            return candidate
    return value


def structure_value(shape: botocore.model.StructureShape, *, full: bool = False, depth: int = 0) -> dict[str, Any]:
    if shape.is_document_type:
        return {"cc": "document"}
    members = shape.members
    if shape.metadata.get("union"):
        # Past MAX_DEPTH a scalar member ends a recursive union (CreateEvaluationForm's items nest forever).
        scalars = [n for n, m in members.items() if m.type_name not in ("structure", "list", "map")]
        name = scalars[0] if depth > MAX_DEPTH and scalars else next(iter(members))
        return {name: valid_value(members[name], name, full=full, depth=depth + 1)}
    required = set(shape.required_members)
    wanted = [name for name in members if name in required or (full and depth < MAX_DEPTH)]
    value: dict[str, Any] = {}
    for name in wanted:
        member = members[name]
        if member.serialization.get("eventstream"):
            continue
        try:
            value[name] = valid_value(
                member, name, full=full, depth=depth + 1, non_empty=member.serialization.get("location") == "uri"
            )
        except NoValidValue:
            if name in required:
                raise
            # An optional member no value satisfies (a model pattern written with JS slashes, /^...$/, that
            # no string matches) is left out: a client can only omit it too.
    return value


def set_dotted(params: dict[str, Any], path: str, value: Any) -> None:
    """Set ``A.B.C`` in nested dicts, creating the structures on the way."""
    *parents, last = path.split(".")
    target = params
    for name in parents:
        target = target.setdefault(name, {})
        if not isinstance(target, dict):
            raise ValueError(f"--set {path}: {name} is not a structure")
    target[last] = value


def member_shape(shape: botocore.model.StructureShape, path: str) -> botocore.model.Shape:
    """The shape of the dotted member path ``A.B`` below ``shape``; ``KeyError`` names what is unknown."""
    current: botocore.model.Shape = shape
    for name in path.split("."):
        if not isinstance(current, botocore.model.StructureShape) or name not in current.members:
            raise KeyError(f"{current.name} has no member {name!r}")
        current = current.members[name]
    return current


def coerce(shape: botocore.model.Shape, text: str) -> Any:
    """``--set`` text as the member's type: strings stay text, numbers and booleans parse, others are JSON."""
    import json

    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, not {text!r}")
        return text == "true"
    if kind == "timestamp":
        return datetime.datetime.fromisoformat(text)
    return json.loads(text)
