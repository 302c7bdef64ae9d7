"""Contracts for any operation, generated on demand and cached on disk.

The repository commits the contracts of the operations it keeps vectors or cassettes for; every
other operation's are a pure function of botocore's model, so they are generated when asked for and
cached under the user's cache directory, keyed by botocore's version, the generator's version,
the service and the operation.  The same renderer as the committed files makes them byte-identical
on regeneration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import botocore

from connect_contract.atomic import write_atomic
from connect_contract.contracts.generate import render
from connect_contract.contracts.openapi_documents import openapi_document
from connect_contract.contracts.schemas import Document, operation_schemas
from connect_contract.operations import ServiceOperation, load_service_operation, resolve_operations

# Bump when the generated documents change shape, so stale cache entries are never read.
GENERATOR_VERSION = 2  # 2: patterns read as the service enforces them (operations/patterns.py)
CACHE_ENV = "CONNECT_CONTRACT_CACHE_DIR"
SERVICE_DOCUMENT = "openapi.json"
_COMPLETE = ".complete"


def operation_documents(op: ServiceOperation) -> dict[str, Document]:
    """Every contract document of ``op``: the per-location schemas, the error schemas, its OpenAPI document."""
    return _operation_documents(op.service_name, op.name)


@cache
def _operation_documents(service: str, operation: str) -> dict[str, Document]:
    op = load_service_operation(service, operation)
    documents = operation_schemas(op)
    documents["openapi.json"] = openapi_document([op], title=f"{op.service_id} {op.name}")
    return documents


def operation_files(op: ServiceOperation) -> dict[str, str]:
    """The rendered text of every contract file of ``op``, keyed by relative path, sorted."""
    return {path: render(document) for path, document in sorted(operation_documents(op).items())}


def service_openapi(service: str, operations: Iterable[ServiceOperation] | None = None) -> Document:
    """One OpenAPI 3.1 document for ``service`` (every operation, unless ``operations`` narrows it)."""
    return openapi_document(operations if operations is not None else resolve_operations(service, "all"))


def cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "connect-contract" / "contracts"


def _version_dir(root: Path | None) -> Path:
    return (root or cache_root()) / f"botocore-{botocore.__version__}-g{GENERATOR_VERSION}"


def write_files(directory: Path, files: dict[str, str]) -> list[str]:
    """Write ``files`` under ``directory`` (atomically, each); return the paths whose text changed."""
    changed = []
    for relative, text in files.items():
        target = directory / relative
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            write_atomic(target, text)
            changed.append(relative)
    return changed


def cached_operation(op: ServiceOperation, root: Path | None = None) -> Path:
    """The directory holding ``op``'s contracts, generated into the cache on first use."""
    directory = _version_dir(root) / op.service_name / op.name
    if not (directory / _COMPLETE).exists():  # the marker is written last: a crash leaves no half entry
        write_files(directory, operation_files(op))
        write_atomic(directory / _COMPLETE, "")
    return directory


def cached_service_openapi(service: str, root: Path | None = None) -> Path:
    """The path of ``service``'s OpenAPI document, generated into the cache on first use."""
    target = _version_dir(root) / service / SERVICE_DOCUMENT
    if not target.exists():
        write_atomic(target, render(service_openapi(service)))
    return target
