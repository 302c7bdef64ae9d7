"""Helpers for the cassette tests: test credentials, small scripted ASGI servers, file snapshots."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from connect_contract.contracts import ERROR_TYPE_HEADER

# The AWS documentation's example keys: the secret matches the secret-key-like pattern on purpose.
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "cassettes"
MISSION_DIR = Path("connect") / "UpdateParticipantAuthentication"  # <root>/<service>/<Operation>/

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Answer = tuple[int, dict[str, str], bytes]


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def error(name: str, status: int, message: str) -> Answer:
    body = json.dumps({"Message": message}).encode()
    return status, {"content-type": "application/json", ERROR_TYPE_HEADER: name}, body


def scripted(
    answer: Callable[[bytes], Answer],
    *,
    on_request: Callable[[], None] | None = None,
    hold: threading.Event | None = None,
) -> Any:
    """An ASGI app answering every request with ``answer(body)`` (once ``hold`` is set, if given)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        if on_request is not None:
            on_request()
        deadline = time.monotonic() + 60
        while hold is not None and not hold.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        status, headers, payload = answer(body)
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})

    return app


def changes_one_answer(inner: Any, when: Callable[[Any], bool], answer: Answer) -> Any:
    """A broken provider: ``inner`` (the mock) except for requests whose JSON body satisfies ``when``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        body = await read_body(receive)
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if when(decoded):
            status, headers, payload = answer
            raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": payload})
            return
        sent = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await inner(scope, replay, send)

    return app


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (hidden temporaries included) -> its bytes."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def credential_chain_env() -> dict[str, str]:
    """A child environment whose standard AWS credential chain yields exactly the test keys."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
