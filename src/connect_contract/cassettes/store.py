"""Reading cassettes as plain data (lint, the replay server and verify never patch anything).

A cassette is vcrpy's YAML (``version: 1``, ``interactions``) plus a ``metadata`` mapping that vcrpy
9.4 loads and saves itself.  This project's metadata: ``provenance`` (how it was recorded) and
``scenario`` (``name``, ``description``, ``malformed``); ``malformed: true`` marks every request of
the cassette as deliberately malformed.  ``malformed_interactions: [i, ...]`` marks single ones.
``operation`` (``service``, ``name``) says which operation every interaction is; a cassette without
it holds the mission operation (the layout is ``<service>/<Operation>/<scenario>.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connect_contract.cassettes.persister import load_yaml
from connect_contract.cassettes.scan import body_text, headers_of, operation_of
from connect_contract.operations import ServiceOperation, load_service_operation

SUFFIXES = (".yaml", ".yml")


class CassetteError(ValueError):
    """A file that is not a readable vcrpy cassette."""


@dataclass(frozen=True)
class Interaction:
    file: Path
    index: int
    method: str
    uri: str
    request_headers: dict[str, list[str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: dict[str, list[str]]
    response_body: bytes
    malformed: bool
    scenario: str
    service: str = "connect"
    operation: str = "UpdateParticipantAuthentication"

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.uri).query

    @property
    def target(self) -> str:
        """The path and query as sent."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def op(self) -> ServiceOperation:
        return load_service_operation(self.service, self.operation)

    @property
    def where(self) -> str:
        return f"{self.file}#{self.index}"

    def request_header(self, name: str) -> str | None:
        return _first(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return _first(self.response_headers, name)


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def cassette_files(paths: Iterable[Path]) -> list[Path]:
    """Every cassette file named, or found (recursively, sorted) under a named directory."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def load_file(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(f"cannot read: {exc}") from exc
    except Exception as exc:  # yaml's errors have no common public base worth naming
        raise CassetteError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError("not a vcrpy cassette (no interactions list)")
    return data


def _malformed_flags(data: dict[str, Any]) -> tuple[bool, set[int]]:
    metadata = data.get("metadata") or {}
    scenario = metadata.get("scenario") or {}
    listed = metadata.get("malformed_interactions") or []
    return bool(scenario.get("malformed", False)), {int(i) for i in listed}


def interactions(path: Path, data: dict[str, Any]) -> Iterator[Interaction]:
    """The interactions of a loaded cassette; ``CassetteError`` names the first unusable one."""
    everything, listed = _malformed_flags(data)
    scenario = str(((data.get("metadata") or {}).get("scenario") or {}).get("name", path.stem))
    try:
        op = operation_of(data)
    except LookupError as exc:
        raise CassetteError(f"metadata operation: {exc}") from exc
    for index, item in enumerate(data["interactions"]):
        try:
            request, response = item["request"], item["response"]
            status = response["status"]
            yield Interaction(
                file=path,
                index=index,
                method=str(request["method"]).upper(),
                uri=str(request["uri"]),
                request_headers=headers_of(request),
                request_body=body_text(request).encode("utf-8"),
                status=int(status["code"]),
                reason=str(status.get("message", "")),
                response_headers=headers_of(response),
                response_body=body_text(response).encode("utf-8"),
                malformed=everything or index in listed,
                scenario=scenario,
                service=op.service_name,
                operation=op.name,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CassetteError(f"interaction {index}: not a vcrpy interaction ({exc!r} missing or wrong)") from exc


def load_interactions(paths: Iterable[Path]) -> list[Interaction]:
    """All interactions of all cassettes (``CassetteError`` prefixed with the file on failure)."""
    result: list[Interaction] = []
    for path in cassette_files(paths):
        try:
            result += list(interactions(path, load_file(path)))
        except CassetteError as exc:
            raise CassetteError(f"{path}: {exc}") from exc
    return result
