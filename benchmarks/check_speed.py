"""Speed of ``connect-contract check`` against plain ``st run``: same fragment, same server, same run.

The server is the reference mock on a uvicorn subprocess (uvloop, httptools) on 127.0.0.1.  Both
tools run as subprocesses with the same seed, ``--max-examples`` and phases (examples, coverage,
fuzzing), interleaved round by round so machine noise hits both.  ``st run`` gets the unmodified
``contracts/openapi.json`` and its default checks, with ``--continue-on-failure`` (its built-in
checks flag the mock's unmodeled-but-legitimate ``SerializationException``, and without the flag it
stops after two cases); ``connect-contract check`` runs its vectors, its
generated cases and its own checks.  The mock counts the requests it received (``/_mock/requests``,
reset before each run), so "cases" means requests that reached the server for both tools.

Printed per tool (medians over the rounds): requests, wall time of the whole process (start-up
included) and requests/second, then the ratio check/st.

    .venv/bin/python benchmarks/check_speed.py [--rounds 3] [--max-examples 100] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# Each tool's own timing of its test run (start-up excluded), from its summary line.
ENGINE_TIME = {"connect-contract check": re.compile(r" in ([\d.]+) s \("), "st run": re.compile(r" in ([\d.]+)s =+")}


def serve() -> None:
    """Child process: the mock on a free port (printed), until terminated."""
    import uvicorn

    from connect_contract.mock import MockConfig, create_app

    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    app = create_app(MockConfig(capture_limit=100_000))
    config = uvicorn.Config(app, loop="uvloop", http="httptools", access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def control(url: str, method: str, path: str) -> dict[str, object]:
    request = urllib.request.Request(url + path, data=b"" if method == "POST" else None, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert server.stdout is not None
    url = f"http://{HOST}:{server.stdout.readline().strip()}"
    scratch = Path(tempfile.mkdtemp(prefix="check-speed-"))  # no schemathesis.toml is discovered here
    env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    n, seed = str(args.max_examples), str(args.seed)
    check_cmd = [str(BIN / "connect-contract"), "check", "--endpoint", url, "--max-examples", n, "--seed", seed]
    phases = ["--phases", "examples,coverage,fuzzing", "--continue-on-failure", "--no-color"]
    st_cmd = [
        str(BIN / "st"),
        "run",
        str(ROOT / "contracts/openapi.json"),
        "--url",
        url,
        "-n",
        n,
        "--seed",
        seed,
        *phases,
    ]
    commands = {"connect-contract check": check_cmd, "st run": st_cmd}
    samples: dict[str, list[tuple[int, float, float]]] = {name: [] for name in commands}
    try:
        for _ in range(args.rounds):
            for name, command in commands.items():
                control(url, "POST", "/_mock/reset")
                wall, result = timed(command, env, scratch)
                seen = len(control(url, "GET", "/_mock/requests")["requests"])  # type: ignore[arg-type]
                if result.returncode not in (0, 1):
                    raise SystemExit(f"{name} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr}")
                engine = ENGINE_TIME[name].search(result.stdout)
                if engine is None:
                    raise SystemExit(f"no timing in the output of {name}:\n{result.stdout[-2000:]}")
                samples[name].append((seen, wall, float(engine[1])))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"mock on a uvicorn subprocess; --max-examples {n}, seed {seed}, {args.rounds} interleaved rounds (medians)")
    print(f"{'tool':24} {'requests':>9} {'wall s':>8} {'req/s (wall)':>13} {'run s':>7} {'req/s (run)':>12}")
    wall_rates, run_rates = {}, {}
    for name, runs in samples.items():
        wall_rates[name] = statistics.median(r / w for r, w, _ in runs)
        run_rates[name] = statistics.median(r / e for r, _, e in runs)
        requests = statistics.median(r for r, _, _ in runs)
        wall = statistics.median(w for _, w, _ in runs)
        engine = statistics.median(e for _, _, e in runs)
        print(
            f"{name:24} {requests:>9.0f} {wall:>8.2f} {wall_rates[name]:>13.0f} {engine:>7.2f} {run_rates[name]:>12.0f}"
        )
    check, st = "connect-contract check", "st run"
    print(f"ratio check / st, requests per second: whole process {wall_rates[check] / wall_rates[st]:.2f}x, ", end="")
    print(f"test run only {run_rates[check] / run_rates[st]:.2f}x")


if __name__ == "__main__":
    main()
