"""What the project's plain ASGI apps (the mock, the replay server, the scripted server, the proxy) share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = Iterable[tuple[bytes, bytes]]  # a scope's raw header pairs, names lower-case


async def serve_lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the apps hold no resources that need either."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class BodyTooLarge(Exception):
    """The request body is (or says it is) over the reader's limit; what is left of it was never buffered."""


async def receive_body(receive: Receive, limit: int | None = None, headers: Headers = ()) -> tuple[bytes, bool]:
    """The request body as received and whether it arrived whole (``False``: the client went away first).

    Raises :class:`BodyTooLarge` as soon as it is over ``limit`` bytes (``None``: no limit), or at once
    when ``headers`` (the scope's) declare a Content-Length over it, so an oversize body is never read.
    """
    if limit is not None:
        for name, value in headers:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if limit is not None and size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks), True


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` when it is over ``limit`` bytes or the client went away."""
    try:
        body, whole = await receive_body(receive, limit)
    except BodyTooLarge:
        return None
    return body if whole else None


async def send_response(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
