"""Ordered input checks for the operation's body, compiled once from the model.

The order is the one docs/mock.md documents: bytes -> JSON object (``SerializationException``),
media type (``UnsupportedMediaTypeException``), then member constraints (``InvalidParameterException``).
Member rules are compiled from :func:`connect_contract.model.load_operation` into plain Python
checks; measured against a jsonschema validator this keeps validation in the low microseconds, so
the mock stays fast.  Messages name the member and the constraint and never contain the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connect_contract.model import Member, Operation
from connect_contract.protocol import NotJsonError, decode_json

# Python type(s) a decoded JSON value must have for each model shape type (bool is not an int here).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}
_JSON_NAMES = {"string": "string", "boolean": "boolean", "integer": "integer", "long": "integer"}


class BodyError(Exception):
    """The body is not a JSON object (the message says why, without quoting it)."""


def parse_object(raw: bytes) -> dict[str, Any]:
    """Decode a request body that must be a UTF-8 JSON object."""
    value = parse_request_json(raw)
    if not isinstance(value, dict):
        raise BodyError(f"Request body must be a JSON object, not {_json_kind(value)}")
    return value


def parse_request_json(raw: bytes) -> Any:
    """Decode a strict UTF-8 JSON document (:func:`connect_contract.protocol.decode_json`); every way it can
    fail is a BodyError whose message says why, never what the body held."""
    try:
        return decode_json(raw)
    except NotJsonError as exc:
        if not raw.strip():
            raise BodyError("Request body is empty; expected a JSON object") from None
        raise BodyError(f"Request body is {exc}") from None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _ecma_anchor(pattern: str) -> str:
    # JSON Schema/Smithy patterns are ECMA-262: "$" is the very end.  Python's "$" also matches before a
    # trailing newline, which would let "x\n" through a printable-ASCII pattern.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + r"\Z"
    return pattern


def _failed(member: str, constraint: str) -> str:
    return f"Value at '{member}' failed to satisfy constraint: Member {constraint}"


def _null(member: str) -> str:
    return f"Value null at '{member}' failed to satisfy constraint: Member must not be null"


def _never(value: Any) -> bool:
    return False  # no shortcut: problems() decides


def _string_accepts(
    min_length: int | None, max_length: int | None, matcher: Callable[[str], re.Match[str] | None] | None
) -> Callable[[Any], bool]:
    """The every-request case of a string member, a valid string, decided in one expression (the mock's hot
    path); anything it does not accept goes to problems(), which says what is wrong."""
    low, high = min_length or 0, max_length if max_length is not None else float("inf")

    def accepts(value: Any) -> bool:
        return type(value) is str and low <= len(value) <= high and (matcher is None or matcher(value) is not None)

    return accepts


@dataclass(frozen=True)
class MemberRule:
    """One input member's constraints, ready to run."""

    name: str
    type: str
    required: bool
    min_length: int | None
    max_length: int | None
    pattern: str | None
    matcher: Callable[[str], re.Match[str] | None] | None
    accepts: Callable[[Any], bool]  # True only when problems() would find none; cheaper, no messages

    @classmethod
    def from_member(cls, member: Member) -> MemberRule:
        shape = member.shape
        if shape.type not in _JSON_TYPES:  # pragma: no cover - fail loudly if the model grows a new type
            raise ValueError(f"member {member.name}: unsupported shape type {shape.type}")
        matcher = re.compile(_ecma_anchor(shape.pattern)).search if shape.pattern else None
        accepts = _string_accepts(shape.min_length, shape.max_length, matcher) if shape.type == "string" else _never
        limits = (shape.min_length, shape.max_length, shape.pattern)
        return cls(member.name, shape.type, member.required, *limits, matcher, accepts)

    def problems(self, value: Any) -> list[str]:
        """What is wrong with a present, non-null value (empty when it is fine)."""
        kinds = _JSON_TYPES[self.type]
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            return [_failed(self.name, f"must be of type {_JSON_NAMES.get(self.type, self.type)}")]
        if not isinstance(value, (str, list, dict)):
            return []
        found = []
        size = len(value)  # code points for strings: Python str is a sequence of code points
        if self.min_length is not None and size < self.min_length:
            found.append(_failed(self.name, f"must have length greater than or equal to {self.min_length}"))
        if self.max_length is not None and size > self.max_length:
            # Too long: stop here, so a pattern never runs on oversize input.
            return [*found, _failed(self.name, f"must have length less than or equal to {self.max_length}")]
        if self.matcher is not None and isinstance(value, str) and self.matcher(value) is None:
            found.append(_failed(self.name, f"must satisfy regular expression pattern: {self.pattern}"))
        return found


class InputValidator:
    """The operation's member checks; build once (``create_app`` does), call per request."""

    def __init__(self, op: Operation) -> None:
        self.rules = tuple(MemberRule.from_member(m) for m in op.input_members)
        self.by_name = {rule.name: rule for rule in self.rules}

    def check(self, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The known, non-null members of ``body`` and a message listing every problem (or ``None``).

        Unknown members are ignored and a JSON ``null`` is treated as absent, as restJson1 requires.
        """
        params: dict[str, Any] = {}
        problems: list[str] = []
        for rule in self.rules:
            value = body.get(rule.name)
            if value is None:
                if rule.required:
                    problems.append(_null(rule.name))
                continue
            if rule.accepts(value) or not (found := rule.problems(value)):
                params[rule.name] = value
            else:
                problems.extend(found)
        if not problems:
            return params, None
        count = len(problems)
        return params, f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)

    def check_member(self, name: str, value: Any) -> str | None:
        """One member on its own (used for the InstanceId of ``POST /_mock/sessions``)."""
        rule = self.by_name[name]
        if value is None:
            return _null(name)
        found = rule.problems(value)
        return "; ".join(found) if found else None
