"""Run an ASGI app on uvicorn, on 127.0.0.1, in a background thread (tests, ``check`` without --endpoint)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


@contextmanager
def serve_in_thread(
    app: Any,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    startup_timeout: float = 10.0,
    settings: Mapping[str, Any] | None = None,
) -> Iterator[str]:
    """Serve ``app`` until the block exits; yields its base URL (``port=0`` picks a free port).

    ``settings`` are further ``uvicorn.Config`` arguments (the mock passes its parser and limits).  WebSockets
    are off: none of the project's apps speaks them, and uvicorn's automatic backend would answer an upgrade
    with its own untyped 500 (or never answer a POST that carries ``Upgrade``)."""
    options: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "off", "ws": "none"}
    config = uvicorn.Config(app, host=host, port=port, **{**options, **(settings or {})})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{host}:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
