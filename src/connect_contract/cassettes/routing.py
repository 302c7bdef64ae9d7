"""Which operation a request is: its method and path against each operation's URI template.

A proxy, the replay server and lint see raw requests; the operation decides which members are
sensitive and which contracts apply.  Templates are botocore's ``requestUri`` (labels match one
percent-encoded segment, greedy ``{Name+}`` labels the rest of the path; a fixed query part such as
``?List`` must be present).  When several templates match (``/users/{Id}`` and ``/users/search``),
the most specific wins: more fixed query keys, then more literal characters, then no greedy label --
the same preference a router generated from the model (API Gateway, Smithy server SDKs) applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from urllib.parse import unquote

from connect_contract.operations import ServiceOperation, resolve_operations

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


def path_pattern(template: str) -> re.Pattern[str]:
    pattern, position = "", 0
    for match in _LABEL.finditer(template):
        pattern += re.escape(template[position : match.start()]) + ("(.+)" if match.group(2) else "([^/]*)")
        position = match.end()
    return re.compile("^" + pattern + re.escape(template[position:]) + "$")


def _specificity(op: ServiceOperation) -> tuple[int, int, int]:
    literal = len(_LABEL.sub("", op.path_template))
    return (-len(op.fixed_query), -literal, len(op.greedy_labels))


class Router:
    """Operations by method, most specific template first; :meth:`route` returns one or ``None``."""

    def __init__(self, operations: Iterable[ServiceOperation]) -> None:
        by_method: dict[str, list[tuple[tuple[int, int, int], re.Pattern[str], frozenset[str], ServiceOperation]]]
        by_method = {}
        for op in operations:
            entry = (_specificity(op), path_pattern(op.path_template), frozenset(k for k, _ in op.fixed_query), op)
            by_method.setdefault(op.http_method.upper(), []).append(entry)
        for entries in by_method.values():
            entries.sort(key=lambda e: (e[0], e[3].name))
        self._by_method = by_method
        self.operations = tuple(e[3] for entries in by_method.values() for e in entries)

    def route(self, method: str, path: str, query: str = "") -> ServiceOperation | None:
        keys = {unquote(part.partition("=")[0]) for part in query.split("&") if part}
        for _, pattern, fixed, op in self._by_method.get(method.upper(), ()):
            if fixed <= keys and pattern.match(path):
                return op
        return None


@cache
def service_router(service: str) -> Router:
    """Every operation of one rest-json service."""
    return Router(resolve_operations(service, "all"))


def router_for(services: Iterable[str]) -> Router:
    ops: list[ServiceOperation] = []
    for service in sorted(set(services)):
        ops += service_router(service).operations
    return Router(ops)
