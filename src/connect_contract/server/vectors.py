"""Deterministic server vectors: ``contracts/vectors/server.json`` expanded against the model.

The data file holds the cases (Smithy ``httpMalformedRequestTests`` style); this module only
expands its small template language (see the file's ``$comment``) using facts from
:func:`connect_contract.model.load_operation` -- member names, which are required, sensitive or
patterned, and their length limits -- so no member name or limit is written here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from connect_contract.contracts import load_data
from connect_contract.model import Member, load_operation
from connect_contract.protocol import JSON_MEDIA_TYPE
from connect_contract.server.transport import Exchange, Intent, Sender

if TYPE_CHECKING:
    from connect_contract.operations import ServiceOperation

VECTORS_FILE = "vectors/server.json"
JSON_CONTENT_TYPE = JSON_MEDIA_TYPE


class VectorError(ValueError):
    """The vectors file is malformed (a bug in the data, reported with the case id)."""


@dataclass(frozen=True)
class Vector:
    id: str
    source: str
    expect: Intent
    method: str
    path: str
    content_type: str | None
    body: bytes
    markers: frozenset[str]  # distinctive sensitive values this vector carries
    same_as: str | None = None  # a vector whose answer this one's must equal
    within_seconds: float | None = None  # answer-time budget (ReDoS-shaped input)
    # Vectors of any other operation (:mod:`.model_vectors`): its headers, the operation, the pair's rule.
    extra_headers: tuple[tuple[str, str], ...] = ()
    operation: ServiceOperation | None = field(default=None, compare=False)
    pair: str = "code-points"

    def headers(self) -> dict[str, str]:
        found = {"Content-Type": self.content_type} if self.content_type is not None else {}
        return {**found, **dict(self.extra_headers)}


def valid_value(member: Member) -> str:
    """A short valid value for a string member, derived from its constraints."""
    shape = member.shape
    if shape.type != "string":
        raise VectorError(f"{member.name}: only string members are supported, not {shape.type}")
    value = f"cc-{member.name.lower()}"
    if shape.max_length is not None:
        value = value[: shape.max_length]
    value = value.ljust(shape.min_length or 0, "x")
    if shape.pattern and not re.search(shape.pattern, value):
        raise VectorError(f"{member.name}: no default value satisfies {shape.pattern!r}")
    return value


def marker(member: Member) -> str:
    """A distinctive, deterministic, pattern-valid value: finding it in a response is never chance."""
    return f"mk-{member.name}-{hashlib.sha256(member.name.encode()).hexdigest()[:12]}"


def _length(expr: str | int, member: Member) -> int | None:
    """Resolve ``min``/``max``/``min-1``/``max+1``/``max-1``/N; ``None`` when the member has no such limit."""
    if isinstance(expr, int):
        return expr
    match = re.fullmatch(r"(min|max)([+-]\d+)?", expr)
    if not match:
        raise VectorError(f"length must be min, max, min-1, max+1 or a number, not {expr!r}")
    limit = member.shape.min_length if match[1] == "min" else member.shape.max_length
    if limit is None:
        return None
    value = limit + int(match[2] or 0)
    return value if value >= 0 else None


class _Skip(Exception):
    """This case does not apply to this member (e.g. below-min for a member without a minimum)."""


def _value(spec: Any, member: Member | None) -> Any:
    if not isinstance(spec, dict) or not spec.keys() & {"$string", "$marker"}:
        return spec
    if member is None:
        raise VectorError("$string and $marker need for_each")
    if "$string" in spec:
        params = spec["$string"]
        n = _length(params["length"], member)
        if n is None:
            raise _Skip
        chars = list(params["repeat"]) * (n // max(len(params["repeat"]), 1) + 1)
        value = "".join(chars[:n])
        if params.get("last") and n:
            value = value[:-1] + params["last"]
        return value
    mark = marker(member)
    kind = spec["$marker"]
    if kind == "valid":
        return mark
    if kind == "violating":
        return mark + '"'
    if kind == "too-long":
        n = (member.shape.max_length or 0) + 1
        return (mark * (n // len(mark) + 1))[:n]
    raise VectorError(f"$marker must be valid, violating or too-long, not {kind!r}")


def base_body(*, full: bool) -> dict[str, Any]:
    op = load_operation()
    return {m.name: valid_value(m) for m in op.input_members if full or m.required}


def _placeholders() -> dict[str, str]:
    base = base_body(full=False)
    text = json.dumps(base, separators=(",", ":"))
    single = "{" + ",".join(f"'{k}':'{v}'" for k, v in base.items()) + "}"
    return {"{base}": text, "{base_single_quoted}": single, "{base_trailing_comma}": text[:-1] + ",}"}


def _matches(member: Member, selector: Mapping[str, bool]) -> bool:
    facts = {"required": member.required, "sensitive": member.sensitive, "pattern": member.shape.pattern is not None}
    unknown = selector.keys() - facts.keys()
    if unknown:
        raise VectorError(f"for_each knows required, sensitive and pattern, not {sorted(unknown)}")
    return all(facts[key] == wanted for key, wanted in selector.items())


def _sub(text: str, member: Member | None) -> str:
    return text.replace("{member}", member.name) if member else text


def _body(spec: Mapping[str, Any], member: Member | None) -> tuple[bytes, frozenset[str]]:
    if "raw" in spec:
        text = spec["raw"]
        for key, value in _placeholders().items():
            text = text.replace(key, value)
        return text.encode("utf-8"), frozenset()
    template = spec["json"]
    document = base_body(full=template.get("from") == "full")
    for name in template.get("drop", ()):
        document.pop(_sub(name, member), None)
    markers = set()
    for name, value_spec in template.get("set", {}).items():
        value = _value(value_spec, member)
        if isinstance(value_spec, dict) and "$marker" in value_spec and member is not None:
            markers.add(marker(member))
        document[_sub(name, member)] = value
    return json.dumps(document, ensure_ascii=False).encode("utf-8"), frozenset(markers)


def _expand(case: Mapping[str, Any]) -> Iterator[Vector]:
    op = load_operation()
    selector = case.get("for_each")
    members: list[Member | None] = (
        [None] if selector is None else [m for m in op.input_members if _matches(m, selector)]
    )
    for member in members:
        try:
            body, markers = _body(case["body"], member)
        except _Skip:
            continue
        yield Vector(
            id=_sub(case["id"], member),
            source=case.get("source", ""),
            expect=case["expect"],
            method=case.get("method", op.http_method),
            path=case.get("path", op.request_uri),
            content_type=case.get("content_type", JSON_CONTENT_TYPE),
            body=body,
            markers=markers,
            same_as=_sub(case["same_as"], member) if "same_as" in case else None,
            within_seconds=case.get("within_seconds"),
        )


@cache
def load_vectors() -> tuple[Vector, ...]:
    """Every expanded vector, in file order; raises :class:`VectorError` on malformed data."""
    vectors: list[Vector] = []
    for case in load_data(VECTORS_FILE)["cases"]:
        try:
            vectors.extend(_expand(case))
        except (KeyError, TypeError) as exc:
            raise VectorError(f"case {case.get('id', '?')!r} is malformed: {exc!r}") from exc
    ids = [v.id for v in vectors]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise VectorError(f"duplicate vector ids: {duplicates}")
    dangling = sorted(v.id for v in vectors if v.same_as and v.same_as not in ids[: ids.index(v.id)])
    if dangling:
        raise VectorError(f"same_as must name an earlier vector: {dangling}")
    if any(v.expect not in ("valid", "invalid", "either") for v in vectors):
        raise VectorError("expect must be valid, invalid or either")
    return tuple(vectors)


def send_vector(sender: Sender, base_url: str, vector: Vector) -> Exchange:
    from connect_contract.server.classify import sensitive_values

    # Another operation's vector lists its sensitive values itself (the mission's are read from the body).
    secrets = vector.markers if vector.operation is not None else sensitive_values(vector.body) | vector.markers
    return sender.send(
        vector.method,
        base_url.rstrip("/") + vector.path,
        vector.headers(),
        vector.body,
        intent=vector.expect,
        source=f"vector {vector.id}",
        secrets=secrets,
        budget=vector.within_seconds,
        operation=vector.operation,
    )
