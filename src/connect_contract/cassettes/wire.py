"""One operation's sensitive values on the wire: in labels, query values, headers and bodies.

:mod:`.sensitive` walks decoded values; this module knows where an operation puts them (its
bindings, :mod:`connect_contract.operations.bindings`) and rewrites the raw HTTP parts:

- :func:`redact_target` / :func:`redact_headers` / :func:`redact_body` mask every sensitive value
  of a request (labels and query values stay percent-encoded as clients send them: RFC 3986
  unreserved characters raw, everything else ``%XX``);
- :func:`redact_response_body` does the same for a success body (output shape) or an error body
  (the modeled error's shape, found the way clients resolve the type);
- :func:`canonical_target` / :func:`canonical_body` are the matching keys: query pairs as a sorted
  multiset of decoded pairs, JSON with keys sorted, sensitive values as presence markers;
- :func:`unredacted` lists where a sensitive value is not its own placeholder (the secret scan).

Text that does not parse is left alone here: the scan's pattern rules and lint judge it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote

import botocore.model

from connect_contract.cassettes import sensitive
from connect_contract.cassettes.routing import path_pattern
from connect_contract.operations import Binding, ServiceOperation
from connect_contract.protocol import query_pairs, resolve_error_type

_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")
UNRESERVED = "-._~"
Walk = Callable[[botocore.model.Shape, Any, str, bool], Any]


def _text_walk(walk: Walk, shape: botocore.model.Shape, text: str, name: str, force: bool = False) -> str:
    """A value that travels as text (label, query, header) stays text after the walk."""
    result = walk(shape, text, name, force)
    return result if isinstance(result, str) else json.dumps(result)


_PLAIN = re.compile(r"[A-Za-z0-9\-._~]*")


def _encode(text: str, *, greedy: bool = False) -> str:
    if _PLAIN.fullmatch(text):  # nothing to encode (most segments and values): skip quote()'s cost
        return text
    return quote(text, safe=UNRESERVED + ("/" if greedy else ""))


def _rewrite_path(op: ServiceOperation, path: str, walk: Walk) -> str:
    labels = {b.wire_name: b for b in op.labels}
    if not any(sensitive.is_sensitive(b.shape) for b in labels.values()):
        return path  # the common case: nothing to rewrite, no regex to run
    found = path_pattern(op.path_template).match(path)
    if found is None:
        return path
    template = op.path_template
    pieces, cursor = [], 0
    for index, match in enumerate(_LABEL.finditer(template), start=1):
        binding = labels.get(match.group(1))
        start, end = found.span(index)
        pieces.append(path[cursor:start])
        raw = path[start:end]
        if binding is not None and sensitive.is_sensitive(binding.shape):
            raw = _encode(_text_walk(walk, binding.shape, unquote(raw), binding.name), greedy=binding.greedy)
        pieces.append(raw)
        cursor = end
    return "".join(pieces) + path[cursor:]


def _query_binding(op: ServiceOperation, key: str) -> tuple[botocore.model.Shape, str, bool] | None:
    """The shape one query value is read as, the member's name, and whether its container is sensitive."""
    for binding in op.query:
        if binding.wire_name == key:
            if isinstance(binding.shape, botocore.model.ListShape):
                return binding.shape.member, binding.name, sensitive.is_sensitive(binding.shape)
            return binding.shape, binding.name, False
    query_map = op.query_map
    if query_map is not None and key not in dict(op.fixed_query):
        value = query_map.shape.value
        forced = sensitive.is_sensitive(query_map.shape) or sensitive.is_sensitive(value)
        if isinstance(value, botocore.model.ListShape):
            return value.member, query_map.name, forced
        return value, query_map.name, forced
    return None


def _is_secret(found: tuple[botocore.model.Shape, str, bool] | None) -> bool:
    return found is not None and (found[2] or sensitive.is_sensitive(found[0]))


def _rewrite_query(op: ServiceOperation, query: str, walk: Walk) -> str:
    if not query:
        return query
    out, changed = [], False
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        found = _query_binding(op, unquote(key)) if equals else None
        if found is not None and _is_secret(found):
            new = _text_walk(walk, found[0], unquote(value), found[1], found[2])
            if new != unquote(value):
                out.append(f"{key}={_encode(new)}")
                changed = True
                continue
        out.append(part)
    return "&".join(out) if changed else query


