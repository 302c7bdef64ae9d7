"""How an incoming request is matched to a recorded one (vcrpy replay, the replay server, recording).

A request's key is (method, path, media type, canonical body).  The canonical body is the JSON value
with keys sorted and every sensitive member replaced by a presence marker that also says whether the
value satisfies the model (``<present:valid>``, ``<present:too-long>``, ...): that is all a redacted
recording still knows, so it is all matching may use.  Key order, whitespace, escapes, signatures,
dates and hosts never matter.  A body that is not JSON is compared as text.
"""

from __future__ import annotations

import json
from typing import Any

from connect_contract.cassettes.redact import as_text, sensitive_members, verdict

Key = tuple[str, str, str, str]


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``; missing -> ``""``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _canonical_value(decoded: Any) -> Any:
    if not isinstance(decoded, dict):
        return decoded
    sensitive = sensitive_members()
    return {
        key: (f"<present:{verdict(sensitive[key], value)}>" if key in sensitive else value)
        for key, value in decoded.items()
    }


def canonical_body(body: bytes | str | None) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if not raw:
        return ""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return "raw:" + raw.decode("utf-8", errors="replace")
    return "json:" + json.dumps(_canonical_value(decoded), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_key(method: str, path: str, content_type: str | None, body: bytes | str | None) -> Key:
    return (method.upper(), path, media_type(content_type), canonical_body(body))


def vcr_request_key(request: Any) -> Key:
    """The key of a ``vcr.request.Request``."""
    content_type = request.headers.get("Content-Type")
    body = getattr(request, "body_bytes", request.body)
    return request_key(request.method, request.path, as_text(content_type) if content_type else None, body)


def contract_body(r1: Any, r2: Any) -> None:
    """A vcrpy matcher: media type + canonical JSON body.  ``AssertionError`` says what differs."""
    k1, k2 = vcr_request_key(r1), vcr_request_key(r2)
    if k1[2:] != k2[2:]:
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
    sensitive members are already presence markers in both keys)."""
    found = []
    for label, index in (("method", 0), ("path", 1)):
        if recorded[index] != received[index]:
            found.append(f"{label}: recorded {recorded[index]}, received {received[index]}")
    if recorded[2] != received[2]:
        found.append(f"Content-Type: recorded {recorded[2] or '(none)'}, received {received[2] or '(none)'}")
    if recorded[3] == received[3]:
        return found
    old, new = _decoded(recorded[3]), _decoded(received[3])
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [*found, f"body: recorded {_kind(recorded[3])}, received {_kind(received[3])}"]
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
    old, new = _decoded(recorded[3]), _decoded(received[3])
    if isinstance(old, dict) and isinstance(new, dict):
        return score + sum(1 for name in old.keys() | new.keys() if old.get(name, ...) != new.get(name, ...))
    return score + (0 if recorded[3] == received[3] else 1_000)
