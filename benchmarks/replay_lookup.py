"""Cassette replay lookup: per-request cost with 10 and 10,000 recorded interactions across many operations.

    .venv/bin/python benchmarks/replay_lookup.py [--http]

Builds two synthetic cassette directories laid out per service and operation: interaction ``n`` is
the model-expanded request of one of the first 200 Connect operations (GET/POST/PUT/DELETE, labels,
query strings, bodies) with one distinguishing query value, so keys span methods, paths, queries
and bodies.  Then it measures, in one run:
- the replay server's lookup (canonical key from the raw request + dict lookup), in process;
- the whole replay ASGI app per request, in process (no sockets);
- optionally (--http) keep-alive HTTP requests to the replay server on uvicorn;
- the baseline: vcrpy's own matching (``Cassette.play_response`` with the same matcher), which
  scans every recorded interaction.
It prints each cost and the 10,000 / 10 ratio: flat (~1x) for the index, linear for vcrpy.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from vcr.cassette import Cassette
from vcr.request import Request
from vcr.serializers import yamlserializer

from connect_contract.cassettes.match import Matcher
from connect_contract.cassettes.record import cassette_dir, operation_metadata
from connect_contract.cassettes.replay_server import create_app
from connect_contract.cassettes.routing import service_router
from connect_contract.cassettes.scenarios import Scenario, scenarios_for
from connect_contract.operations import ServiceOperation, resolve_operations
from connect_contract.serving import serve_in_thread

SIZES = (10, 10_000)
OPERATIONS = 200


def _requests() -> list[tuple[ServiceOperation, Scenario]]:
    chosen = []
    for op in resolve_operations("connect", "all"):
        scenario = next((s for s in scenarios_for(op) if s.target is not None), None)
        if scenario is not None:
            chosen.append((op, scenario))
    return chosen[:OPERATIONS]


REQUESTS = _requests()


def request_for(n: int) -> tuple[str, str, bytes, str | None]:
    """(method, target, body, content type) of interaction ``n``."""
    _op, scenario = REQUESTS[n % len(REQUESTS)]
    assert scenario.target is not None and scenario.method is not None
    target = scenario.target + ("&" if "?" in scenario.target else "?") + f"bench={n}"
    return scenario.method, target, scenario.body, scenario.content_type


def build(directory: Path, size: int) -> None:
    """``size`` interactions, one cassette per operation (``<service>/<Operation>/bench.yaml``)."""
    per_op: dict[int, list[dict[str, Any]]] = {}
    for n in range(size):
        method, target, body, content_type = request_for(n)
        per_op.setdefault(n % len(REQUESTS), []).append(
            {
                "request": {
                    "body": body.decode(),
                    "headers": {"Content-Type": [content_type]} if content_type else {},
                    "method": method,
                    "uri": "http://127.0.0.1" + target,
                },
                "response": {
                    "body": {"string": "{}"},
                    "headers": {"content-type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        )
    for index, interactions in per_op.items():
        op = REQUESTS[index][0]
        path = cassette_dir(directory, op) / "bench.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"interactions": interactions, "version": 1, "metadata": {"operation": operation_metadata(op)}}
        path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper))


def probe(i: int, size: int) -> int:
    """The ``i``-th interaction to look up: the same mix of operations (the first 10) at every size, spread
    over the whole set, so only the number of recorded interactions differs between sizes."""
    rounds = max(1, size // len(REQUESTS))
    return (i % 10) + len(REQUESTS) * ((i // 10) % rounds) if size >= len(REQUESTS) else i % size


def per_call(function: Callable[[int], Any], calls: int, size: int, repeats: int = 5) -> float:
    """Median seconds per call over ``repeats`` runs of ``calls`` calls (after one warm-up run)."""
    for i in range(min(calls, 50)):
        function(probe(i, size))
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(calls):
            function(probe(i, size))
        timings.append((time.perf_counter() - start) / calls)
    return statistics.median(timings)


def index_lookup(app: Any) -> Callable[[int], Any]:
    def call(n: int) -> Any:
        method, target, body, content_type = request_for(n)
        answer = app.index.lookup(app.index.matcher.key(method, target, content_type, body))
        assert answer is not None
        return answer

    return call


def asgi_call(app: Any) -> Callable[[int], Any]:
    loop = asyncio.new_event_loop()

    def call(n: int) -> Any:
        method, target, body, content_type = request_for(n)
        headers = [(b"content-type", content_type.encode())] if content_type else []
        path, _, query = target.partition("?")
        sent: list[Any] = []
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Any:
            return messages.pop()

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": headers,
        }
        loop.run_until_complete(app(scope, receive, send))
        assert sent[0]["status"] == 200
        return sent

    return call


def http_call(url: str) -> tuple[Callable[[int], Any], http.client.HTTPConnection]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)

    def call(n: int) -> Any:
        method, target, body, content_type = request_for(n)
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        return answer

    return call, connection


def vcrpy_call(directory: Path) -> Callable[[int], Any]:
    """vcrpy's matcher over all interactions (one cassette holding them all, as vcrpy would)."""
    matcher = Matcher(service_router("connect")).vcr_matcher
    cassettes = [
        Cassette.load(
            path=str(p),
            serializer=yamlserializer,
            match_on=[lambda a, b: None if a.method == b.method else _fail(), matcher],
            allow_playback_repeats=True,
        )
        for p in sorted(directory.rglob("*.yaml"))
    ]
    big = cassettes[0]
    for other in cassettes[1:]:
        big.data.extend(other.data)

    def call(n: int) -> Any:
        method, target, body, content_type = request_for(n)
        headers = {"Content-Type": content_type} if content_type else {}
        return big.play_response(Request(method, "http://x" + target, body, headers))

    return call


def _fail() -> None:
    raise AssertionError("method differs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", action="store_true", help="also measure keep-alive HTTP to uvicorn")
    args = parser.parse_args()
    results: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            directory = Path(tmp) / str(size)
            directory.mkdir()
            build(directory, size)
            started = time.perf_counter()
            app = create_app(directory)
            load = time.perf_counter() - started
            print(f"{size:>6} interactions: replay server loaded and indexed in {load * 1000:.0f} ms")
            results.setdefault("index lookup (in process)", {})[size] = per_call(index_lookup(app), 2000, size)
            results.setdefault("replay ASGI app (in process)", {})[size] = per_call(asgi_call(app), 2000, size)
            if args.http:
                with serve_in_thread(app) as url:
                    call, connection = http_call(url)
                    results.setdefault("replay server over HTTP", {})[size] = per_call(call, 300, size, repeats=3)
                    connection.close()
            calls = 200 if size <= 100 else 5
            results.setdefault("baseline: vcrpy play_response", {})[size] = per_call(
                vcrpy_call(directory), calls, size, repeats=3
            )
    small, large = SIZES
    print(f"\n{'per request':<32} {small:>10} {large:>12}   ratio {large}/{small}")
    for name, timings in results.items():
        ratio = timings[large] / timings[small]
        print(f"{name:<32} {timings[small] * 1e6:>8.1f} us {timings[large] * 1e6:>10.1f} us   {ratio:>8.2f}x")
    index = results["index lookup (in process)"]
    vcr_ = results["baseline: vcrpy play_response"]
    print(f"\nat {large} interactions the index is {vcr_[large] / index[large]:,.0f}x faster than vcrpy's scan")
    limit = 1.5
    verdict = "OK" if index[large] / index[small] <= limit else "OVER"
    print(f"index lookup {large}/{small}: {index[large] / index[small]:.2f}x (limit {limit}x): {verdict}")


if __name__ == "__main__":
    main()
