"""How an incoming request is matched to a recorded one (vcrpy replay, the replay server, recording).

A request's key is (method, canonical path, canonical query, media type, canonical body), for the
operation the request routes to (:mod:`.routing`).  The path is percent-encoding-normalized; the
query is the sorted multiset of decoded pairs (clients order keys differently: botocore by the
caller's kwargs, the JS SDK alphabetically); the canonical body is the JSON value with keys sorted.
Every sensitive value, at any depth and in any location, is replaced by a presence marker that also
says whether the value satisfies the model (``<present:valid>``, ``<present:too-long>``, ...): that
is all a redacted recording still knows, so it is all matching may use.  Key order, query order,
header case, whitespace, escapes, signatures, dates and hosts never matter.  A body that is not JSON
is compared as text.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from connect_contract.cassettes import wire
from connect_contract.cassettes.redact import as_text
from connect_contract.cassettes.routing import Router
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import media_type

Key = tuple[str, str, str, str, str]  # method, path, query, media type, body


def canonical_body(body: bytes | str | None, op: ServiceOperation | None = None) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if not raw:
        return ""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return "raw:" + raw.decode("utf-8", errors="replace")
    value = wire.canonical_body_value(op, decoded)
    return "json:" + json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_key(
    method: str,
    target: str,
    content_type: str | None,
    body: bytes | str | None,
    op: ServiceOperation | None = None,
) -> Key:
    """The key of a request; ``target`` is the path and query as sent, ``op`` the operation it routes to."""
    path, _, query = target.partition("?")
    if op is not None:
        path = wire.canonical_labels(op, path)
    return (
        method.upper(),
        wire.canonical_path(path),
        wire.canonical_query(op, query),
        media_type(content_type),
        canonical_body(body, op),
    )


class Matcher:
    """Keys requests for the operations of a router (vcrpy matcher and replay server alike)."""

    def __init__(self, router: Router | None = None) -> None:
        self.router = router

    def operation(self, method: str, target: str) -> ServiceOperation | None:
        if self.router is None:
            return mission_operation()
        path, _, query = target.partition("?")
        return self.router.route(method, path, query)

    def key(self, method: str, target: str, content_type: str | None, body: bytes | str | None) -> Key:
        return request_key(method, target, content_type, body, self.operation(method, target))

    def vcr_key(self, request: Any) -> Key:
        """The key of a ``vcr.request.Request``."""
        content_type = request.headers.get("Content-Type")
        body = getattr(request, "body_bytes", request.body)
        parts = urlsplit(request.uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return self.key(request.method, target, as_text(content_type) if content_type else None, body)

    @property
    def vcr_matcher(self) -> Any:
        """A vcrpy matcher: path, query, media type and body.  ``AssertionError`` says what differs."""

        def contract_body(r1: Any, r2: Any) -> None:  # vcrpy names a matcher by its function's name
            k1, k2 = self.vcr_key(r1), self.vcr_key(r2)
            if k1[1:] != k2[1:]:
                raise AssertionError("; ".join(differences(k2, k1)))

        return contract_body


_MISSION = Matcher()


def vcr_request_key(request: Any) -> Key:
    """The key of a ``vcr.request.Request`` of the mission operation."""
    return _MISSION.vcr_key(request)


def contract_body(r1: Any, r2: Any) -> None:
    """A vcrpy matcher: media type + canonical JSON body.  ``AssertionError`` says what differs."""
    k1, k2 = vcr_request_key(r1), vcr_request_key(r2)
    if k1[1:] != k2[1:]:
        raise AssertionError("; ".join(differences(k2, k1)))


def _decoded(canonical: str) -> Any:
    return json.loads(canonical[5:]) if canonical.startswith("json:") else None


def _kind(canonical: str) -> str:
    if not canonical:
        return "no body"
    if canonical.startswith("raw:"):
        return "a non-JSON body"
    value = _decoded(canonical)
    return "a JSON object" if isinstance(value, dict) else f"a JSON {type(value).__name__}"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def differences(recorded: Key, received: Key) -> list[str]:
    """Human-readable differences between a recorded key and a received one (no secret values:
    sensitive values are already presence markers in both keys)."""
    found = []
    for label, index in (("method", 0), ("path", 1), ("query", 2)):
        if recorded[index] != received[index]:
            found.append(f"{label}: recorded {recorded[index] or '(none)'}, received {received[index] or '(none)'}")
    if recorded[3] != received[3]:
        found.append(f"Content-Type: recorded {recorded[3] or '(none)'}, received {received[3] or '(none)'}")
    if recorded[4] == received[4]:
        return found
    old, new = _decoded(recorded[4]), _decoded(received[4])
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [*found, f"body: recorded {_kind(recorded[4])}, received {_kind(received[4])}"]
    for name in sorted(old.keys() - new.keys()):
        found.append(f"member {name}: recorded, not received")
    for name in sorted(new.keys() - old.keys()):
        found.append(f"member {name}: received, not recorded")
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            found.append(f"member {name}: recorded {_show(old[name])}, received {_show(new[name])}")
    return found


def distance(recorded: Key, received: Key) -> int:
    """How far apart two keys are: a different kind of body outweighs any number of member differences."""
    score = 0 if recorded[:2] == received[:2] else 10_000
    score += 0 if recorded[2] == received[2] else 1
    score += 0 if recorded[3] == received[3] else 1
    old, new = _decoded(recorded[4]), _decoded(received[4])
    if isinstance(old, dict) and isinstance(new, dict):
        return score + sum(1 for name in old.keys() | new.keys() if old.get(name, ...) != new.get(name, ...))
    return score + (0 if recorded[4] == received[4] else 1_000)
