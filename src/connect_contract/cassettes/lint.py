"""``connect-contract lint``: every interaction of every cassette agrees with the model.

Checks (each problem carries its check id, the file and the interaction index):
- ``not-a-cassette``: the file is not a readable vcrpy cassette (broken YAML: with its line and column).
- ``no-interactions``: the cassette records nothing, so it proves nothing.
- ``wrong-operation``: the request is not the operation's method and path.
- ``request-content-type`` / ``request-invalid``: a request not marked malformed must be JSON
  that validates against the request schema (messages name the member and the constraint, never a value).
- ``success-body-invalid``: a 200 whose body is not a valid success body.
- ``error-type-missing`` / ``unknown-error-type``: a non-200 must carry a modeled error type
  (header > body ``code`` > ``Code`` > ``__type``, sanitized as the clients do).  For deliberately
  malformed requests the protocol-level errors a Smithy server framework answers are accepted too.
- ``status-mismatch``: the status is not the one the model gives that error type.
- ``error-body-invalid``: the error body does not validate against that error's schema.
- ``secret``: a secret is present (see :mod:`.scan`).

Cassettes of any other operation (metadata ``operation``) are judged by that operation's contracts
(:mod:`connect_contract.contracts.parts`): the request location by location (``request-label`` for
URI labels, ``request-invalid`` for query, headers and body), a success answer against the output
contract (``success-invalid`` for status and headers, ``success-body-invalid`` for the body), an
error against its modeled status and its error schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from connect_contract.cassettes.routing import Router
from connect_contract.cassettes.scan import scan_cassette
from connect_contract.cassettes.store import CassetteError, Interaction, cassette_files, interactions, load_file
from connect_contract.contracts import (
    ERROR_TYPE_HEADER,
    error_validator,
    request_validator,
    response_validator,
)
from connect_contract.contracts.parts import request_errors, request_parts, response_errors, response_parts, validator
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import (
    JSON_MEDIA_TYPE,
    PROTOCOL_ERROR_STATUSES,
    is_json_request_media_type,
    parse_json,
    resolve_error_type,
)

JSON = JSON_MEDIA_TYPE
# Answers a Smithy restJson1 server framework gives to malformed input (wire-format.md section 3),
# with the protocol's statuses.  Connect models none of them; lint accepts them only for requests
# marked malformed.
FRAMEWORK_ERRORS = {
    name: PROTOCOL_ERROR_STATUSES[name]
    for name in ("SerializationException", "UnsupportedMediaTypeException", "ValidationException")
}


@dataclass(frozen=True)
class Problem:
    file: Path
    index: int | None
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" if self.index is None else f"{self.file}: interaction {self.index}"
        return f"{where}: [{self.check}] {self.message}"


def decode_json(body: bytes) -> Any:
    """The body's JSON value; ``None`` when empty or not strict JSON (:func:`connect_contract.protocol.parse_json`)."""
    return parse_json(body)[1] if body else None


def error_type(interaction: Interaction) -> str | None:
    """The recorded answer's error type as clients resolve it (:func:`connect_contract.protocol.resolve_error_type`)."""
    resolved = resolve_error_type(interaction.response_header, interaction.response_body)
    return resolved.name if resolved is not None and resolved.name else None


def schema_problems(validator: Any, instance: Any) -> list[str]:
    """Schema errors described by location and constraint only (values may be secret)."""
    messages = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        location = "/".join(str(p) for p in error.absolute_path) or "body"
        if error.validator in ("required", "additionalProperties"):
            messages.append(f"{location}: {error.message}")
        else:
            messages.append(f"{location}: violates {error.validator}")
    return messages


def _is_mission(op: ServiceOperation) -> bool:
    mission = mission_operation()
    return (op.service_name, op.name) == (mission.service_name, mission.name)


def _joined(headers: dict[str, list[str]]) -> dict[str, str]:
    return {name: ", ".join(values) for name, values in headers.items()}


def _request_any(item: Interaction, op: ServiceOperation) -> Iterator[tuple[str, str]]:
    if Router([op]).route(item.method, item.path, item.query) is None:
        yield "wrong-operation", f"request is {item.method} {item.path}, not {op.name}'s {op.request_uri}"
        return
    if item.malformed:
        return
    content_type = item.request_header("Content-Type")
    if op.request_media_type == JSON and item.request_body and not is_json_request_media_type(content_type):
        yield "request-content-type", f"request Content-Type is not {JSON} (mark the scenario malformed if meant)"
    parts = request_parts(op, item.target, _joined(item.request_headers), item.request_body)
    for message in request_errors(op, parts):
        check = "request-label" if message.startswith("path") else "request-invalid"
        yield check, f"request does not validate: {message} (not marked malformed)"


def _response_any(item: Interaction, op: ServiceOperation) -> Iterator[tuple[str, str]]:
    status = item.status
    if 200 <= status < 300:
        parts = response_parts(op, status, _joined(item.response_headers), item.response_body)
        for message in response_errors(op, parts):
            check = "success-body-invalid" if message.startswith("body") else "success-invalid"
            yield check, f"{status} answer: {message}"
        return
    modeled = {e.name: e.status for e in op.errors}
    yield from _error_answer(item, modeled, lambda name: validator(op, f"errors/{name}.schema.json"), op.name)


