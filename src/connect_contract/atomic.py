"""Atomic file replacement, for the generated contracts and the cassettes alike."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, created as ``open(..., "w")`` would create it: mode 0666 minus the umask
    (``tempfile.mkstemp`` forces 0600, so every re-recorded cassette would lose its group/other read bits)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` or leave it untouched: never a half-written file.

    File modes are an ordinary write's: a new file gets 0666 minus the umask, a replaced file keeps its
    permission bits.  The temporary is ``.NAME.<random>.tmp`` (what ``record`` cleans up after a kill).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(handle.fileno(), stat.S_IMODE(path.stat().st_mode))
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
