"""Speed of the any-operation mock, as ratios against baselines measured in the same run.

Four figures, all on the server stack `serve` uses (uvicorn + uvloop, h11 with the connection limits,
one worker, no access log; see docs/benchmarks.md "Mock memory" for why h11), each server a subprocess on 127.0.0.1
driven by keep-alive HTTP/1.1 connections from a third process (``mock_throughput.Connection``):

1. label/mission: ``GET /instance/{InstanceId}`` (DescribeInstance: a URI label and a synthetic output)
   ÷ ``POST /contact/update-participant-authentication`` (the mission operation), on one mock serving
   all of Connect (goal ≥ 0.9);
2. routes 405/1: DescribeInstance on the mock serving all 405 Connect routes ÷ on a mock whose router
   holds that one route (goal ≥ 0.95);
3. mock/bare: the mission operation on the mock ÷ a bare Starlette app answering ``{}`` on the same h11
   stack (goal ≥ 0.95), at concurrency 16; once as ``mock_throughput.py`` has it (the bare app never
   reads the body) and once with a bare app that reads it, as any implementation of the operation must;
4. start-up: ``connect-contract serve --port 0`` with all of Connect compiled, from spawn to the URL on
   stdout (goal ≤ 1.5 s; median of 3).

Throughput is requests/second (median of each round's ratio; rounds interleave the servers) and the
server's CPU time per request from /proc (less sensitive to other load on the machine).

    .venv/bin/python benchmarks/mock_anyop_speed.py [--rounds 5] [--duration 2] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mock_throughput import Connection, cpu_seconds

HOST = "127.0.0.1"
MISSION = (
    "POST",
    "/contact/update-participant-authentication",
    json.dumps({"InstanceId": "instance-1", "State": "state-abc", "Code": "code-xyz"}).encode(),
)
LABEL = ("GET", "/instance/instance-1", b"")
ROOT = Path(__file__).resolve().parents[1]


def bare_app(read_body: bool = False) -> Any:
    """A Starlette app answering ``{}`` (``read_body``: after reading the request body, as the mock must)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def endpoint(request: Any) -> JSONResponse:
        if read_body:
            await request.body()
        return JSONResponse({})

    return Starlette(routes=[Route(MISSION[1], endpoint, methods=["POST"])])


def one_route_app() -> Any:
    """The same mock, its router holding DescribeInstance only (every other route answers 404)."""
    from connect_contract.mock import create_app
    from connect_contract.mock.routing import Router
    from connect_contract.operations import load_service_operation

    app = create_app()
    app.router = Router([load_service_operation("connect", "DescribeInstance")])
    return app


def serve(kind: str) -> None:
    """Child process: bind a free port, print it, serve until terminated."""
    from connect_contract.mock import ConnectionLimits, create_app

    makers = {"mock": create_app, "one-route": one_route_app, "bare": bare_app, "bare-read": lambda: bare_app(True)}
    app = makers[kind]()
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    settings = ConnectionLimits().uvicorn_settings()
    config = uvicorn.Config(app, loop="uvloop", workers=1, access_log=False, log_level="warning", **settings)
    uvicorn.Server(config).run(sockets=[sock])


async def drive(port: int, request: bytes, concurrency: int, duration: float, warmup: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    results = []
    for phase in (warmup, duration):
        stats = {"ok": 0, "errors": 0}
        started = time.perf_counter()
        futures = []
        for _ in range(concurrency):
            done: asyncio.Future[None] = loop.create_future()
            factory = functools.partial(Connection, request, stats, started + phase, done)
            await loop.create_connection(factory, HOST, port)
            futures.append(done)
        await asyncio.gather(*futures)
        results.append((stats, time.perf_counter() - started))
    stats, elapsed = results[-1]
    return {
        "rps": stats["ok"] / elapsed,
        "total": sum(s["ok"] for s, _ in results),
        "errors": sum(s["errors"] for s, _ in results),
    }


def load(port: int, which: str, concurrency: int, duration: float, warmup: float) -> None:
    import uvloop

    method, path, body = {"mission": MISSION, "label": LABEL}[which]
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    request = (head + "\r\n").encode() + body
    print(json.dumps(uvloop.run(drive(port, request, concurrency, duration, warmup))), flush=True)


def start(kind: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, __file__, "_serve", kind], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


def measure(server: tuple[subprocess.Popen[str], int], which: str, options: argparse.Namespace) -> dict[str, Any]:
    process, port = server
    args = [sys.executable, __file__, "_load", str(port), which]
    args += [str(options.concurrency), str(options.duration), str(options.warmup)]
    before = cpu_seconds(process.pid)
    output = subprocess.run(args, capture_output=True, text=True, check=True, timeout=options.duration * 10 + 60)
    result: dict[str, Any] = json.loads(output.stdout)
    if result["errors"] or not result["total"]:
        raise SystemExit(f"{which} on port {port}: {result['errors']} non-200 answers: not a valid run")
    result["cpu_us"] = (cpu_seconds(process.pid) - before) / result["total"] * 1e6
    return result


def startup_seconds() -> float:
    command = [str(ROOT / ".venv" / "bin" / "connect-contract"), "serve", "--port", "0"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait(timeout=10)
    if not line.startswith("http://"):
        raise SystemExit("serve did not print its URL")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    # (label, server kind, request kind); the pairs compared share a round.
    runs = {
        "mission@mock": ("mock", "mission"),
        "label@mock": ("mock", "label"),
        "label@one-route": ("one-route", "label"),
        "mission@bare": ("bare", "mission"),
        "mission@bare-read": ("bare-read", "mission"),
    }
    servers = {kind: start(kind) for kind in ("mock", "one-route", "bare", "bare-read")}
    rps: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    try:
        for index in range(options.rounds):
            order = list(runs) if index % 2 == 0 else list(reversed(runs))
            for name in order:
                kind, which = runs[name]
                result = measure(servers[kind], which, options)
                rps[name].append(result["rps"])
                cpu[name].append(result["cpu_us"])
                print(f"round {index + 1} {name:<16} {result['rps']:8.0f} req/s {result['cpu_us']:7.1f} us CPU/req")
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)
    startups = sorted(startup_seconds() for _ in range(3))

    def ratio(top: str, bottom: str) -> tuple[float, float]:
        per_round = statistics.median(a / b for a, b in zip(rps[top], rps[bottom], strict=True))
        return per_round, statistics.median(cpu[bottom]) / statistics.median(cpu[top])

    load_avg = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {options.rounds} rounds x {options.duration:g} s")
    print(f"c{options.concurrency}, load average at the end: {load_avg}")
    print(f"{'figure':<34} {'req/s ratio':>11} {'CPU ratio':>9}  goal")
    for label, top, bottom, goal in (
        ("label op / mission op", "label@mock", "mission@mock", 0.9),
        ("405 routes / 1 route", "label@mock", "label@one-route", 0.95),
        ("mock / bare Starlette (h11)", "mission@mock", "mission@bare", 0.95),
        ("mock / bare reading the body (h11)", "mission@mock", "mission@bare-read", 0.95),
    ):
        by_rps, by_cpu = ratio(top, bottom)
        print(f"{label:<34} {by_rps:>11.2f} {by_cpu:>9.2f}  >= {goal}")
    for name in runs:
        print(f"  {name:<16} median {statistics.median(rps[name]):8.0f} req/s {statistics.median(cpu[name]):7.1f} us")
    print(f"{'serve start-up, all of Connect':<34} {startups[1]:>10.2f}s {'':>9}  <= 1.5 s  (runs: {startups})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_load":
        load(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
    else:
        main()
