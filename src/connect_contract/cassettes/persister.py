"""A vcrpy persister that writes atomically, adds provenance, and refuses secrets.

vcrpy's own persister opens the cassette with ``"w"`` and writes: a crash mid-write truncates the
old cassette.  This one serializes, parses the text back, scans it (:mod:`.scan`) and only then
writes to a temporary file in the same directory, fsyncs and ``os.replace``-s it over the target.
A refusal is recorded on the instance instead of raised: an exception from a persister escapes
vcrpy's ``__exit__`` before it unpatches the HTTP libraries.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from vcr.persisters.filesystem import CassetteDecodeError, CassetteNotFoundError, FilesystemPersister
from vcr.serialize import serialize

from connect_contract.atomic import write_atomic
from connect_contract.cassettes.scan import Finding, scan_cassette

YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=YamlLoader)  # a safe loader (C or Python)


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
