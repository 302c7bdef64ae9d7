"""A vcrpy persister that writes atomically, adds provenance, and refuses secrets.

vcrpy's own persister opens the cassette with ``"w"`` and writes: a crash mid-write truncates the
old cassette.  This one serializes, parses the text back, scans it (:mod:`.scan`) and only then
writes to a temporary file in the same directory, fsyncs and ``os.replace``-s it over the target.
A refusal is recorded on the instance instead of raised: an exception from a persister escapes
vcrpy's ``__exit__`` before it unpatches the HTTP libraries.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from vcr.persisters.filesystem import CassetteDecodeError, CassetteNotFoundError, FilesystemPersister
from vcr.serialize import serialize

from connect_contract.cassettes.scan import Finding, scan_cassette

YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=YamlLoader)  # a safe loader (C or Python)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` or leave it untouched: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class AtomicPersister:
    """One recording's persister (vcrpy calls ``load_cassette`` / ``save_cassette`` on it)."""

    def __init__(self, *, metadata: dict[str, Any], known_secrets: Iterable[str] = (), overwrite: bool = True) -> None:
        self.metadata = metadata
        self.known_secrets = tuple(known_secrets)
        self.overwrite = overwrite
        self.refused: list[Finding] = []
        self.kept_existing = False
        self.written = False

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Any:
        try:
            return FilesystemPersister.load_cassette(cassette_path, serializer)
        except CassetteNotFoundError:
            raise
        except Exception as exc:  # vcrpy raises TypeError/KeyError/... on a file that is not a cassette
            # vcrpy then treats it as empty (with a warning): re-recording replaces an unreadable file.
            raise CassetteDecodeError(f"{cassette_path}: not a readable cassette ({type(exc).__name__})") from exc

    def render(self, cassette_dict: dict[str, Any], serializer: Any) -> str:
        return str(serialize({**cassette_dict, "metadata": self.metadata}, serializer))

    def save_cassette(self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        text = self.render(cassette_dict, serializer)
        findings = scan_cassette(load_yaml(text), self.known_secrets)
        if findings:
            self.refused = findings
            return
        path = Path(cassette_path)
        if not self.overwrite and path.exists():  # `once`: an existing cassette is never replaced
            self.kept_existing = True
            return
        write_atomic(path, text)
        self.written = True
