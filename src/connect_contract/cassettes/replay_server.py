"""``connect-contract serve --cassettes DIR``: recorded responses for a client in any language.

A plain ASGI app (no framework: the per-request path is a dict lookup and a few sends).  Every
interaction of every cassette under the directory is indexed once by its match key
(:mod:`.match`: method, path, media type, canonical JSON body with sensitive members as presence
markers), so lookup cost does not grow with the number of recordings.  A request that matches
nothing gets ``404`` with ``X-Amzn-Errortype: CassetteMismatch`` and a body naming the closest
recorded interaction and what differs; closeness is computed only then, only among interactions
recorded for the same method and path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from connect_contract.asgi import Receive, Scope, Send, read_body, send_response, serve_lifespan
from connect_contract.cassettes.match import Key, Matcher, differences, distance, request_key
from connect_contract.cassettes.routing import router_for
from connect_contract.cassettes.store import CassetteError, Interaction, cassette_files, load_interactions
from connect_contract.protocol import error_frame

MISMATCH = "CassetteMismatch"
MISMATCH_STATUS = 404
MAX_BODY = 1024 * 1024
# Hop-by-hop or per-response headers the server computes itself instead of replaying.
NOT_REPLAYED = frozenset({"content-length", "date", "server", "transfer-encoding", "connection", "keep-alive"})
SOURCE_HEADER = "x-connect-contract-cassette"


class CassetteDirectoryError(click.UsageError):
    """The directory given to ``--cassettes`` cannot be served."""


class Answer:
    """A recorded response, pre-encoded for ASGI once at load time."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, interaction: Interaction, source: str) -> None:
        self.status = interaction.status
        self.body = interaction.response_body
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1", errors="replace"))
            for name, values in interaction.response_headers.items()
            if name.lower() not in NOT_REPLAYED
            for value in values
        ]
        headers.append((b"content-length", str(len(self.body)).encode()))
        headers.append((SOURCE_HEADER.encode(), source.encode("utf-8", errors="replace")))
        self.headers = headers


class ReplayIndex:
    """Interactions by match key (first recorded wins for duplicates) and by route (misses only)."""

    def __init__(self, items: list[Interaction], root: Path) -> None:
        self.answers: dict[Key, Answer] = {}
        self.routes: dict[tuple[str, str], list[tuple[Key, str]]] = {}
        # Requests are routed against the whole model of each recorded service, so the routing cost does
        # not depend on how many operations (or interactions) were recorded.
        self.matcher = Matcher(router_for({item.service for item in items}))
        for item in items:
            key = request_key_of(item)
            source = f"{_relative(item.file, root)}#{item.index}"
            self.answers.setdefault(key, Answer(item, source))
            self.routes.setdefault(key[:2], []).append((key, f"{source} (scenario {item.scenario})"))

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.routes.values())

    def lookup(self, key: Key) -> Answer | None:
        return self.answers.get(key)

    def explain_miss(self, key: Key) -> dict[str, Any]:
        candidates = self.routes.get(key[:2], [])
        if not candidates:
            routes = ", ".join(sorted(f"{method} {path}" for method, path in self.routes)) or "none"
            return {
                "Message": f"No interaction was recorded for {key[0]} {key[1]}; recorded: {routes}",
                "Closest": None,
                "Differences": [],
            }
        best_key, best_name = min(candidates, key=lambda entry: distance(entry[0], key))
        found = differences(best_key, key)
        return {
            "Message": f"No recorded interaction matches this request. Closest: {best_name}; " + "; ".join(found),
            "Closest": best_name,
            "Differences": found,
        }


def request_key_of(item: Interaction) -> Key:
    """A recorded request's key, keyed as the operation its cassette names."""
    return request_key(item.method, item.target, item.request_header("Content-Type"), item.request_body, item.op)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _error_answer(payload: dict[str, Any], status: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return error_frame(status, MISMATCH, payload)


class ReplayApp:
    """The ASGI application."""

    def __init__(self, index: ReplayIndex) -> None:
        self.index = index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await read_body(receive, MAX_BODY)
        if body is None:
            await send_response(send, *_error_answer({"Message": f"Request body over {MAX_BODY} bytes"}, 413))
            return
        content_type = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
                break
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        key = self.index.matcher.key(scope["method"], target, content_type, body)
        answer = self.index.lookup(key)
        if answer is None:
            await send_response(send, *_error_answer(self.index.explain_miss(key), MISMATCH_STATUS))
            return
        await send_response(send, answer.status, answer.headers, answer.body)


def create_app(directory: Path) -> ReplayApp:
    """The replay server for every cassette under ``directory`` (loaded and indexed once)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CassetteDirectoryError(f"--cassettes {directory}: not a directory")
    if not cassette_files([directory]):
        raise CassetteDirectoryError(f"--cassettes {directory}: no *.yaml cassettes found")
    try:
        items = load_interactions([directory])
    except CassetteError as exc:
        raise CassetteDirectoryError(f"--cassettes: {exc}") from None
    return ReplayApp(ReplayIndex(items, directory))
