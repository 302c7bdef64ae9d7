"""Routing a request to an operation by method and URI template: a trie of path segments, built once.

Each ``requestUri`` is split into segments; a segment is a literal, a label (``{Name}``: one segment,
possibly empty, as botocore sends a label without ``min``) or a greedy label (``{Name+}``: one or more
segments, ``/`` kept); restjson-bindings.md §1.  Lookup walks the request path's segments once,
trying literals before labels before greedy labels, so its cost depends on the path's length, never
on how many operations are served.  Fixed query literals in ``requestUri`` (``/restapis?mode=import``;
§2) tell apart operations that share a method and a path: the route whose literals the query carries
wins, the most specific first.  Several services may share a route (``/tags/{resourceArn}``); the
SigV4 scope's service then picks one, else the first served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from connect_contract.operations import ServiceOperation

_LABEL = re.compile(r"^\{([^}]+?)(\+?)\}$")


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    label: _Node | None = None
    greedy: _Node | None = None  # a greedy label's node: what follows it is matched against the rest
    routes: dict[str, list[ServiceOperation]] = field(default_factory=dict)  # method -> candidates


def _segments(path: str) -> list[str]:
    return path.split("/")[1:] if path.startswith("/") else path.split("/")


def _fixed_query_matches(op: ServiceOperation, query: str) -> bool:
    if not op.fixed_query:
        return True
    present: dict[str, list[str]] = {}
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            present.setdefault(unquote(key), []).append(unquote(value))
    return all(key in present and (not value or value in present[key]) for key, value in op.fixed_query)


@dataclass(frozen=True)
class Match:
    op: ServiceOperation | None  # None: the path is known but not for this method
    allowed: tuple[str, ...] = ()  # the methods the path has (for 405's Allow)


class Router:
    """Compiled once from the served operations; :meth:`match` per request."""

    def __init__(self, operations: Iterable[ServiceOperation]) -> None:
        self.root = _Node()
        self.count = 0
        for op in operations:
            self._add(op)
            self.count += 1

    def _add(self, op: ServiceOperation) -> None:
        node = self.root
        for segment in _segments(op.path_template):
            label = _LABEL.match(segment)
            if label is None:
                node = node.literals.setdefault(segment, _Node())
            elif label.group(2):
                node.greedy = node.greedy or _Node()
                node = node.greedy
            else:
                node.label = node.label or _Node()
                node = node.label
        candidates = node.routes.setdefault(op.http_method, [])
        candidates.append(op)
        # Most fixed query literals first: the most specific route is tried first.
        candidates.sort(key=lambda candidate: -len(candidate.fixed_query))

    def _find(self, node: _Node, segments: list[str], index: int) -> _Node | None:
        if index == len(segments):
            return node if node.routes else None
        segment = segments[index]
        child = node.literals.get(segment)
        if child is not None:
            found = self._find(child, segments, index + 1)
            if found is not None:
                return found
        if node.label is not None:  # an empty segment too: the model's length bounds judge it, not the route
            found = self._find(node.label, segments, index + 1)
            if found is not None:
                return found
        if node.greedy is not None:
            # The greedy label takes at least one segment and as many as leave a match for what follows.
            for end in range(len(segments), index, -1):
                found = self._find(node.greedy, segments, end)
                if found is not None:
                    return found
        return None

    def match(self, method: str, path: str, query: str, signing_name: str | None = None) -> Match | None:
        """The operation for this request; ``Match(None, allowed)`` for a known path and another method;
        ``None`` when no template matches the path."""
        node = self._find(self.root, _segments(path), 0)
        if node is None:
            return None
        candidates = node.routes.get(method)
        if not candidates:
            return Match(None, tuple(sorted(node.routes)))
        if len(candidates) == 1 and not candidates[0].fixed_query:  # the common case
            return Match(candidates[0])
        fitting = [op for op in candidates if _fixed_query_matches(op, query)]
        if not fitting:  # the path only exists with a fixed query literal this request lacks
            return None
        if signing_name is not None and len(fitting) > 1:
            for op in fitting:
                if op.signing_name == signing_name:
                    return Match(op)
        return Match(fitting[0])
