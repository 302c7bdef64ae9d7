"""Server vectors for any rest-json operation, expanded from botocore's model (Smithy protocol-test style).

The baseline is a model-valid input (:mod:`.inputs`, plus ``--set`` pins) turned into a request by
botocore's own rest-json serializer -- labels percent-encoded, query lists as repeated keys, headers,
the JSON body -- exactly as boto3 would send it.  Each vector then changes one thing, in one location:

============================  =========  =============================================================
case                          expect     rule (Smithy)
============================  =========  =============================================================
baseline / baseline-full      valid      the operation's input (required members / every member)
unknown query parameter       valid      restJson1: servers ignore unknown query parameters
unknown header                valid      HTTP: unknown headers are ignored
required member missing       invalid    ``@required`` (httpMalformedRequestTests: RestJsonMalformedRequired*);
                                         an empty label is ``foreign``: the route itself no longer matches
length min-1/min/max/max+1    inv/valid  ``@length`` (RestJsonMalformedLength*), code points
pattern broken                invalid    ``@pattern`` (RestJsonMalformedPattern*), at a valid length
range min-1/min/max/max+1     inv/valid  ``@range`` (RestJsonMalformedRange*)
list items max+1              invalid    ``@length`` on a list; in a query string these are repeated keys,
                                         so a server reading them as one value misses it
repeated query key            valid      RestJsonAllQueryStringTypes: a list is repeated keys
enum value outside the model  invalid    ``@enum`` (RestJsonMalformedEnum*)
wrong JSON / text type        invalid    RestJsonMalformedInteger*/Boolean*/String* (body, query, header)
label needing %-encoding      valid      RestJsonHttpRequestLabelEscaping; compared with a same-length
                                         plain twin (check ``label_percent_decoding``)
============================  =========  =============================================================

Only top-level members get vectors of their own; nested members are covered by the generated
(schemathesis) cases.  Nothing here names a member or a limit: all of it is read from the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import botocore.model
import botocore.serialize
from botocore.utils import percent_encode

from connect_contract.operations import Binding, ServiceOperation
from connect_contract.operations.patterns import intended_pattern
from connect_contract.server.inputs import (
    NoValidValue,
    coerce,
    count_of,
    fits,
    member_shape,
    set_dotted,
    sized,
    structure_value,
    valid_value,
)
from connect_contract.server.transport import Intent
from connect_contract.server.vectors import Vector, VectorError

UNKNOWN_QUERY = ("connect-contract-unknown", "ignored")
UNKNOWN_HEADER = ("X-Connect-Contract-Unknown", "ignored")
NOT_AN_ENUM_VALUE = "CONNECT_CONTRACT_NOT_IN_ENUM"
NOT_A_NUMBER = "not-a-number"
# Characters a label value must carry percent-encoded on the wire (RestJsonHttpRequestLabelEscaping).
ENCODED_LABEL_CHARACTERS = (":", " ", "@", "+", "=", ",")
_VALIDATING = botocore.serialize.create_serializer("rest-json", include_validation=True)
_RAW = botocore.serialize.create_serializer("rest-json", include_validation=False)

Params = dict[str, Any]


@dataclass(frozen=True)
class Wire:
    """A serialized request: path (with any fixed query), query pairs in order, headers, body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def target(self) -> str:
        if not self.query:
            return self.path
        encoded = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in self.query)
        return self.path + ("&" if "?" in self.path else "?") + encoded


