"""Hostile input to the ``/_mock`` control routes never gets a 5xx: it gets a typed 4xx that names the problem.

The mock runs in-process (its ASGI app behind httpx's ASGITransport), so a few hundred examples take a few
seconds.  CONNECT_CONTRACT_FUZZ_EXAMPLES raises the count for a soak (the issue's bar: 5,000 cases, 0 x 5xx).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.mock import create_app
from connect_contract.mock import responses as r
from connect_contract.mock.faults import MAX_COUNT
from connect_contract.model import load_operation

OP = load_operation()
EXAMPLES = int(os.environ.get("CONNECT_CONTRACT_FUZZ_EXAMPLES", "300"))
ROUTES = ["sessions", "faults", "reset", "requests", "sessions/", "nope", ""]
FAULT_KEYS = ["error", "message", "status", "headers", "body", "count", "delay_ms", "Reason", "Surprise"]
ERROR_NAMES = [*OP.error_names, "NoSuchError"]

# Text with lone surrogates too: json.dumps writes them as "\ud800" escapes, which json.loads turns back into them.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | any_text
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4)
)
fault_values: dict[str, st.SearchStrategy[Any]] = {
    "error": st.sampled_from(ERROR_NAMES) | documents,
    "status": st.integers(0, 700) | documents,
    "count": st.integers(-1, MAX_COUNT + 1) | documents,
    "delay_ms": st.integers(-1, 5) | documents,  # kept short: a delay is really waited on the operation call
    "headers": st.dictionaries(any_text, any_text | documents, max_size=3) | documents,
}
faults = st.dictionaries(st.sampled_from(FAULT_KEYS), st.deferred(lambda: documents), max_size=4).flatmap(
    lambda spec: st.fixed_dictionaries({k: fault_values.get(k, st.just(v)) for k, v in spec.items()})
)
sessions = st.fixed_dictionaries({"InstanceId": documents}) | documents
json_bodies = st.one_of(faults, st.lists(faults, max_size=3), sessions).map(lambda doc: json.dumps(doc).encode())
depths = st.sampled_from([2, 900, 999, 1000, 5000]) | st.integers(1, 5000)
nested = st.tuples(st.sampled_from([b"[", b'{"a":', b'{"InstanceId":']), depths).map(lambda p: p[0] * p[1])
surrogate_faults = st.sampled_from(
    [b'{"body": "\\ud800"}', b'{"error": "InvalidRequestException", "message": "\\udc00"}']
)
bodies = json_bodies | nested | st.binary(max_size=64) | surrogate_faults | st.sampled_from([b"", b"NaN", b"1e999999"])
# Most calls post to the two routes that take a document; the rest try every method on every route.
requests = st.tuples(st.just("POST"), st.sampled_from(["sessions", "faults"]), bodies) | st.tuples(
    st.sampled_from(["GET", "POST", "DELETE", "PUT"]), st.sampled_from(ROUTES), bodies
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def assert_typed(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers.get(ERROR_TYPE_HEADER), what
        assert response.headers.get(REQUEST_ID_HEADER), what
        assert isinstance(json.loads(response.content)["Message"], str), what


async def exchange(calls: list[tuple[str, str, bytes]]) -> None:
    app = create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
        for method, route, body in calls:
            what = f"{method} /_mock/{route} {body[:120]!r}"
            assert_typed(await client.request(method, f"/_mock/{route}", content=body), what)
            # Whatever the control routes accepted, the operation still answers without a mock failure
            # (an injected raw fault may legitimately be a 5xx: it is what was asked for).
            answer = await client.post(OP.request_uri, json={}, headers={"content-type": "application/json"})
            assert answer.headers.get(ERROR_TYPE_HEADER) != r.MOCK_FAILURE, what


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(calls=st.lists(requests, min_size=1, max_size=4))
def test_control_routes_never_answer_a_5xx(
    loop: asyncio.AbstractEventLoop, calls: list[tuple[str, str, bytes]]
) -> None:
    loop.run_until_complete(exchange(calls))


@pytest.mark.parametrize("route", ["sessions", "faults"])
@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json_is_a_control_error(loop: asyncio.AbstractEventLoop, route: str, opening: bytes) -> None:
    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://m") as client:
            return await client.post(f"/_mock/{route}", content=opening * 1000)

    response = loop.run_until_complete(post())
    assert (response.status_code, response.headers[ERROR_TYPE_HEADER]) == (400, r.CONTROL_ERROR)
    assert "nested too deeply" in response.json()["Message"]


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        (b'{"status": 500, "body": "\\ud800"}', "'body' holds a lone surrogate"),
        (b'{"error": "InvalidRequestException", "message": "x\\udfff"}', "'message'"),
    ],
    ids=["raw-body", "error-message"],
)
def test_lone_surrogates_are_a_control_error(loop: asyncio.AbstractEventLoop, spec: bytes, named: str) -> None:
    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://m") as client:
            return await client.post("/_mock/faults", content=spec)

    response = loop.run_until_complete(post())
    assert (response.status_code, response.headers[ERROR_TYPE_HEADER]) == (400, r.CONTROL_ERROR)
    assert named in response.json()["Message"]
