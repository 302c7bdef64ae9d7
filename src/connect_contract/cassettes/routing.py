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


@cache
def path_pattern(template: str) -> re.Pattern[str]:
    """The regex of a URI template: labels match one segment, greedy labels the rest."""
    pattern, position = "", 0
    for match in _LABEL.finditer(template):
        pattern += re.escape(template[position : match.start()]) + ("(.+)" if match.group(2) else "([^/]*)")
        position = match.end()
    return re.compile("^" + pattern + re.escape(template[position:]) + "$")


def _specificity(op: ServiceOperation) -> tuple[int, int, int]:
    literal = len(_LABEL.sub("", op.path_template))
    return (-len(op.fixed_query), -literal, len(op.greedy_labels))


Entry = tuple[tuple[int, int, int], re.Pattern[str], frozenset[str], ServiceOperation]
ANY_SEGMENT = "{label}"


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class Router:
    """Operations by method and first path segment, most specific template first.

    Bucketing by the first segment keeps routing cost bounded by the templates that share it, not
    by the size of the service; :meth:`route` returns one operation or ``None``.
    """

    def __init__(self, operations: Iterable[ServiceOperation]) -> None:
        buckets: dict[tuple[str, str], list[Entry]] = {}
        for op in operations:
            entry = (_specificity(op), path_pattern(op.path_template), frozenset(k for k, _ in op.fixed_query), op)
            first = _first_segment(op.path_template)
            segment = ANY_SEGMENT if "{" in first else first
            buckets.setdefault((op.http_method.upper(), segment), []).append(entry)
        for entries in buckets.values():
            entries.sort(key=lambda e: (e[0], e[3].name))
        self._buckets = buckets
        self.operations = tuple(sorted({e[3] for es in buckets.values() for e in es}, key=lambda o: o.name))

    def route(self, method: str, path: str, query: str = "") -> ServiceOperation | None:
        keys = {unquote(part.partition("=")[0]) for part in query.split("&") if part}
        method = method.upper()
        best: Entry | None = None
        for segment in (_first_segment(path), ANY_SEGMENT):
            for entry in self._buckets.get((method, segment), ()):
                if best is not None and (entry[0], entry[3].name) >= (best[0], best[3].name):
                    break  # sorted: nothing later in this bucket beats what was found
                if entry[2] <= keys and entry[1].match(path):
                    best = entry
                    break
        return best[3] if best is not None else None


@cache
def service_router(service: str) -> Router:
    """Every operation of one rest-json service."""
    return Router(resolve_operations(service, "all"))


def router_for(services: Iterable[str]) -> Router:
    ops: list[ServiceOperation] = []
    for service in sorted(set(services)):
        ops += service_router(service).operations
    return Router(ops)
