"""Success answers of any operation: synthetic, model-valid, deterministic per request.

Built from :class:`connect_contract.mock.synth.Synth` per binding: header and prefix-header members, the
``statusCode`` member, a blob/string/structure payload or the JSON body.  Each operation has
:data:`VARIANTS` answers per page, built on first use and cached; the request's hash picks one (same
request, same answer).  An output member named like an input member (``InstanceId``) echoes the
request's value when that value fits the output member's constraints.  Paginated operations
(botocore's paginators-1) answer :data:`PAGES` pages, two tokens then none, so every pager ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import botocore.model

from connect_contract.mock import responses as r
from connect_contract.mock.synth import Synth, compiled_pattern, header_text, to_wire
from connect_contract.operations import ServiceOperation
from connect_contract.operations.patterns import intended_pattern

PAGES = 3  # a paginated operation's pages: two tokens, then none
VARIANTS = 4  # distinct success answers per operation and page, chosen by the request's hash


@dataclass
class _Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    value: dict[str, Any]  # the output by member name (botocore's form)
    body: bytes
    echo_paths: tuple[tuple[tuple[str | int, ...], botocore.model.Shape], ...]
    reply: r.Reply  # the answer when nothing is echoed (built once: its headers are framed once too)


def _token_member(op: ServiceOperation, key: str) -> str | None:
    paginator = op.paginator or {}
    token = paginator.get(key)
    return token if isinstance(token, str) and "." not in token and "[" not in token else None


class OutputBuilder:
    """Success answers of one operation, built lazily per (variant, page) and cached."""

    def __init__(self, op: ServiceOperation) -> None:
        self.op = op
        self._cache: dict[tuple[int, int], _Answer] = {}
        self.input_names = {b.name for b in op.input if b.type_name == "string"}
        self.output_token = _token_member(op, "output_token")
        self.input_token = _token_member(op, "input_token")
        shape = op.model.output_shape
        if self.output_token is not None and (shape is None or self.output_token not in shape.members):
            self.output_token = None
        self._tokens: list[str] | None = None
        self.input_names -= {self.input_token, self.output_token}  # a page token is never echoed
        # Whether an answer depends on the request's members (echoes, page tokens), or only on its hash.
        self.reads_input = bool(self.input_token) or bool(self.input_names & _member_names(op.model.output_shape))

    @property
    def tokens(self) -> list[str]:
        """The page tokens (``tokens[k]`` leads to page ``k + 1``); empty when the model's token shape
        cannot tell the pages apart."""
        if self._tokens is None:
            tokens: list[str] = []
            if self.output_token is not None:
                shape = self.op.model.output_shape.members[self.output_token]
                for page in range(1, PAGES):
                    token = Synth(f"{self.op.name}/page-{page}").value(shape)
                    if isinstance(token, str) and token not in tokens:
                        tokens.append(token)
                if len(tokens) < PAGES - 1:
                    tokens = []
            self._tokens = tokens
        return self._tokens

    def _page(self, values: dict[str, Any]) -> int:
        if self.input_token is None or not self.tokens:
            return 0
        token = values.get(self.input_token)
        if token is None:
            return 0
        return self.tokens.index(token) + 1 if token in self.tokens else PAGES - 1

    def reply(self, seed: int, values: dict[str, Any]) -> r.Reply:
        key = (seed % VARIANTS, self._page(values))
        answer = self._cache.get(key)
        if answer is None:
            answer = self._cache[key] = self._build(*key)
        if not answer.echo_paths:
            return answer.reply
        body = answer.body
        echoes = [
            (path, values[str(path[-1])])
            for path, shape in answer.echo_paths
            if _fits(shape, values.get(str(path[-1])))
        ]
        if echoes:
            value = answer.value
            for path, echoed in echoes:
                value = _replaced(value, path, echoed)
            body = self._encode_body(value)
        return r.Reply(answer.status, answer.headers, body)

    def reply_with(self, seed: int, members: dict[str, Any]) -> r.Reply:
        """The answer with some top-level body members set (the tags round trip)."""
        key = (seed % VARIANTS, 0)
        answer = self._cache.get(key)
        if answer is None:
            answer = self._cache[key] = self._build(*key)
        return r.Reply(answer.status, answer.headers, self._encode_body({**answer.value, **members}))

    # -- building one answer ------------------------------------------------------------------------
    def _build(self, variant: int, page: int) -> _Answer:
        op = self.op
        shape = op.model.output_shape
        value: dict[str, Any] = {}
        if shape is not None:
            value = Synth(f"{op.service_name}/{op.name}/{variant}/{page}", optional=0.7).structure(shape, 0)
            for binding in op.output:
                if binding.location == "status":
                    value[binding.name] = op.response_code
                if binding.event_stream:
                    value.pop(binding.name, None)
            payload = op.output_payload
            if payload is not None and not payload.event_stream and payload.name not in value:
                value[payload.name] = Synth(f"{op.name}/payload/{variant}").value(payload.shape, 1)
            if self.output_token is not None:
                value.pop(self.output_token, None)
                if page < PAGES - 1 and self.tokens:
                    value[self.output_token] = self.tokens[page]
        headers: list[tuple[bytes, bytes]] = []
        body = self._encode_body(value)
        typed = False
        for binding in op.output:
            if binding.name not in value:
                continue
            if binding.location == "header":
                name = binding.wire_name.lower()
                if name == "content-length":  # a framing header: the true length (Reply adds it)
                    value[binding.name] = len(body)
                    continue
                typed = typed or name == "content-type"
                headers.append((name.encode(), _header_bytes(binding.shape, value[binding.name])))
            elif binding.location == "prefix-headers":
                for entry, item in value[binding.name].items():
                    prefixed = (binding.wire_name + _token(entry)).lower().encode()
                    headers.append((prefixed, _header_bytes(binding.shape.value, item)))
        media = op.response_media_type
        if media is not None and not typed and (body or op.output_payload is None):
            headers.append((b"content-type", media.encode()))
        echo_paths = tuple(_echo_paths(shape, value, (), self.input_names)) if shape is not None else ()
        body_echo = tuple(
            (path, echo_shape)
            for path, echo_shape in echo_paths
            if op.output_payload is not None or _binding_location(op, str(path[0])) == "body"
        )
        status = op.response_code
        if status in (204, 304):
            body = b""
        return _Answer(status, tuple(headers), value, body, body_echo, r.Reply(status, tuple(headers), body))

    def _encode_body(self, value: dict[str, Any]) -> bytes:
        op = self.op
        payload = op.output_payload
        if payload is not None:
            if payload.event_stream or payload.name not in value:
                return b""
            item = value[payload.name]
            if payload.type_name == "blob":
                return bytes(item)
            if payload.type_name == "string":
                return str(item).encode("utf-8")
            return json.dumps(to_wire(payload.shape, item)).encode()
        if not op.has_json_output_body:
            return b""
        document = {b.wire_name: to_wire(b.shape, value[b.name]) for b in op.output_body if b.name in value}
        return json.dumps(document).encode()


def _member_names(shape: botocore.model.Shape | None) -> set[str]:
    """Every member name reachable in ``shape`` (recursive shapes visited once)."""
    names: set[str] = set()
    seen: set[str] = set()
    todo = [shape] if shape is not None else []
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if current.type_name == "structure" and not current.is_document_type:
            names.update(current.members)
            todo.extend(current.members.values())
        elif current.type_name == "list":
            todo.append(current.member)
        elif current.type_name == "map":
            todo.append(current.value)
    return names


def _binding_location(op: ServiceOperation, name: str) -> str | None:
    for binding in op.output:
        if binding.name == name:
            return binding.location
    return None


def _header_bytes(shape: botocore.model.Shape, value: Any) -> bytes:
    text = header_text(shape, value).replace("\r", " ").replace("\n", " ").strip()
    return text.encode("utf-8")


def _token(text: str) -> str:
    cleaned = "".join(ch for ch in str(text) if ch.isascii() and (ch.isalnum() or ch == "-"))
    return cleaned or "key"


def _echo_paths(
    shape: botocore.model.Shape, value: Any, path: tuple[str | int, ...], names: set[str]
) -> list[tuple[tuple[str | int, ...], botocore.model.Shape]]:
    found: list[tuple[tuple[str | int, ...], botocore.model.Shape]] = []
    if shape.type_name == "structure" and isinstance(value, dict) and not shape.is_document_type:
        if shape.metadata.get("union"):
            return found
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                continue
            if name in names and member.type_name == "string" and not member.serialization.get("jsonvalue"):
                found.append(((*path, name), member))
            elif len(path) < 3:
                found += _echo_paths(member, item, (*path, name), names)
    return found


def _fits(shape: botocore.model.Shape, value: Any) -> bool:
    """Whether an input value may stand in an output member (type, enum, lengths, pattern)."""
    if not isinstance(value, str):
        return False
    meta = shape.metadata
    if meta.get("enum") and value not in meta["enum"]:
        return False
    if len(value) < int(meta.get("min", 0)) or ("max" in meta and len(value) > int(meta["max"])):
        return False
    pattern = meta.get("pattern")
    if pattern:
        compiled = compiled_pattern(intended_pattern(pattern))
        if compiled is not None and compiled.search(value) is None:
            return False
    return True


def _replaced(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    """``value`` with the item at ``path`` replaced, copying only the containers on the way."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        copy[head] = _replaced(value[head], rest, new)
        return copy
    items = list(value)
    items[int(head)] = _replaced(items[int(head)], rest, new)
    return items
