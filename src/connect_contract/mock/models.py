"""The mock's state, pure Python (no HTTP): issued sessions, captured requests.

Captured requests are stored raw and redacted only when read back (``GET /_mock/requests``), so the
hot path does one ``deque.append``; the raw bytes never leave the process.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from connect_contract.contracts import sensitive_request_members
from connect_contract.mock.semantics import INSTANCE_ID, STATE
from connect_contract.model import load_operation
from connect_contract.redaction import placeholder, redact_body, redact_headers, redact_text
from connect_contract.sigv4 import ALGORITHM, parse_authorization


@dataclass
class Session:
    state: str
    instance_id: str
    issued: bool  # issued by POST /_mock/sessions (stateful), or just seen (lenient)
    created_at: float = field(default_factory=time.time)
    completed_at: float | None = None
    received: dict[str, Any] | None = None  # the members that completed it (redacted when read back)

    def as_json(self) -> dict[str, Any]:
        return {
            STATE: self.state,
            INSTANCE_ID: self.instance_id,
            "issued": self.issued,
            "completed": self.completed_at is not None,
            "completedAt": self.completed_at,
            "received": None if self.received is None else redact_body(self.received),
        }


def new_state() -> str:
    """A fresh State that satisfies the model's State constraints."""
    rule = load_operation().member(STATE).shape
    state = secrets.token_urlsafe(24)  # 32 URL-safe characters
    if (rule.min_length and len(state) < rule.min_length) or (rule.max_length and len(state) > rule.max_length):
        raise RuntimeError("the model's State length no longer fits the mock's generated states")
    return state


class SessionStore:
    """Issued sessions (kept until reset) and lenient-mode completions (only the newest ``limit``)."""

    def __init__(self, limit: int) -> None:
        self._sessions: dict[str, Session] = {}
        self._issued: list[Session] = []
        self._seen: deque[tuple[float, dict[str, Any]]] = deque(maxlen=limit)  # (when, params), built lazily

    def issue(self, instance_id: str) -> Session:
        session = Session(new_state(), instance_id, issued=True)
        self._sessions[session.state] = session
        self._issued.append(session)
        return session

    @property
    def issued_count(self) -> int:
        return len(self._issued)

    def lookup(self, state: str, instance_id: str) -> Session | None:
        """The issued session for this State *and* InstanceId (a State is bound to its instance)."""
        session = self._sessions.get(state)
        if session is None or session.instance_id != instance_id:
            return None
        return session

    def complete(self, session: Session, params: dict[str, Any]) -> None:
        session.completed_at = time.time()
        session.received = {k: v for k, v in params.items() if k not in (STATE, INSTANCE_ID)}

    def record(self, params: dict[str, Any]) -> None:
        """Lenient mode: remember a completed call whose State the mock never issued."""
        self._seen.append((time.time(), params))

    def _unissued(self) -> list[Session]:
        sessions = []
        for when, params in self._seen:
            session = Session(params[STATE], params[INSTANCE_ID], issued=False, created_at=when)
            self.complete(session, params)
            session.completed_at = when
            sessions.append(session)
        return sessions

    def as_json(self) -> list[dict[str, Any]]:
        ordered = sorted([*self._issued, *self._unissued()], key=lambda session: session.created_at)
        return [session.as_json() for session in ordered]

    def clear(self) -> None:
        self._sessions.clear()
        self._issued.clear()
        self._seen.clear()


# (path, query, body) -> (path, query, body text, lower-cased header names to hide), all redacted
Redactor = Callable[[str, bytes, bytes], tuple[str, str, str, frozenset[str]]]


class CapturedRequest(NamedTuple):  # the log keeps plain tuples in this field order, read back as these
    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    at: float
    truncated: dict[str, int] | None = None  # what was cut to CAPTURED_VALUE_BYTES -> its original size
    operation: str | None = None  # the served operation it was routed to ("service:Name")
    redact: Redactor | None = None  # its operation's own redaction (else the mission operation's)

    def as_json(self) -> dict[str, Any]:
        joined: dict[str, str] = {}
        for raw_name, raw_value in self.headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            joined[name] = f"{joined[name]},{value}" if name in joined else value
        redacted = redact_headers(joined)
        for name, value in joined.items():
            if name.lower() == "authorization":
                redacted[name] = redact_authorization(value)
        if self.redact is not None:
            path, query, body, hidden = self.redact(self.path, self.query, self.body)
            redacted = {name: "<redacted>" if name.lower() in hidden else value for name, value in redacted.items()}
        else:
            path, query, body = self.path, self.query.decode("latin-1"), redact_raw_body(self.body)
        return {
            "method": self.method,
            "path": path,
            "query": query,
            "headers": redacted,
            "body": body,
            "receivedAt": self.at,
            **(_operation_fields(self.operation) if self.operation else {}),
            **({"truncated": self.truncated} if self.truncated else {}),
        }


