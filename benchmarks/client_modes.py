"""Cost of one client vector in the plain one-shot protocol vs. the persistent JSON-lines mode.

For each built-in client (boto3, the AWS CLI, the JS SDK v3 and v2) the same vectors run through both modes of
the same adapter, in the same run, against the same scripted server code; rounds alternate the order
(one-shot first, then persistent first, ...) to spread machine noise.  Printed: seconds per vector in
each mode and the ratio one-shot / persistent (how much the persistent mode buys), then the wall time
of a full run of every built-in client (every vector, retry backoff included) in persistent mode.

    .venv/bin/python benchmarks/client_modes.py [--vectors 12] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

from connect_contract.client.adapters.builtin import BUILTIN, ClientSpec, builtin_client
from connect_contract.client.runner import run_clients, select_vectors


def seconds_per_vector(spec: ClientSpec, count: int) -> float:
    vectors = [v for v in select_vectors() if not v.isolated][:count]
    started = time.perf_counter()
    run = run_clients([spec], vectors)[0]
    elapsed = time.perf_counter() - started
    if run.failed():
        raise SystemExit(f"{spec.name}: vectors failed during the benchmark: {[j.vector.id for j in run.failed()]}")
    return elapsed / len(vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=int, default=12, help="vectors per mode and round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"{'client':8} {'one-shot s/vector':>18} {'persistent s/vector':>20} {'ratio':>8}")
    for name in BUILTIN:
        persistent = builtin_client(name)
        if persistent.unavailable:
            print(f"{name:8} skipped: {persistent.unavailable}")
            continue
        one_shot = ClientSpec(name, persistent.command, False, persistent.env)
        timings: dict[bool, list[float]] = {True: [], False: []}
        for round_number in range(args.rounds):
            order = (one_shot, persistent) if round_number % 2 == 0 else (persistent, one_shot)
            for spec in order:
                timings[spec.persistent].append(seconds_per_vector(spec, args.vectors))
        slow, fast = statistics.median(timings[False]), statistics.median(timings[True])
        print(f"{name:8} {slow:18.4f} {fast:20.4f} {slow / fast:7.1f}x")
    started = time.perf_counter()
    runs = run_clients([builtin_client(name) for name in BUILTIN])
    total = time.perf_counter() - started
    vectors = len(runs[0].judgements)
    print(f"full run, {len(runs)} clients x {vectors} vectors, persistent mode: {total:.1f}s wall")


if __name__ == "__main__":
    main()
