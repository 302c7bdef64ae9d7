"""Throughput of the reference mock against a bare Starlette app, same machine, same run.

Both servers run as uvicorn subprocesses with the same flags (uvloop, httptools, one worker, no access
log) on 127.0.0.1.  A load generator in a third process (raw keep-alive HTTP/1.1 on asyncio/uvloop,
``concurrency`` connections each with one request in flight) drives each for a fixed time; runs are
interleaved (mock, bare, bare, mock, ...) to spread machine noise over both.  The mock runs with
validation, capture and request ids on (its defaults); the bare app returns ``{}`` without even
reading the body.  Printed: requests/second per server and concurrency, and the ratio mock/bare.

    .venv/bin/python benchmarks/mock_throughput.py [--duration 2] [--rounds 5] [--concurrency 1 16]
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
from typing import Any

import uvicorn

HOST = "127.0.0.1"
PATH = "/contact/update-participant-authentication"  # only for the bare app; the mock takes it from the model
BODY = json.dumps({"InstanceId": "instance-1", "State": "state-abc", "Code": "code-xyz"}).encode()


def bare_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def endpoint(request: Any) -> JSONResponse:
        return JSONResponse({})

    return Starlette(routes=[Route(PATH, endpoint, methods=["POST"])])


def mock_app() -> Any:
    from connect_contract.mock import create_app
    from connect_contract.model import load_operation

    assert load_operation().request_uri == PATH
    return create_app()


def serve(kind: str) -> None:
    """Child process: bind a free port, print it, serve until terminated."""
    app = mock_app() if kind in ("mock", "served") else bare_app()
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    settings: dict[str, Any] = {"http": "httptools"}
    if kind == "served":  # as `serve` runs it: h11 with the connection limits (see docs/benchmarks.md "Mock memory")
        from connect_contract.mock import ConnectionLimits

        settings = ConnectionLimits().uvicorn_settings()
    config = uvicorn.Config(app, loop="uvloop", workers=1, access_log=False, log_level="warning", **settings)
    uvicorn.Server(config).run(sockets=[sock])


class Connection(asyncio.Protocol):
    """One keep-alive connection that sends the next request as soon as a response is complete."""

    def __init__(self, request: bytes, stats: dict[str, int], deadline: float, done: asyncio.Future[None]) -> None:
        self.request, self.stats, self.deadline, self.done = request, stats, deadline, done
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:  # uvloop's transports are not asyncio.Transport
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            start = head.find(b"content-length:")
            length = int(head[start + 15 : head.find(b"\r\n", start) if head.find(b"\r\n", start) > 0 else None])
            if len(self.buffer) < end + 4 + length:
                return
            self.stats["ok" if head.startswith(b"http/1.1 200") else "errors"] += 1
            self.buffer = self.buffer[end + 4 + length :]
            if time.perf_counter() >= self.deadline:
                self.transport.close()
                return
            self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def drive(port: int, concurrency: int, duration: float, warmup: float) -> dict[str, Any]:
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    loop = asyncio.get_running_loop()
    results = []
    for phase_duration in (warmup, duration):
        stats = {"ok": 0, "errors": 0}
        started = time.perf_counter()
        deadline = started + phase_duration
        futures = []
        for _ in range(concurrency):
            done: asyncio.Future[None] = loop.create_future()
            await loop.create_connection(functools.partial(Connection, request, stats, deadline, done), HOST, port)
            futures.append(done)
        await asyncio.gather(*futures)
        results.append((stats, time.perf_counter() - started))
    stats, elapsed = results[-1]
    total = sum(phase["ok"] for phase, _ in results)
    errors = sum(phase["errors"] for phase, _ in results)
    return {"rps": stats["ok"] / elapsed, "ok": stats["ok"], "total": total, "errors": errors}


def load(port: int, concurrency: int, duration: float, warmup: float) -> None:
    """Child process: drive one server, print the result as JSON."""
    import uvloop

    print(json.dumps(uvloop.run(drive(port, concurrency, duration, warmup))), flush=True)


def start(kind: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, __file__, "_serve", kind], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    server: subprocess.Popen[str], port: int, concurrency: int, duration: float, warmup: float
) -> dict[str, Any]:
    """Requests/second over ``duration``, and the server's CPU time per request (less sensitive to noise)."""
    args = [sys.executable, __file__, "_load", str(port), str(concurrency), str(duration), str(warmup)]
    cpu_before = cpu_seconds(server.pid)
    output = subprocess.run(args, capture_output=True, text=True, check=True, timeout=duration * 10 + 60).stdout
    result: dict[str, Any] = json.loads(output)
    result["cpu_us"] = (cpu_seconds(server.pid) - cpu_before) / max(result["total"], 1) * 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=2.0, help="seconds measured per run (default 2)")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up per run (default 0.5)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are reported (default 5)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--served", action="store_true", help="run the mock as `serve` does (h11 + limits)")
    options = parser.parse_args()
    servers = {kind: start("served" if options.served and kind == "mock" else kind) for kind in ("mock", "bare")}
    figures: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    try:
        for round_index in range(options.rounds):
            order = ("mock", "bare") if round_index % 2 == 0 else ("bare", "mock")
            for concurrency in options.concurrency:
                for kind in order:
                    result = measure(*servers[kind], concurrency, options.duration, options.warmup)
                    if result["errors"] or not result["ok"]:
                        raise SystemExit(f"{kind} answered {result['errors']} non-200 responses: not a valid run")
                    figures.setdefault((kind, concurrency), []).append(result["rps"])
                    cpu.setdefault((kind, concurrency), []).append(result["cpu_us"])
                    print(
                        f"round {round_index + 1} c={concurrency:<3} {kind:<4} {result['rps']:9.0f} req/s"
                        f"  {result['cpu_us']:6.1f} us server CPU/request",
                        flush=True,
                    )
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {options.rounds} rounds x {options.duration:g} s")
    print(f"load average at the end (1/5/15 min): {load}  (other jobs on the machine add noise to req/s)")
    print(
        f"{'concurrency':>11}  {'mock req/s':>10}  {'bare req/s':>10}  {'mock/bare':>9}"
        f"  {'mock CPU/req':>12}  {'bare CPU/req':>12}  {'CPU ratio':>9}"
    )
    for concurrency in options.concurrency:
        mock, bare = figures[("mock", concurrency)], figures[("bare", concurrency)]
        # The ratio is the median of each round's own ratio: the two runs of a round are adjacent in time,
        # so slow drifts in machine load cancel out.
        ratio = statistics.median(m / b for m, b in zip(mock, bare, strict=True))
        mock_cpu = statistics.median(cpu[("mock", concurrency)])
        bare_cpu = statistics.median(cpu[("bare", concurrency)])
        # CPU ratio: the share of the bare app's throughput the mock keeps when the server is CPU-bound.
        print(
            f"{concurrency:>11}  {statistics.median(mock):>10.0f}  {statistics.median(bare):>10.0f}  {ratio:>9.2f}"
            f"  {mock_cpu:>10.1f}us  {bare_cpu:>10.1f}us  {bare_cpu / mock_cpu:>9.2f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_load":
        load(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
