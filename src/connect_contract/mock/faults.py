"""Fault injection: a FIFO queue of canned answers for the next operation calls.

Each operation call consumes one unit of the first queued fault that applies to it (its ``count``, default 1):
it waits ``delay_ms`` if set, then answers the fault's response if it has one, else runs normally.  A fault
with ``"operation": NAME`` (and optionally ``"service"``) applies to that operation only, and its ``error``
must be one that operation models; a fault without one applies to any call, as before, and its ``error``
is one the mission operation (UpdateParticipantAuthentication) models.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connect_contract.contracts import error_validator
from connect_contract.mock.responses import Reply, error_reply
from connect_contract.model import load_operation
from connect_contract.operations import ServiceOperation

MAX_DELAY_MS = 600_000
MAX_COUNT = 1_000_000
# The queue is bounded like the capture log: in entries and in bytes (a raw fault's body may be ~64 KiB).
MAX_QUEUED_FAULTS = 1000
MAX_QUEUED_BYTES = 4 * 1024 * 1024
_COMMON_KEYS = {"count", "delay_ms"}
_SCOPE_KEYS = {"operation", "service"}
_ERROR_KEYS = {"error", "message"}
_RAW_KEYS = {"status", "headers", "body"}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*\Z")
_FRAMING = {"content-length", "transfer-encoding", "connection"}


class FaultSpecError(ValueError):
    """A fault specification the mock cannot honour (answered 400 on the control route)."""


@dataclass
class Fault:
    remaining: int
    delay_ms: int
    reply: Reply | None
    spec: dict[str, Any]  # as posted, for GET /_mock/faults
    size: int = 0  # its bytes, roughly (the posted spec plus the answer it builds)
    scope: tuple[str, str] | None = None  # (service, operation) it applies to; None: any call

    def as_json(self) -> dict[str, Any]:
        return {**self.spec, "remaining": self.remaining}


def _int(spec: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = spec.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FaultSpecError(f"'{key}' must be an integer from {low} to {high}")
    return value


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _error_fault(spec: dict[str, Any]) -> Reply:
    op = load_operation()
    name = spec["error"]
    if name not in op.error_names:
        raise FaultSpecError(f"'error' must be a modeled error: {', '.join(op.error_names)}")
    message = spec.get("message", f"Injected {name}")
    if not isinstance(message, str) or not _utf8(message):
        raise FaultSpecError("'message' must be a string without lone surrogates")
    # Other members of the error shape (e.g. InvalidRequestException's Reason) are passed through by model name.
    members = {m.name for m in op.error(name).shape.members} - {"Message"}
    extra = {key: spec[key] for key in members if key in spec}
    body = {"Message": message, **extra}
    problems = list(error_validator(name).iter_errors(body))
    if problems:
        raise FaultSpecError(f"the {name} body would not match its schema: {problems[0].message}")
    return error_reply(name, message, extra)


def _raw_fault(spec: dict[str, Any]) -> Reply:
    # 1xx are not final responses; framing headers are the mock's job (a wrong one would break the server).
    status = _int(spec, "status", 500, 200, 599)
    headers = spec.get("headers", {})
    body = spec.get("body", "")
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and _TOKEN.match(k) and isinstance(v, str) and _VALUE.match(v) for k, v in headers.items()
    ):
        raise FaultSpecError("'headers' must map header names to printable Latin-1 string values")
    if _FRAMING & {k.lower() for k in headers}:
        raise FaultSpecError(f"'headers' may not set {', '.join(sorted(_FRAMING))}: the mock frames the body")
    if not isinstance(body, str):
        raise FaultSpecError("'body' must be a string (sent as UTF-8)")
    if body and status in (204, 304):
        raise FaultSpecError(f"a {status} response has no body")
    if not _utf8(body):  # JSON's "\ud800" decodes to a lone surrogate, which UTF-8 cannot carry
        raise FaultSpecError("'body' holds a lone surrogate (e.g. \"\\ud800\"): it cannot be sent as UTF-8")
    encoded = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())
    return Reply(status, encoded, body.encode("utf-8"))


def _scoped_error_fault(spec: dict[str, Any], op: ServiceOperation) -> Reply:
    from connect_contract.contracts.parts import validator
    from connect_contract.mock.anyop import modeled_error_reply

    name = spec["error"]
    names = [error.name for error in op.errors]
    if name not in names:
        raise FaultSpecError(f"'error' must be an error {op.name} models: {', '.join(names) or '(none)'}")
    message = spec.get("message", f"Injected {name}")
    if not isinstance(message, str) or not _utf8(message):
        raise FaultSpecError("'message' must be a string without lone surrogates")
    shape = op.error(name).shape
    extra = {
        member.serialization.get("name", key): spec[key]
        for key, member in shape.members.items()
        if key in spec and key.lower() != "message"
    }
    reply = modeled_error_reply(op, name, message, extra)
    try:
        document = json.loads(reply.body)
        problems = list(validator(op, f"errors/{name}.schema.json").iter_errors(document))
    except (ValueError, KeyError):
        problems = []
    if problems:
        raise FaultSpecError(f"the {name} body would not match its schema: {problems[0].message}")
    return reply


OperationLookup = Callable[[str, str | None], ServiceOperation | None]


def parse_fault(spec: Any, lookup: OperationLookup | None = None) -> Fault:
    """Validate one posted fault specification (``lookup`` finds a scoped fault's operation by name)."""
    if not isinstance(spec, dict):
        raise FaultSpecError("a fault is a JSON object")
    scoped: ServiceOperation | None = None
    if "operation" in spec or "service" in spec:
        name, service = spec.get("operation"), spec.get("service")
        if not isinstance(name, str) or not (service is None or isinstance(service, str)):
            raise FaultSpecError("'operation' must name a served operation ('service' is optional)")
        scoped = lookup(name, service) if lookup is not None else None
        if scoped is None:
            raise FaultSpecError(f"no served operation is named {name!r}" + (f" in {service!r}" if service else ""))
    op = load_operation()
    if scoped is not None:
        extra_members = {m for e in scoped.errors for m in e.shape.members} - {"Message", "message"}
    else:
        extra_members = {m.name for e in op.errors for m in e.shape.members} - {"Message"}
    unknown = set(spec) - _COMMON_KEYS - _SCOPE_KEYS - _ERROR_KEYS - _RAW_KEYS - extra_members
    if unknown:
        raise FaultSpecError(f"unknown fault key(s): {', '.join(sorted(unknown))}")
    if "error" in spec and _RAW_KEYS & spec.keys():
        raise FaultSpecError("a fault is either a modeled 'error' or a raw 'status'/'headers'/'body', not both")
    count = _int(spec, "count", 1, 1, MAX_COUNT)
    delay = _int(spec, "delay_ms", 0, 0, MAX_DELAY_MS)
    reply: Reply | None = None
    if "error" in spec:
        reply = _scoped_error_fault(spec, scoped) if scoped is not None else _error_fault(spec)
    elif _RAW_KEYS & spec.keys():
        reply = _raw_fault(spec)
    elif "delay_ms" not in spec:
        raise FaultSpecError("a fault needs 'error', 'status' (raw response) or 'delay_ms'")
    size = len(json.dumps(spec)) + (len(reply.body) if reply is not None else 0)
    scope = (scoped.service_name, scoped.name) if scoped is not None else None
    return Fault(count, delay, reply, dict(spec), size, scope)


class FaultQueue:
    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()

    def add_all(self, faults: list[Fault]) -> None:
        """Queue all of them, or none (FaultSpecError) when the queue would pass its bounds."""
        size = sum(fault.size for fault in faults) + sum(fault.size for fault in self._queue)
        if len(self._queue) + len(faults) > MAX_QUEUED_FAULTS or size > MAX_QUEUED_BYTES:
            raise FaultSpecError(
                f"the queue holds at most {MAX_QUEUED_FAULTS} faults and {MAX_QUEUED_BYTES // 1024} KiB "
                f"(use 'count' to repeat one; DELETE /_mock/faults clears it)"
            )
        self._queue.extend(faults)

    def take(self, scope: tuple[str, str] | None = None) -> Fault | None:
        """Consume one unit of the first fault that applies to a call of ``scope`` (``None`` when none does)."""
        if not self._queue:
            return None
        for index, fault in enumerate(self._queue):
            if fault.scope is None or fault.scope == scope:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._queue[index]
                return fault
        return None

    def as_json(self) -> list[dict[str, Any]]:
        return [fault.as_json() for fault in self._queue]

    def clear(self, scope: tuple[str, str] | None = None) -> None:
        """Drop every fault, or (``scope`` given) only the faults scoped to that operation."""
        if scope is None:
            self._queue.clear()
        else:
            self._queue = deque(fault for fault in self._queue if fault.scope != scope)
