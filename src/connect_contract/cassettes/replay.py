"""Replaying cassettes to Python clients, offline, with vcrpy.

``with replay_cassette("cassettes/connect/UpdateParticipantAuthentication/optional-code.yaml"):``
patches requests/urllib3/botocore so the
block's HTTP calls are answered from the cassette (record mode ``none``: nothing reaches the network,
an unknown request raises).  Matching is :mod:`.match`'s: method, path and the JSON body with key
order ignored and sensitive members matched by presence; signatures, dates and hosts are ignored,
so a boto3 client pointed at any endpoint URL replays.  Create boto3 clients *inside* the block:
a client created in one cassette block keeps vcrpy's stub connection afterwards.

The ``connect_cassette`` pytest fixture (registered by the package's pytest plugin) hands out this
context manager.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import vcr

from connect_contract.cassettes.match import Matcher
from connect_contract.cassettes.routing import Router
from connect_contract.cassettes.scan import operation_of
from connect_contract.cassettes.store import load_file
from connect_contract.operations import ServiceOperation

MATCH_ON = ("method", "contract_body")  # contract_body: path, query, media type and body (see .match)


def replay_vcr(op: ServiceOperation | None = None) -> vcr.VCR:
    """A vcrpy player matching requests of ``op`` (default: the mission operation)."""
    player = vcr.VCR(record_mode="none", match_on=MATCH_ON, decode_compressed_response=True)
    player.register_matcher("contract_body", Matcher(Router([op]) if op is not None else None).vcr_matcher)
    return player


@contextmanager
def replay_cassette(path: str | Path, *, allow_playback_repeats: bool = True) -> Iterator[Any]:
    """Replay ``path`` to every Python HTTP client in the block; yields vcrpy's ``Cassette``.

    The cassette's metadata names its operation (any rest-json operation); none means the mission one.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no cassette at {path}")
    op = operation_of(load_file(path))
    with replay_vcr(op).use_cassette(str(path), allow_playback_repeats=allow_playback_repeats) as cassette:
        yield cassette


@pytest.fixture
def connect_cassette() -> Callable[..., AbstractContextManager[Any]]:
    """The :func:`replay_cassette` context manager, as a fixture: ``with connect_cassette(path): ...``."""
    return replay_cassette
