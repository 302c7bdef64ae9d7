"""Memory of the reference mock under large request heads: h11 (what ``serve`` runs) against httptools.

Each server runs as a uvicorn subprocess on 127.0.0.1; its resident set (VmRSS) is read from /proc:

- idle, after a warm-up of small requests (the baseline of the same run);
- after ``--requests`` operation calls, each with a header of ``--header-bytes`` (default 60,000: just under
  the 64 KiB head limit, the largest request that gets in), each on a fresh connection;
- after 200 requests with a 2 MB header (refused with 431 where the head is limited);
- after ``POST /_mock/reset`` (the mock only).

Also printed, as it decides the parser too: the status a valid POST carrying ``Connection: Upgrade`` /
``Upgrade: websocket`` gets (the mock answers 200 when the body is read; httptools treats the body as the
upgraded protocol's bytes, so the mock sees an empty body and answers 400).

Servers: the mock as ``serve`` runs it (h11 + ConnectionLimits), the same mock app on httptools, and a bare
ASGI app (answers ``{}``, keeps nothing) on each parser -- which tells a parser's own growth from the mock's.
Printed: MB per stage and growth over idle; the run fails (exit 1) if the served mock grows more than 50 MB.

    .venv/bin/python benchmarks/mock_memory.py [--requests 1000] [--header-bytes 60000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import time
from typing import Any

HOST = "127.0.0.1"
PATH = "/contact/update-participant-authentication"
BODY = json.dumps({"InstanceId": "instance-1", "State": "state-abc", "Code": "code-xyz"}).encode()
BOUND_MB = 50.0
SERVERS = [("mock", "served"), ("mock", "httptools"), ("bare", "h11"), ("bare", "httptools")]


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


def serve(kind: str, parser: str) -> None:
    """Child process: bind a free port, print it, serve until killed."""
    import uvicorn

    from connect_contract.mock import ConnectionLimits, create_app

    settings: dict[str, Any] = {"http": parser, "ws": "none"}
    if parser == "served":
        settings = ConnectionLimits().uvicorn_settings()
    elif parser == "h11":
        settings["h11_max_incomplete_event_size"] = ConnectionLimits().max_header_bytes
    app = create_app() if kind == "mock" else bare_app
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, access_log=False, log_level="critical", lifespan="off", **settings)
    uvicorn.Server(config).run(sockets=[sock])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} is gone")


def call(port: int, extra_header: bytes = b"", path: str = PATH, body: bytes = BODY) -> int:
    """One request on a fresh connection; the response status (0 if the server cut the connection)."""
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with socket.create_connection((HOST, port), timeout=30) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head.encode() + extra_header + b"\r\n" + body)
        try:
            answer = sock.recv(64)
        except ConnectionResetError:
            return 0
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def measure(kind: str, parser: str, requests: int, header_bytes: int) -> dict[str, Any]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, parser], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        for _ in range(50):
            call(port)
        time.sleep(0.2)
        row: dict[str, Any] = {"server": f"{kind}/{parser}", "idle": rss_mb(child.pid)}
        statuses: set[int] = set()
        for _ in range(requests):
            statuses.add(call(port, b"X-Big: " + b"a" * header_bytes + b"\r\n"))
        row["large"], row["large_status"] = rss_mb(child.pid), sorted(statuses)
        statuses = set()
        for _ in range(200):
            statuses.add(call(port, b"X-Huge: " + b"a" * 2_000_000 + b"\r\n"))
        row["huge"], row["huge_status"] = rss_mb(child.pid), sorted(statuses)
        # Not memory, but the other fact that decides the parser: is a POST carrying Upgrade served whole?
        row["upgrade"] = call(port, b"Connection: Upgrade\r\nUpgrade: websocket\r\n")
        if kind == "mock":
            call(port, path="/_mock/reset", body=b"")
            row["reset"] = rss_mb(child.pid)
        return row
    finally:
        child.kill()
        child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--header-bytes", type=int, default=60_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve(*args.child)
        return 0
    print(f"{args.requests} calls with a {args.header_bytes:,}-byte header, then 200 with a 2 MB header")
    print(
        f"{'server':<16} {'idle MB':>8} {'large +MB':>10} {'2MB +MB':>9} {'reset +MB':>10}"
        "  statuses (large; 2MB; a POST with Upgrade)"
    )
    failed = False
    for kind, http in SERVERS:
        row = measure(kind, http, args.requests, args.header_bytes)
        idle = row["idle"]
        reset = f"{row['reset'] - idle:+10.1f}" if "reset" in row else f"{'-':>10}"
        print(
            f"{row['server']:<16} {idle:8.1f} {row['large'] - idle:+10.1f} {row['huge'] - idle:+9.1f} {reset}"
            f"  {row['large_status']}; {row['huge_status']}; {row['upgrade']}",
            flush=True,
        )
        if http == "served" and max(row["large"], row["huge"]) - idle > BOUND_MB:
            failed = True
    print(f"bound: the served mock within {BOUND_MB:g} MB of its idle figure: {'FAILED' if failed else 'held'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
