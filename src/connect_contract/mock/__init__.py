"""The reference mock: a fast, faithful server for UpdateParticipantAuthentication.

``create_app(MockConfig(...))`` gives an ASGI app; ``running_mock()`` serves one on uvicorn on a free
127.0.0.1 port for the duration of a ``with`` block; ``connect-contract serve`` runs it standalone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connect_contract.mock.app import MockApp, create_app
from connect_contract.mock.config import MockConfig
from connect_contract.mock.http11 import ConnectionLimits
from connect_contract.serving import LOOPBACK, serve_in_thread

__all__ = ["ConnectionLimits", "MockApp", "MockConfig", "create_app", "running_mock"]


@contextmanager
def running_mock(
    config: MockConfig | None = None, *, host: str = LOOPBACK, port: int = 0, limits: ConnectionLimits | None = None
) -> Iterator[str]:
    """Serve a fresh mock until the block exits; yields its base URL (``port=0``: a free port).
    ``limits`` bound its connections (header size, read timeout, connection count); see ConnectionLimits."""
    settings = (limits or ConnectionLimits()).uvicorn_settings()
    with serve_in_thread(create_app(config), host=host, port=port, settings=settings) as url:
        yield url
