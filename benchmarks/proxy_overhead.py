"""Proxy overhead: median added latency per exchange on loopback, against direct calls in the same run.

    .venv/bin/python benchmarks/proxy_overhead.py [--calls N]

Starts the reference mock (``connect-contract serve``) and the any-operation test upstream, each in
its own process, and a ``connect-contract proxy`` in front of each (as users run it, ``--quiet``).
A keep-alive ``requests`` session then sends the same requests directly and through the proxy,
interleaved (direct, proxied, direct, ...) so machine noise hits both alike.  Prints the medians,
the difference and the ratio, and whether the added median stays within 2 ms.  Two exchanges:
the mission operation (JSON body, a sensitive member) and ListInstances (GET with a query string,
a JSON output with nested sensitive members).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
LIMIT_MS = 2.0
UPSTREAM_SCRIPT = """
import sys, uvicorn
sys.path.insert(0, sys.argv[1])
from anyop_upstream import AnyOperationUpstream
from connect_contract.mock.cli import _bind
sock = _bind("127.0.0.1", 0)
print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
uvicorn.Server(uvicorn.Config(AnyOperationUpstream(), log_level="warning", lifespan="off")).run(sockets=[sock])
"""


@contextmanager
def process(*command: str) -> Iterator[str]:
    """Run a server process that prints its URL first; yields the URL."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    try:
        assert url.startswith("http://"), f"{command[:4]} did not start"
        yield url
    finally:
        child.terminate()
        child.wait(timeout=30)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "connect_contract", *args]


def _signature(method: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    from botocore.credentials import Credentials

    from connect_contract.sigv4 import sign

    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")  # AWS's documented example
    return sign(method, url, body, headers, credentials, region="us-east-1", service="connect")


def measure(
    session: requests.Session, direct: str, proxied: str, method: str, target: str, body: bytes | None, calls: int
) -> tuple[float, float]:
    plain = {"Content-Type": "application/json"} if body else {}
    # Signed once per endpoint, as a client would (an unsigned request fails req.sigv4 and gets a live line).
    headers = {base: {**plain, **_signature(method, base + target, body or b"", plain)} for base in (direct, proxied)}
    for base in (direct, proxied):  # warm up: connections, caches, first contract load
        for _ in range(20):
            session.request(method, base + target, data=body, headers=headers[base], timeout=10)
    timings: dict[str, list[float]] = {direct: [], proxied: []}
    for _ in range(calls):
        for base in (direct, proxied):
            started = time.perf_counter()
            answer = session.request(method, base + target, data=body, headers=headers[base], timeout=10)
            timings[base].append(time.perf_counter() - started)
            assert answer.status_code < 500, answer.status_code
    return statistics.median(timings[direct]), statistics.median(timings[proxied])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    exchanges = [
        (
            "UpdateParticipantAuthentication",
            "mock",
            "POST",
            "/contact/update-participant-authentication",
            b'{"InstanceId": "i-1", "State": "s-1", "Code": "secret-code-1"}',
        ),
        ("ListInstances", "anyop", "GET", "/instance?maxResults=5&nextToken=contract-next-token", None),
    ]
    results = []
    with (
        process(*cli("serve", "--port", "0")) as mock,
        process(sys.executable, "-c", UPSTREAM_SCRIPT, str(REPO / "tests" / "proxy")) as anyop,
        process(*cli("proxy", "--upstream", mock, "--port", "0", "--quiet")) as to_mock,
        process(*cli("proxy", "--upstream", anyop, "--port", "0", "--quiet")) as to_anyop,
        requests.Session() as session,
    ):
        ends = {"mock": (mock, to_mock), "anyop": (anyop, to_anyop)}
        for name, upstream, method, target, body in exchanges:
            direct, proxied = ends[upstream]
            results.append((name, *measure(session, direct, proxied, method, target, body, args.calls)))
    print(f"{'exchange':<34} {'direct':>10} {'proxied':>10} {'added':>10} {'ratio':>7}")
    worst = 0.0
    for name, direct_s, proxied_s in results:
        added = (proxied_s - direct_s) * 1000
        worst = max(worst, added)
        print(
            f"{name:<34} {direct_s * 1000:>7.2f} ms {proxied_s * 1000:>7.2f} ms {added:>7.2f} ms "
            f"{proxied_s / direct_s:>6.2f}x"
        )
    print(
        f"\nmedian added per exchange: at most {worst:.2f} ms (limit {LIMIT_MS} ms): "
        f"{'OK' if worst <= LIMIT_MS else 'OVER'}  ({args.calls} calls each, interleaved)"
    )


if __name__ == "__main__":
    main()