def _operation_fields(key: str) -> dict[str, str]:
    service, _, name = key.partition(":")
    return {"service": service, "operation": name}


def redact_authorization(value: str) -> str:
    """Keep what helps debug a client's signing (algorithm, scope's region and service, signed headers),
    hide what identifies or proves the caller (access key id, signature)."""
    parsed = parse_authorization(value)
    if parsed is None:
        return "<redacted>"
    scope = f"<redacted>/{parsed.date}/{parsed.region}/{parsed.service}/{parsed.terminator}"
    return f"{ALGORITHM} Credential={scope}, SignedHeaders={';'.join(parsed.signed_headers)}, Signature=<redacted>"


def _sensitive_member_re() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(sensitive_request_members()))
    return re.compile(rf'("(?:{names})"\s*:\s*)("(?:[^"\\]|\\.)*"?)')


_SENSITIVE_IN_TEXT = _sensitive_member_re()


def redact_raw_body(body: bytes) -> str:
    """Body text with sensitive members redacted, even when the body is not valid JSON."""
    text = body.decode("utf-8", errors="replace")
    text = redact_text(text)
    # Malformed JSON is not decoded by redact_text; still hide any string that follows a sensitive key.
    return _SENSITIVE_IN_TEXT.sub(lambda m: f'{m[1]}"{placeholder(m[1].split(chr(34))[1])}"', text)


CAPTURED_VALUE_BYTES = 16 * 1024  # of one header value, the query or the body; the rest is cut, and said so
ENTRY_OVERHEAD = 512  # a rough cost of one entry's Python objects, so many tiny requests count too


def _cut(headers: list[tuple[bytes, bytes]], query: bytes, body: bytes) -> tuple[Any, ...]:
    """The request with every value over CAPTURED_VALUE_BYTES cut to it, and what was cut (original sizes)."""
    truncated: dict[str, int] = {}
    kept = []
    for name, value in headers:
        if len(value) > CAPTURED_VALUE_BYTES:
            truncated[f"headers.{name.decode('latin-1')}"] = len(value)
        kept.append((name, value[:CAPTURED_VALUE_BYTES]))
    if len(query) > CAPTURED_VALUE_BYTES:
        truncated["query"] = len(query)
        query = query[:CAPTURED_VALUE_BYTES]
    if len(body) > CAPTURED_VALUE_BYTES:
        truncated["body"] = len(body)
        body = body[:CAPTURED_VALUE_BYTES]
    return kept, query, body, truncated


class CaptureLog:
    """The newest requests: at most ``limit`` of them and about ``max_bytes`` in all (oldest dropped first)."""

    def __init__(self, limit: int, max_bytes: int) -> None:
        # (size, the CapturedRequest's fields as a plain tuple): every operation call adds one, and a plain
        # tuple costs a fifth of the NamedTuple's constructor on that hot path.
        self._entries: deque[tuple[int, tuple[Any, ...]]] = deque()
        self._limit = limit
        self._max_bytes = max_bytes
        self._bytes = 0

    def add(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        operation: str | None = None,
        redact: Redactor | None = None,
    ) -> None:
        if not self._limit:
            return
        size = len(query) + len(body) + sum(len(name) + len(value) for name, value in headers)
        truncated = None
        if size > CAPTURED_VALUE_BYTES:  # (only then can one value be over the limit: the common case is cheap)
            headers, query, body, truncated = _cut(headers, query, body)
            size = len(query) + len(body) + sum(len(name) + len(value) for name, value in headers)
        size += ENTRY_OVERHEAD
        self._entries.append((size, (method, path, query, headers, body, time.time(), truncated, operation, redact)))
        self._bytes += size
        while len(self._entries) > self._limit or self._bytes > self._max_bytes:
            dropped, _ = self._entries.popleft()
            self._bytes -= dropped

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def as_json(self, operation: str | None = None) -> list[dict[str, Any]]:
        """Every entry, or (``operation`` given) those routed to it."""
        entries = (CapturedRequest._make(fields) for _, fields in self._entries)
        return [entry.as_json() for entry in entries if operation is None or entry.operation == operation]

    def clear(self, operation: str | None = None) -> None:
        """Empty the log, or drop only the entries routed to ``operation``."""
        if operation is None:
            self._entries.clear()
            self._bytes = 0
            return
        kept = deque(entry for entry in self._entries if CapturedRequest._make(entry[1]).operation != operation)
        self._entries = kept
        self._bytes = sum(size for size, _ in kept)
