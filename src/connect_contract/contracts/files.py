"""Writing the generated contracts to disk and checking the committed ones for drift."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from connect_contract.atomic import write_atomic
from connect_contract.contracts.generate import build_documents, render
from connect_contract.model import Operation, load_operation


@dataclass(frozen=True)
class Drift:
    """One generated file whose committed copy is missing or differs."""

    path: str
    diff: str


def expected_files(op: Operation | None = None) -> dict[str, str]:
    """The text of every generated contract file, keyed by its path relative to ``contracts/``."""
    documents = build_documents(op or load_operation())
    return {path: render(document) for path, document in sorted(documents.items())}


def write_contracts(directory: Path, op: Operation | None = None) -> list[str]:
    """Write every generated file under ``directory``; return the paths that changed."""
    changed = []
    for relative, text in expected_files(op).items():
        target = directory / relative
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            write_atomic(target, text)
            changed.append(relative)
    return changed


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
