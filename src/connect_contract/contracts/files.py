"""Writing the generated contracts to disk and checking the committed ones for drift.

The committed set is the mission operation's original files (``request.schema.json``, ...) plus,
under ``operations/<service>/<Operation>/``, the per-location contracts of every operation the
repository keeps vectors or cassettes for.  Any other operation's contracts are generated on demand
(:mod:`connect_contract.contracts.ondemand`) and never committed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from connect_contract.contracts.generate import build_documents, render
from connect_contract.contracts.ondemand import operation_files, write_files
from connect_contract.model import Operation, load_operation
from connect_contract.operations import load_service_operation

# (service, operation) pairs whose per-location contracts are committed and drift-checked.
COMMITTED_OPERATIONS: tuple[tuple[str, str], ...] = (("connect", "UpdateParticipantAuthentication"),)
OPERATIONS_DIR = "operations"


@dataclass(frozen=True)
class Drift:
    """One generated file whose committed copy is missing or differs."""

    path: str
    diff: str


def expected_files(op: Operation | None = None) -> dict[str, str]:
    """The text of every generated contract file, keyed by its path relative to ``contracts/``."""
    documents = build_documents(op or load_operation())
    files = {path: render(document) for path, document in documents.items()}
    for service, name in COMMITTED_OPERATIONS:
        for relative, text in operation_files(load_service_operation(service, name)).items():
            files[f"{OPERATIONS_DIR}/{service}/{name}/{relative}"] = text
    return dict(sorted(files.items()))


def write_contracts(directory: Path, op: Operation | None = None) -> list[str]:
    """Write every generated file under ``directory``; return the paths that changed."""
    return write_files(directory, expected_files(op))


def check_contracts(directory: Path, op: Operation | None = None) -> list[Drift]:
    """Compare the committed files with what the installed model produces."""
    drifts = []
    for relative, expected in expected_files(op).items():
        target = directory / relative
        actual = target.read_text(encoding="utf-8") if target.exists() else ""
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    actual.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    fromfile=f"committed/{relative}" if target.exists() else "/dev/null",
                    tofile=f"model/{relative}",
                )
            )
            drifts.append(Drift(relative, diff))
    return drifts
