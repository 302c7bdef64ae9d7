"""Writing the generated contracts to disk and checking the committed ones for drift."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_contracts(directory: Path, op: Operation | None = None) -> list[str]:
    """Write every generated file under ``directory``; return the paths that changed."""
    changed = []
    for relative, text in expected_files(op).items():
        target = directory / relative
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            _write_atomic(target, text)
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
