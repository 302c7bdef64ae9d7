"""Wall time of the covering set (check-client --covering-set) per built-in client, persistent mode.

For boto3, the AWS CLI and the JS SDK v3, one client at a time (the machine is shared): first the mission
operation's ordinary vectors alone (the baseline rate, vectors per second, measured in the same run), then the
whole covering set (every operation, retry vectors included).  Printed: the covering set's wall time (the
goal is at most 120 s per client), its vector count, its rate, and the rate's ratio to the baseline rate; first,
how many (location x type) pairs the set exercises and how many it leaves out (covering.py).

    .venv/bin/python benchmarks/client_covering_set.py [--client boto3 ...]
"""

from __future__ import annotations

import argparse
import time

from connect_contract.client.adapters.builtin import DEFAULT_CLIENTS, builtin_client
from connect_contract.client.covering import UNCOVERED, coverage, covering_operations
from connect_contract.client.runner import run_clients, vectors_for

GOAL_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", action="append", choices=DEFAULT_CLIENTS, help="default: all three")
    args = parser.parse_args()
    mission = [v for v in vectors_for() if not v.isolated]
    covering = vectors_for(covering_operations())
    print(f"covering set: {len(covering_operations())} operations, {len(covering)} vectors")
    print(f"(location x type) pairs exercised: {len(coverage())}, left out: {len(UNCOVERED)}")
    header = f"{'client':7} {'baseline v/s':>12} {'covering s':>10} {'vectors':>8} {'v/s':>7} {'ratio':>6} {'goal':>5}"
    print(header)
    for name in args.client or DEFAULT_CLIENTS:
        spec = builtin_client(name)
        if spec.unavailable:
            print(f"{name:7} cannot run: {spec.unavailable}")
            continue
        started = time.perf_counter()
        run_clients([spec], mission)
        baseline = len(mission) / (time.perf_counter() - started)
        started = time.perf_counter()
        run = run_clients([spec], covering)[0]
        wall = time.perf_counter() - started
        rate = len(covering) / wall
        failed = len(run.failed())
        verdict = "ok" if wall <= GOAL_SECONDS else "SLOW"
        print(
            f"{name:7} {baseline:12.1f} {wall:10.1f} {len(covering):8} {rate:7.1f} {rate / baseline:6.2f} {verdict:>5}"
        )
        if failed:
            print(f"        {failed} required vector(s) failed: {[j.vector.id for j in run.failed()][:5]}")


if __name__ == "__main__":
    main()