def serialize(op: ServiceOperation, params: Params, *, validate: bool = True) -> Wire:
    """``params`` as botocore sends them (``validate``: through botocore's own parameter validation)."""
    try:
        request = (_VALIDATING if validate else _RAW).serialize_to_request(params, op.model)
    except botocore.exceptions.ParamValidationError as error:
        raise VectorError(f"{op.name}: the generated input is not valid for botocore: {error}") from None
    pairs: list[tuple[str, str]] = []
    for key, value in request["query_string"].items():
        values = value if isinstance(value, list) else [value]
        pairs += [(key, str(item)) for item in values]
    body = request["body"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Wire(request["method"], request["url_path"], tuple(pairs), tuple(request["headers"].items()), body or b"")


def parse_pins(op: ServiceOperation, pins: Mapping[str, str]) -> Params:
    """``--set`` pairs as typed values by dotted member path; ``ValueError`` names an unknown member."""
    shape = op.model.input_shape
    if shape is None:
        if pins:
            raise ValueError(f"{op.name} has no input: --set does not apply")
        return {}
    typed: Params = {}
    for path, text in pins.items():
        try:
            target = member_shape(shape, path)
        except KeyError as error:
            raise ValueError(f"--set {path}: {error.args[0]} ({op.name})") from None
        try:
            typed[path] = coerce(target, text)
        except ValueError as error:
            raise ValueError(f"--set {path}: {error}") from None
    return typed


def baseline(op: ServiceOperation, pins: Params, *, full: bool = False) -> Params:
    shape = op.model.input_shape
    params = structure_value(shape, full=full) if shape is not None else {}
    for path, value in pins.items():
        set_dotted(params, path, value)
    return params


def split_strings(shape: botocore.model.Shape | None, value: Any) -> tuple[set[str], set[str]]:
    """Every string in ``value`` (any depth), split by its member: ``(sensitive, plain)``.  The sensitive
    ones must never come back; the plain ones a server may send back, such as an id.  Plain is everything
    sent in the clear: map keys and member names, and every string under a member the model does not
    know, a document, or a value of another type than the model's (an invalid case's), which a server may
    quote in its message."""
    sensitive: set[str] = set()
    plain: set[str] = set()
    if value is None:
        return sensitive, plain
    if shape is None:  # a member the model does not know: all of it is in the clear
        return sensitive, _all_text(value)
    if shape.metadata.get("sensitive"):
        if isinstance(value, bytes):  # a sensitive blob: searched for as the text it holds, when it is text
            value = value.decode("utf-8", "replace")
        if isinstance(value, (dict, list)):  # a sensitive map, list or structure: every string value in it
            return _string_values(value), plain
        return ({value} if isinstance(value, str) else sensitive), plain
    if isinstance(value, str):
        return sensitive, {value}
    pairs: list[tuple[botocore.model.Shape | None, Any]] = []
    if isinstance(shape, botocore.model.StructureShape) and isinstance(value, dict) and shape.members:
        plain |= {str(key) for key in value}
        pairs = [(shape.members.get(str(name)), item) for name, item in value.items()]
    elif isinstance(shape, botocore.model.ListShape) and isinstance(value, list):
        pairs = [(shape.member, item) for item in value]
    elif isinstance(shape, botocore.model.MapShape) and isinstance(value, dict):
        plain |= {str(key) for key in value}
        pairs = [(shape.value, item) for item in value.values()]
    else:  # a document, or a value the model's type does not describe: all of it is in the clear
        return sensitive, _all_text(value)
    for member, item in pairs:
        found, clear = split_strings(member, item)
        sensitive |= found
        plain |= clear
    return sensitive, plain


def _string_values(value: Any) -> set[str]:
    """The string values at any depth of a JSON-like value (not map keys: a name is not the secret)."""
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return {text for item in items for text in _string_values(item)}


def _keys(value: Any) -> set[str]:
    """The object keys at any depth of a JSON-like value."""
    if isinstance(value, dict):
        return {str(key) for key in value} | {key for item in value.values() for key in _keys(item)}
    return {key for item in value for key in _keys(item)} if isinstance(value, list) else set()


def _all_text(value: Any) -> set[str]:
    """Every string value and object key at any depth of a JSON-like value."""
    return _string_values(value) | _keys(value)


def in_the_clear(secrets: set[str], plain: set[str]) -> set[str]:
    """The secrets also sent in the clear: equal to, or inside, a plain string of the same request.  A
    server that sends one back may be quoting the plain member, which leaks nothing the request did not
    already send openly (generated cases reuse values, Hypothesis' constants especially)."""
    return {secret for secret in secrets if any(secret in text for text in plain)}


def echo_secrets(shape: botocore.model.Shape | None, value: Any) -> frozenset[str]:
    """The string values of ``sensitive`` members in ``value`` (any depth) that must never come back, less
    those the request also sends in the clear: a sensitive value inside a plain one ("cc-content" in
    ContentType's "cc-contenttype") cannot be told apart from it in an answer, so it is no evidence."""
    sensitive, plain = split_strings(shape, value)
    return frozenset(sensitive - in_the_clear(sensitive, plain))


class _Builder:
    """Collects the vectors of one operation; each is a baseline with one change."""

    def __init__(self, op: ServiceOperation, pins: Params) -> None:
        self.op = op
        self.pins = pins
        self.base = baseline(op, pins)
        self.vectors: list[Vector] = []

    def add(
        self,
        case_id: str,
        source: str,
        expect: Intent,
        params: Params,
        *,
        wire: Callable[[Wire], Wire] | None = None,
        same_as: str | None = None,
        pair: str = "code-points",
    ) -> None:
        sent = serialize(self.op, params, validate=expect == "valid" and wire is None)
        if wire is not None:
            sent = wire(sent)
        headers = dict(sent.headers)
        content_type = headers.pop("Content-Type", None)
        self.vectors.append(
            Vector(
                id=case_id,
                source=source,
                expect=expect,
                method=sent.method,
                path=sent.target(),
                content_type=content_type,
                body=sent.body,
                markers=echo_secrets(self.op.model.input_shape, params),
                same_as=same_as,
                extra_headers=tuple(headers.items()),
                operation=self.op,
                pair=pair,
            )
        )

    def changed(self, name: str, value: Any) -> Params:
        params = dict(self.base)
        params[name] = value
        return params

    def dropped(self, name: str) -> Params:
        return {key: value for key, value in self.base.items() if key != name}


def model_vectors(op: ServiceOperation, pins: Params | None = None) -> tuple[Vector, ...]:
    """Every vector of ``op`` (deterministic, in a stable order); ``pins`` are ``--set`` values."""
    builder = _Builder(op, pins or {})
    builder.add("baseline", "the model's required members, botocore's serializer", "valid", builder.base)
    full = baseline(op, pins or {}, full=True)
    if op.paginator is not None:  # a client never invents a page token: only the server's are followed
        tokens = op.paginator["input_token"]
        for token in tokens if isinstance(tokens, list) else [tokens]:
            if token not in (pins or {}):
                full.pop(token, None)
    if full != builder.base:
        builder.add("baseline-full", "every member, botocore's serializer", "valid", full)
    builder.add(
        "unknown-query-parameter",
        "restJson1: a server ignores query parameters it does not know",
        "valid",
        builder.base,
        wire=lambda w: replace(w, query=(*w.query, UNKNOWN_QUERY)),
    )
    builder.add(
        "unknown-header",
        "HTTP: a server ignores headers it does not know",
        "valid",
        builder.base,
        wire=lambda w: replace(w, headers=(*w.headers, UNKNOWN_HEADER)),
    )
    for binding in op.input:
        if binding.location in ("label", "query", "header", "body") and not binding.event_stream:
            try:
                cases = list(_member_cases(builder, binding))
            except NoValidValue:
                continue  # no valid value exists for this member (see inputs.structure_value): nothing to vary
            for vector_args in cases:
                builder.add(*vector_args[:4], **vector_args[4])
    ids = [v.id for v in builder.vectors]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise VectorError(f"{op.name}: duplicate vector ids {duplicates}")
    return tuple(builder.vectors)


Case = tuple[str, str, Intent, Params, dict[str, Any]]


def _member_cases(b: _Builder, m: Binding) -> Iterator[Case]:
    where = f"{m.location}-{m.name}"
    kind = m.type_name
    meta = m.shape.metadata
    if m.required:
        # An empty label changes the route: the request may now be another operation's (``/instance/``
        # is ListInstances' path), so only the checks for any answer (no 5xx) judge it.
        expect: Intent = "foreign" if m.location == "label" else "invalid"
        why = "the route no longer matches" if m.location == "label" else "RestJsonMalformedRequired"
        if m.location == "label":
            yield where + "-empty", f"@required label left empty ({why})", expect, b.changed(m.name, ""), {}
        else:
            yield where + "-missing", f"@required member missing ({why})", expect, b.dropped(m.name), {}
    if kind == "string" and not meta.get("enum"):
        yield from _length_cases(b, m, where)
        yield from _pattern_cases(b, m, where)
    if kind in ("integer", "long", "float", "double"):
        yield from _range_cases(b, m, where)
    if kind == "string" and meta.get("enum"):
        value = NOT_AN_ENUM_VALUE
        yield (
            where + "-not-in-enum",
            "@enum: a value outside the model (RestJsonMalformedEnum)",
            "invalid",
            (b.changed(m.name, value)),
            {},
        )
    if kind == "list":
        yield from _list_cases(b, m, where)
    yield from _type_cases(b, m, where)
    if m.location == "label" and kind == "string" and not m.greedy and not meta.get("enum"):
        yield from _label_encoding_cases(b, m, where)


def _valid_string(m: Binding) -> str:
    return str(valid_value(m.shape, m.name, non_empty=m.location == "label"))


def _string_of_length(m: Binding, length: int) -> str | None:
    """A value of exactly ``length`` code points that breaks nothing but (perhaps) the length."""
    seed = _valid_string(m)
    fillers = (seed[-1:] or "a", "a", "1")
    for filler in fillers:
        text = sized(seed, length, length, filler)
        pattern_ok = fits(m.shape, text) or not _length_free_mismatch(m.shape, text)
        if len(text) == length and pattern_ok:
            return text
    return None


def _length_free_mismatch(shape: botocore.model.Shape, text: str) -> bool:
    """Whether ``text`` breaks the pattern (length limits aside)."""
    from connect_contract.server.inputs import compiled

    pattern = compiled(intended_pattern(shape.metadata["pattern"])) if "pattern" in shape.metadata else None
    return pattern is not None and pattern.search(text) is None


def _length_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    meta = m.shape.metadata
    bounds: list[tuple[str, int, Intent]] = []
    if "min" in meta:
        low = int(meta["min"])
        bounds += [("below-min-length", low - 1, "invalid"), ("min-length", low, "valid")]
    if "max" in meta:
        high = int(meta["max"])
        bounds += [("max-length", high, "valid"), ("above-max-length", high + 1, "invalid")]
    for label, length, expect in bounds:
        if length < 0 or (m.location == "label" and length == 0):
            continue  # an empty label is a routing question (the "-empty" case), not a length one
        text = _string_of_length(m, length)
        if text is None:
            continue
        yield (
            f"{where}-{label}",
            f"@length {label} ({length}; RestJsonMalformedLength)",
            expect,
            (b.changed(m.name, text)),
            {},
        )


# Characters tried, one at a time, in place of a valid value's last character to break its pattern.
PATTERN_BREAKERS = ('"', "\u00e9", "#", " ", "!", "~", "*")


def _pattern_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    """A value of a valid length that breaks the member's pattern (RestJsonMalformedPattern*)."""
    from connect_contract.server.inputs import compiled

    pattern = compiled(intended_pattern(m.shape.metadata["pattern"])) if "pattern" in m.shape.metadata else None
    if pattern is None:
        return
    valid = _valid_string(m)
    for char in PATTERN_BREAKERS:
        candidate = valid[:-1] + char if valid else char
        if pattern.search(candidate) is None and not _length_free_mismatch_only_length(m.shape, candidate):
            yield (
                f"{where}-breaks-pattern",
                f"@pattern: {char!r} (RestJsonMalformedPattern)",
                "invalid",
                (b.changed(m.name, candidate)),
                {},
            )
            return


def _length_free_mismatch_only_length(shape: botocore.model.Shape, text: str) -> bool:
    """Whether ``text`` breaks the length limits (then it would not test the pattern alone)."""
    meta = shape.metadata
    return ("min" in meta and len(text) < meta["min"]) or ("max" in meta and len(text) > meta["max"])


def _range_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    meta = m.shape.metadata
    step = 1
    cases: list[tuple[str, Any, Intent]] = []
    if "min" in meta:
        cases += [("below-min", meta["min"] - step, "invalid"), ("min", meta["min"], "valid")]
    if "max" in meta:
        cases += [("max", meta["max"], "valid"), ("above-max", meta["max"] + step, "invalid")]
    integral = m.type_name in ("integer", "long")
    for label, value, expect in cases:
        number = int(value) if integral else float(value)
        yield (
            f"{where}-{label}",
            f"@range {label} ({number}; RestJsonMalformedRange)",
            expect,
            (b.changed(m.name, number)),
            {},
        )


def _list_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    meta = m.shape.metadata
    item = m.shape.member
    try:
        first = valid_value(item, m.name)
    except NoValidValue:
        return
    if "max" in meta:
        too_many = int(meta["max"]) + 1
        items = _distinct_items(item, first, too_many)
        how = "as repeated query keys, " if m.location == "query" else ""
        yield (
            where + "-above-max-items",
            f"@length on a list: {too_many} items ({how}RestJsonMalformedLength)",
            ("invalid"),
            b.changed(m.name, items),
            {},
        )
    if m.location == "query" and int(meta.get("max", 2)) >= 2 and count_of(m.shape) < 2:
        items = _distinct_items(item, first, 2)
        yield (
            where + "-repeated-key",
            "a query list is repeated keys (RestJsonAllQueryStringTypes)",
            "valid",
            (b.changed(m.name, items)),
            {},
        )


def _distinct_items(shape: botocore.model.Shape, first: Any, count: int) -> list[Any]:
    if not isinstance(first, str) or shape.metadata.get("enum"):
        return [first] * count
    items = []
    for index in range(count):
        width = len(str(count))
        candidate = f"{first}{index:0{width}d}"
        if not fits(shape, candidate):
            candidate = f"{first[: max(len(first) - width, 0)]}{index:0{width}d}"
        items.append(candidate if fits(shape, candidate) else first)
    return items


def _type_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    kind = m.type_name
    source = "a value of the wrong type (RestJsonMalformed{}) in the {}"
    if m.location == "body":
        wrong: Any = {"string": 123, "boolean": "true", "timestamp": "not-a-timestamp"}.get(kind)
        if kind in ("integer", "long", "float", "double"):
            wrong = "1"
        if kind in ("structure", "map"):
            wrong = ["not-an-object"]
        if kind == "list":
            wrong = {"not": "a-list"}
        if wrong is None or (kind == "structure" and m.shape.is_document_type):
            return
        body_name = m.wire_name

        def rewrite_body(wire: Wire, value: Any = wrong) -> Wire:
            document = json.loads(wire.body or b"{}")
            document[body_name] = value
            return replace(wire, body=json.dumps(document).encode("utf-8"))

        params = b.changed(m.name, valid_value(m.shape, m.name))
        yield (
            f"{where}-wrong-type",
            source.format(kind.capitalize(), "JSON body"),
            "invalid",
            params,
            {"wire": rewrite_body},
        )
    elif m.location in ("query", "header") and kind in ("integer", "long", "float", "double", "boolean"):
        name = m.wire_name
        params = b.changed(m.name, valid_value(m.shape, m.name))
        if m.location == "query":

            def rewrite(wire: Wire) -> Wire:
                return replace(wire, query=tuple((k, NOT_A_NUMBER if k == name else v) for k, v in wire.query))
        else:

            def rewrite(wire: Wire) -> Wire:
                return replace(wire, headers=tuple((k, NOT_A_NUMBER if k == name else v) for k, v in wire.headers))

        yield (
            f"{where}-not-{_article(kind)}",
            source.format(kind.capitalize(), m.location),
            "invalid",
            params,
            {"wire": rewrite},
        )


def _label_encoding_cases(b: _Builder, m: Binding, where: str) -> Iterator[Case]:
    """A label whose value needs percent-encoding, and a plain twin of the same length, both valid.

    At the maximum length when the model has one: a server that leaves the label percent-encoded
    then sees a longer value than was sent, and answers unlike the twin.
    """
    plain = _valid_string(m)
    length = int(m.shape.metadata.get("max", max(len(plain), 12)))
    length = min(length, 64) if "max" not in m.shape.metadata else length
    twin = _string_of_length(m, length)
    if twin is None or len(twin) < 3:
        return
    for char in ENCODED_LABEL_CHARACTERS:
        encoded = twin[:1] + char + twin[2:]
        if fits(m.shape, encoded):
            break
    else:
        return
    twin_id = f"{where}-plain-twin"
    yield twin_id, "a plain label of the same length (twin of the encoded one)", "valid", b.changed(m.name, twin), {}
    yield (
        f"{where}-percent-encoded",
        f"a label holding {char!r} (RestJsonHttpRequestLabelEscaping)",
        "valid",
        (b.changed(m.name, encoded)),
        {"same_as": twin_id, "pair": "label-encoding"},
    )


def _article(kind: str) -> str:
    return ("an-" if kind[0] in "aeiou" else "a-") + kind


def split_pins(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``--set Member=VALUE`` (repeatable; ``A.B=V`` for nested members) as pairs; ``ValueError`` if malformed."""
    pins = []
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise ValueError(f"--set expects Member=VALUE, not {value!r}")
        pins.append((name.strip(), text))
    return tuple(pins)