def redact_target(op: ServiceOperation, target: str) -> str:
    """The path and query of a request with sensitive labels and query values masked."""
    path, mark, query = target.partition("?")
    path = _rewrite_path(op, path, sensitive.redact)
    return path + mark + _rewrite_query(op, query, sensitive.redact)


def _header_bindings(bindings: Iterable[Binding]) -> dict[str, Binding]:
    return {b.wire_name.lower(): b for b in bindings}


def redact_header_value(bindings: tuple[Binding, ...], prefixes: tuple[Binding, ...], name: str, value: str) -> str:
    """One header value, masked when the header is bound to a sensitive member (lists item by item)."""
    lower = name.lower()
    binding = _header_bindings(bindings).get(lower)
    if binding is None:
        binding = next((b for b in prefixes if lower.startswith(b.wire_name.lower())), None)
        if binding is None or not isinstance(binding.shape, botocore.model.MapShape):
            return value
        forced = sensitive.is_sensitive(binding.shape)
        return _text_walk(sensitive.redact, binding.shape.value, value, binding.name, forced)
    if not sensitive.is_sensitive(binding.shape):
        if isinstance(binding.shape, botocore.model.ListShape) and sensitive.is_sensitive(binding.shape.member):
            items = [i.strip() for i in value.split(",")]
            return ",".join(_text_walk(sensitive.redact, binding.shape.member, i, binding.name) for i in items)
        return value
    return _text_walk(sensitive.redact, binding.shape, value, binding.name)


def request_header_redactor(op: ServiceOperation) -> Callable[[str, str], str]:
    return lambda name, value: redact_header_value(op.headers, op.prefix_headers, name, value)


def response_header_redactor(op: ServiceOperation) -> Callable[[str, str], str]:
    return lambda name, value: redact_header_value(op.output_headers, op.output_prefix_headers, name, value)


def _walk_body(payload: Binding | None, members: tuple[Binding, ...], decoded: Any, walk: Walk) -> Any:
    if payload is not None:
        return walk(payload.shape, decoded, payload.name, False)
    if not isinstance(decoded, dict):
        return decoded
    by_wire = {b.wire_name: b for b in members}
    return {k: (walk(by_wire[k].shape, v, by_wire[k].name, False) if k in by_wire else v) for k, v in decoded.items()}


def _error_members(shape: botocore.model.StructureShape) -> tuple[Binding, ...]:
    return tuple(
        Binding(
            name=name, wire_name=member.serialization.get("name", name), location="body", shape=member, required=False
        )
        for name, member in shape.members.items()
        if member.serialization.get("location") is None
    )


def _response_body_bindings(
    op: ServiceOperation, status: int, header: Callable[[str], str | None], body: bytes
) -> tuple[Binding | None, tuple[Binding, ...]]:
    if 200 <= status < 300:
        return op.output_payload, op.output_body
    resolved = resolve_error_type(header, body)
    if resolved is None or resolved.name is None:
        return None, ()
    try:
        return None, _error_members(op.error(resolved.name).shape)
    except KeyError:
        return None, ()


def _json_rewrite(raw: bytes, rewrite: Callable[[Any], Any]) -> bytes:
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw
    changed = rewrite(decoded)
    return raw if changed == decoded else json.dumps(changed, ensure_ascii=False).encode("utf-8")


def redact_body(op: ServiceOperation, body: bytes) -> bytes:
    """A request body with its sensitive values masked (JSON rewritten only when something changed)."""
    if op.payload is not None and op.payload.type_name in ("blob", "string"):
        return body if not sensitive.is_sensitive(op.payload.shape) else _opaque(op.payload.name, body)
    return _json_rewrite(body, lambda d: _walk_body(op.payload, op.body, d, sensitive.redact))


def _opaque(name: str, body: bytes) -> bytes:
    text = body.decode("utf-8", errors="replace")
    return str(sensitive.placeholder(name, None, text)).encode("utf-8")


def redact_response_body(op: ServiceOperation, status: int, header: Callable[[str], str | None], body: bytes) -> bytes:
    payload, members = _response_body_bindings(op, status, header, body)
    if payload is not None and payload.type_name in ("blob", "string"):
        return body if not sensitive.is_sensitive(payload.shape) else _opaque(payload.name, body)
    return _json_rewrite(body, lambda d: _walk_body(payload, members, d, sensitive.redact))


# --- matching keys --------------------------------------------------------------------------------


_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/]*")


