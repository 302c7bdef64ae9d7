"""``proxy --record DIR``: append each exchange, redacted and lint-clean, to its operation's cassette.

One cassette per operation, ``DIR/<service>/<Operation>/proxy.yaml``, in vcrpy's format.  Each
exchange goes through the recorder's own machinery: the redaction hooks of :mod:`..cassettes.redact`
for its operation, then :class:`~connect_contract.cassettes.record.JudgingPersister`, which renders
the whole cassette, refuses it if the scan finds a secret (the request's sensitive values and any
credential the proxy holds are known to it), refuses it if ``lint`` would reject it, and otherwise
writes it atomically.  So a crash leaves the previous cassette intact, and a cassette on disk is
always one that ``lint`` passes.  A request already recorded (same match key) is not appended again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.request import Request as VcrRequest
from vcr.serializers import yamlserializer

from connect_contract.cassettes.match import Matcher
from connect_contract.cassettes.record import JudgingPersister, cassette_dir, operation_metadata, provenance
from connect_contract.cassettes.redact import redact_request, redact_response
from connect_contract.cassettes.routing import Router
from connect_contract.operations import ServiceOperation

CASSETTE_NAME = "proxy.yaml"


@dataclass(frozen=True)
class Wire:
    """One exchange as it passed through the proxy (the client's request, the upstream's answer)."""

    method: str
    url: str  # the upstream URL the request went to
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


class Recorder:
    def __init__(self, root: Path, *, kind: str, region: str, signed: bool) -> None:
        self.root = root
        self.kind = kind
        self.region = region
        self.signed = signed
        self._lock = threading.Lock()

    def path_for(self, op: ServiceOperation) -> Path:
        return cassette_dir(self.root, op) / CASSETTE_NAME

    def append(self, op: ServiceOperation, exchange: Wire, known_secrets: Iterable[str]) -> str:
        """Record one exchange; returns what happened (``recorded``, ``already recorded``, or why not)."""
        request = VcrRequest(exchange.method, exchange.url, exchange.request_body, dict(exchange.request_headers))
        request = redact_request(request, op)
        response: dict[str, Any] = {
            "status": {"code": exchange.status, "message": exchange.reason},
            "headers": _grouped(exchange.response_headers),
            "body": {"string": exchange.response_body},
        }
        response = redact_response(response, op)
        matcher = Matcher(Router([op]))
        # Signed when the proxy re-signs, or when the client's own signature went through.
        signed = self.signed or any(name.lower() == "authorization" for name, _ in exchange.request_headers)
        with self._lock:
            path = self.path_for(op)
            try:
                loaded = FilesystemPersister.load_cassette(str(path), yamlserializer)  # (+ metadata in vcrpy 9.4)
                requests, responses = list(loaded[0]), list(loaded[1])
            except CassetteNotFoundError:
                requests, responses = [], []
            key = matcher.vcr_key(request)
            if any(matcher.vcr_key(old) == key for old in requests):
                return "already recorded"
            metadata = {
                "provenance": provenance(kind=self.kind, region=self.region, signed=signed, record_mode="proxy"),
                "operation": operation_metadata(op),
                "scenario": {"name": "proxy", "description": "exchanges recorded by connect-contract proxy"},
            }
            persister = JudgingPersister(metadata=metadata, known_secrets=known_secrets, overwrite=True)
            cassette = {"requests": [*requests, request], "responses": [*responses, response]}
            persister.save_cassette(str(path), cassette, yamlserializer)
            if persister.refused:
                return "not recorded: " + "; ".join(str(f) for f in persister.refused[:2])
            if persister.rejected:
                return "not recorded: " + "; ".join(f"[{p.check}] {p.message}" for p in persister.rejected[:2])
            return "recorded"