def _error_answer(
    item: Interaction, modeled: dict[str, int], error_schema: Callable[[str], Any], op_label: str
) -> Iterator[tuple[str, str]]:
    """An error answer carries a type clients resolve to a modeled error (or, for a request marked
    malformed, a framework error), with that error's status and, if modeled, a body its schema accepts."""
    status = item.status
    name = error_type(item)
    if name is None:
        yield "error-type-missing", f"status {status} without an error type (header {ERROR_TYPE_HEADER} or body)"
        return
    if name in modeled:
        expected = modeled[name]
    elif item.malformed and name in FRAMEWORK_ERRORS:
        expected = FRAMEWORK_ERRORS[name]
    else:
        yield "unknown-error-type", f"error type {name} is not modeled for {op_label}"
        return
    if status != expected:
        yield "status-mismatch", f"status {status}, but the model gives {name} status {expected}"
    if name not in modeled:
        return
    body = decode_json(item.response_body)
    if not isinstance(body, dict):
        yield "error-body-invalid", f"{name} body is not a JSON object"
        return
    for message in schema_problems(error_schema(name), body):
        yield "error-body-invalid", f"{name} body: {message}"


def _request(interaction: Interaction) -> Iterator[tuple[str, str]]:
    if not _is_mission(interaction.op):
        yield from _request_any(interaction, interaction.op)
        return
    op = interaction.op
    if interaction.method != op.http_method or interaction.path != op.request_uri.split("?")[0]:
        yield "wrong-operation", f"request is {interaction.method} {interaction.path}, not the operation's"
        return
    if interaction.malformed:
        return
    if not is_json_request_media_type(interaction.request_header("Content-Type")):
        yield "request-content-type", f"request Content-Type is not {JSON} (mark the scenario malformed if meant)"
    body = decode_json(interaction.request_body)
    if not isinstance(body, dict):
        yield "request-invalid", "request body is not a JSON object (mark the scenario malformed if meant)"
        return
    for message in schema_problems(request_validator(), body):
        yield "request-invalid", f"request does not validate: {message} (not marked malformed)"


def _response(interaction: Interaction) -> Iterator[tuple[str, str]]:
    if not _is_mission(interaction.op):
        yield from _response_any(interaction, interaction.op)
        return
    status, body = interaction.status, decode_json(interaction.response_body)
    if status == 200:
        if not isinstance(body, dict):
            yield "success-body-invalid", "200 body is not a JSON object"
        else:
            yield from (("success-body-invalid", f"200 body: {m}") for m in schema_problems(response_validator(), body))
        return
    modeled = {e.name: e.status for e in interaction.op.errors}
    yield from _error_answer(interaction, modeled, error_validator, "this operation")


def _unreadable(path: Path, exc: CassetteError) -> Problem:
    """``not-a-cassette``, with the line and column of a YAML syntax error (PyYAML counts from 0)."""
    error = exc.__cause__
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return Problem(path, None, "not-a-cassette", str(exc))
    message = f"not valid YAML: line {mark.line + 1}, column {mark.column + 1}: {getattr(error, 'problem', None)}"
    start = getattr(error, "context_mark", None)
    if start is not None and getattr(error, "context", None):  # e.g. where the unclosed quote began
        message += f" ({error.context} at line {start.line + 1}, column {start.column + 1})"  # type: ignore[union-attr]
    return Problem(path, None, "not-a-cassette", message)


def _declares_operation(data: dict[str, Any]) -> bool:
    """The cassette names its operation (metadata ``operation``, as :func:`.scan.operation_of` reads it)."""
    metadata = data.get("metadata")
    return isinstance(metadata, dict) and isinstance(metadata.get("operation"), dict)


def lint_data(path: Path, data: dict[str, Any], operation: ServiceOperation | None = None) -> tuple[list[Problem], int]:
    """Problems in a loaded cassette (what ``lint`` reads, or what the recorder is about to write).

    ``operation``: what a cassette that does not name its operation records (``None``: the store's
    reading, the mission operation); a cassette's own metadata always wins.
    """
    try:
        items = list(interactions(path, data))
    except CassetteError as exc:
        return [Problem(path, None, "not-a-cassette", str(exc))], 0
    if operation is not None and not _declares_operation(data):
        items = [replace(item, service=operation.service_name, operation=operation.name) for item in items]
    problems = [] if items else [Problem(path, None, "no-interactions", "the cassette has no interactions")]
    problems += [Problem(path, item.index, check, message) for item in items for check, message in _request(item)]
    problems += [Problem(path, item.index, check, message) for item in items for check, message in _response(item)]
    problems += [Problem(path, f.index, "secret", f"{f.where}: {f.kind}") for f in scan_cassette(data)]
    problems.sort(key=lambda p: -1 if p.index is None else p.index)
    return problems, len(items)


def lint_file(path: Path, operation: ServiceOperation | None = None) -> tuple[list[Problem], int]:
    """Problems in one cassette, and how many interactions it has (``operation``: see :func:`lint_data`)."""
    try:
        data = load_file(path)
    except CassetteError as exc:
        return [_unreadable(path, exc)], 0
    return lint_data(path, data, operation)


@dataclass(frozen=True)
class LintReport:
    problems: list[Problem]
    files: int
    interactions: int


def lint_paths(paths: Iterable[Path], operation: ServiceOperation | None = None) -> LintReport:
    """Every cassette under ``paths``; ``operation``: what cassettes that do not name theirs record."""
    problems: list[Problem] = []
    files = cassette_files(paths)
    count = 0
    for path in files:
        found, n = lint_file(path, operation)
        problems += found
        count += n
    return LintReport(problems, len(files), count)