def canonical_path(path: str) -> str:
    """Percent-encoding normalized segment by segment (``%7e`` and ``~`` are the same request)."""
    if _PLAIN_PATH.fullmatch(path):
        return path
    return "/".join(_encode(unquote(segment)) for segment in path.split("/"))


def canonical_labels(op: ServiceOperation, path: str) -> str:
    """The path with sensitive labels as presence markers."""
    return _rewrite_path(op, path, sensitive.canonical)


def canonical_query(op: ServiceOperation | None, query: str) -> str:
    """The query as a sorted multiset of decoded pairs; sensitive values as presence markers."""
    pairs = []
    for key, value in query_pairs(query):
        found = _query_binding(op, key) if op is not None else None
        if found is not None and _is_secret(found):
            marker = sensitive.canonical(found[0], value, found[1], found[2])
            pairs.append((key, marker if isinstance(marker, str) else json.dumps(marker)))
            continue
        pairs.append((key, value))
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_body_value(op: ServiceOperation | None, decoded: Any) -> Any:
    if op is None:
        return decoded
    return _walk_body(op.payload, op.body, decoded, sensitive.canonical)


# --- the scan -------------------------------------------------------------------------------------


def _where(path: tuple[str | int, ...]) -> str:
    return "/".join(str(p) for p in path)


def unredacted_request(
    op: ServiceOperation, target: str, headers: Mapping[str, list[str]], body: bytes
) -> list[tuple[str, str]]:
    """(location, member) of every sensitive request value that is not its placeholder."""
    found: list[tuple[str, str]] = []
    if redact_target(op, target) != target:
        query = target.partition("?")[2]
        where = "uri query" if _rewrite_query(op, query, sensitive.redact) != query else "uri path"
        found.append((where, "a sensitive label or query value"))
    redactor = request_header_redactor(op)
    for name, items in headers.items():
        if any(redactor(name, item) != item for item in items):
            found.append((f"headers {name}", f"header {name}"))
    found += _unredacted_body(op.payload, op.body, body)
    return found


def unredacted_response(
    op: ServiceOperation, status: int, headers: Mapping[str, list[str]], body: bytes
) -> list[tuple[str, str]]:
    def header(name: str) -> str | None:
        return next((v[0] for k, v in headers.items() if k.lower() == name.lower() and v), None)

    found: list[tuple[str, str]] = []
    if 200 <= status < 300:
        redactor = response_header_redactor(op)
        for name, items in headers.items():
            if any(redactor(name, item) != item for item in items):
                found.append((f"headers {name}", f"header {name}"))
    payload, members = _response_body_bindings(op, status, header, body)
    return found + _unredacted_body(payload, members, body)


def _unredacted_body(payload: Binding | None, members: tuple[Binding, ...], body: bytes) -> list[tuple[str, str]]:
    if payload is not None and payload.type_name in ("blob", "string"):
        if sensitive.is_sensitive(payload.shape) and _opaque(payload.name, body) != body:
            return [("body", payload.name)]
        return []
    try:
        decoded = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return []
    found: list[tuple[str, str]] = []
    places: list[tuple[tuple[str, ...], Binding, Any]]
    if payload is not None:
        places = [((), payload, decoded)]
    elif isinstance(decoded, dict):
        places = [((b.wire_name,), b, decoded[b.wire_name]) for b in members if b.wire_name in decoded]
    else:
        places = []
    for prefix, binding, value in places:
        for member, path in sensitive.unredacted(binding.shape, value, binding.name):
            where = _where((*prefix, *path))
            found.append(("body", member + (f" at {where}" if where and where != member else "")))
    return found


def request_sensitive_texts(
    op: ServiceOperation, target: str, headers: Iterable[tuple[str, str]], body: bytes
) -> set[str]:
    """The text of every sensitive value a request carries, wherever it travels (reports scrub these)."""
    found: list[str] = []

    def collect(shape: botocore.model.Shape, value: Any, name: str, force: bool) -> Any:
        def visit(n: str, s: botocore.model.Shape, v: Any, p: tuple[str | int, ...]) -> Any:
            found.extend(sensitive.texts(v))
            return v

        return sensitive.walk(shape, value, name, visit, force)

    path, _, query = target.partition("?")
    _rewrite_path(op, path, collect)
    _rewrite_query(op, query, collect)
    redactor = request_header_redactor(op)
    found += [value for name, value in headers if redactor(name, value) != value]
    try:
        decoded = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        decoded = None
    if decoded is not None:
        _walk_body(op.payload, op.body, decoded, collect)
    return {text for text in found if text}
