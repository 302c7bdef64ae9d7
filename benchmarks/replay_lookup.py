"""Cassette replay lookup: per-request cost with 10 and 10,000 recorded interactions.

    .venv/bin/python benchmarks/replay_lookup.py [--http]

Builds two synthetic cassette directories (same request shape, distinct InstanceId values), then
measures, in one run:
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
import json
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

from connect_contract.cassettes.match import contract_body, request_key
from connect_contract.cassettes.replay_server import create_app
from connect_contract.model import load_operation
from connect_contract.serving import serve_in_thread

OP = load_operation()
SIZES = (10, 10_000)
PER_FILE = 500


def body_for(n: int) -> bytes:
    return json.dumps({m.name: f"bench-{m.name}-{n}" for m in OP.required_members}).encode()


def build(directory: Path, size: int) -> None:
    """``size`` interactions spread over files of at most PER_FILE each."""
    for start in range(0, size, PER_FILE):
        interactions = [
            {
                "request": {
                    "body": body_for(n).decode(),
                    "headers": {"Content-Type": ["application/json"]},
                    "method": OP.http_method,
                    "uri": "http://127.0.0.1" + OP.request_uri,
                },
                "response": {
                    "body": {"string": "{}"},
                    "headers": {"content-type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
            for n in range(start, min(size, start + PER_FILE))
        ]
        text = yaml.dump({"interactions": interactions, "version": 1}, Dumper=yaml.CSafeDumper)
        (directory / f"part-{start:06d}.yaml").write_text(text)


def per_call(function: Callable[[int], Any], calls: int, size: int, repeats: int = 5) -> float:
    """Median seconds per call over ``repeats`` runs of ``calls`` calls (keys spread over the set)."""
    step = max(1, size // calls)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(calls):
            function((i * step) % size)
        timings.append((time.perf_counter() - start) / calls)
    return statistics.median(timings)


def index_lookup(app: Any) -> Callable[[int], Any]:
    def call(n: int) -> Any:
        answer = app.index.lookup(request_key(OP.http_method, OP.request_uri, "application/json", body_for(n)))
        assert answer is not None
        return answer

    return call


def asgi_call(app: Any) -> Callable[[int], Any]:
    loop = asyncio.new_event_loop()
    headers = [(b"content-type", b"application/json")]

    def call(n: int) -> Any:
        sent: list[Any] = []
        messages = [{"type": "http.request", "body": body_for(n), "more_body": False}]

        async def receive() -> Any:
            return messages.pop()

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "method": OP.http_method, "path": OP.request_uri, "headers": headers}
        loop.run_until_complete(app(scope, receive, send))
        assert sent[0]["status"] == 200
        return sent

    return call


def http_call(url: str) -> tuple[Callable[[int], Any], http.client.HTTPConnection]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)

    def call(n: int) -> Any:
        headers = {"Content-Type": "application/json"}
        connection.request(OP.http_method, OP.request_uri, body=body_for(n), headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        return answer

    return call, connection


def vcrpy_call(directory: Path) -> Callable[[int], Any]:
    """vcrpy's matcher over all interactions (one cassette holding them all, as vcrpy would)."""
    cassettes = [
        Cassette.load(
            path=str(p),
            serializer=yamlserializer,
            match_on=[lambda a, b: None if a.method == b.method else _fail(), contract_body],
            allow_playback_repeats=True,
        )
        for p in sorted(directory.glob("*.yaml"))
    ]
    big = cassettes[0]
    for other in cassettes[1:]:
        big.data.extend(other.data)

    def call(n: int) -> Any:
        headers = {"Content-Type": "application/json"}
        request = Request(OP.http_method, "http://x" + OP.request_uri, body_for(n), headers)
        return big.play_response(request)

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


if __name__ == "__main__":
    main()
