"""Speed of ``connect-contract check --operation all``: operations per minute, and the projection to 405.

The issue's budget: every Connect operation (405) checked against the built-in mock within 10 minutes
on a 2-core machine at default settings.  The built-in mock serves only UpdateParticipantAuthentication
until the mock helper's work (issue 11) lands, so by default this runs against **moto** (its ten
Connect operations, each on a freshly reset moto with three instances and ``--set`` ids, as
``tests/server/test_moto.py`` does); ``--endpoint URL --operation all`` points it at any server (e.g.
``connect-contract serve`` once it answers every operation).

The baseline, measured in the same run: the mission operation (UpdateParticipantAuthentication) checked
against the built-in mock at the same settings -- the speed the harness is tuned for.  Printed: seconds
and cases per operation, the ratio of an average operation to the baseline, and the projected wall time
for 405 operations against the 600 s budget.

    .venv/bin/python benchmarks/check_all_operations.py [--max-examples 100] [--seed 7]
    .venv/bin/python benchmarks/check_all_operations.py --endpoint http://127.0.0.1:4566 --operation all
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))  # moto_support: the same harness as the moto test

BUDGET_SECONDS = 600
CONNECT_OPERATIONS = 405


def baseline(max_examples: int, seed: int) -> tuple[float, int]:
    from connect_contract.mock import running_mock
    from connect_contract.server.runner import Settings, run

    with running_mock() as url:
        started = time.monotonic()
        result = run(Settings(endpoint=url, max_examples=max_examples, seed=seed))
        return time.monotonic() - started, result.cases


def against_moto(max_examples: int, seed: int) -> list[tuple[str, float, int, bool]]:
    from moto_support import MOTO_OPERATIONS, check_operation, running_moto

    from connect_contract.operations import load_service_operation

    rows = []
    with running_moto() as url:
        for name in MOTO_OPERATIONS:
            started = time.monotonic()
            result = check_operation(url, load_service_operation("connect", name), max_examples=max_examples, seed=seed)
            rows.append((name, time.monotonic() - started, result.cases, result.ok()))
    return rows


def against_endpoint(
    endpoint: str, service: str, selector: str, max_examples: int, seed: int
) -> list[tuple[str, float, int, bool]]:
    from connect_contract.operations import resolve_operations
    from connect_contract.server.runner import Settings, run

    rows = []
    for op in resolve_operations(service, selector):
        started = time.monotonic()
        result = run(Settings(endpoint=endpoint, operation=op, max_examples=max_examples, seed=seed))
        rows.append((op.name, time.monotonic() - started, result.cases, result.ok()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="Any server (default: moto_server with its ten Connect operations).")
    parser.add_argument("--service", default="connect")
    parser.add_argument("--operation", default="all", help="With --endpoint: NAME, all or a glob.")
    parser.add_argument("--max-examples", type=int, default=100, help="The CLI's default is 100.")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    base_seconds, base_cases = baseline(args.max_examples, args.seed)
    if args.endpoint:
        target = args.endpoint
        rows = against_endpoint(args.endpoint, args.service, args.operation, args.max_examples, args.seed)
    else:
        target = "moto_server (its ten Connect operations)"
        rows = against_moto(args.max_examples, args.seed)
    print(f"baseline: UpdateParticipantAuthentication on the built-in mock: {base_seconds:.2f} s, {base_cases} cases")
    print(f"target: {target}, --max-examples {args.max_examples}, seed {args.seed}\n")
    print(f"{'operation':<32} {'seconds':>8} {'cases':>6} {'x baseline':>10}  verdict")
    for name, seconds, cases, ok in rows:
        print(f"{name:<32} {seconds:8.2f} {cases:6d} {seconds / base_seconds:10.2f}  {'PASS' if ok else 'FAIL'}")
    per_operation = statistics.mean(seconds for _, seconds, _, _ in rows)
    projected = per_operation * CONNECT_OPERATIONS
    print(
        f"\n{len(rows)} operations in {sum(s for _, s, _, _ in rows):.1f} s: {per_operation:.2f} s per operation "
        f"({per_operation / base_seconds:.2f}x the baseline); {CONNECT_OPERATIONS} operations at this rate: "
        f"{projected:.0f} s ({projected / BUDGET_SECONDS:.2f}x the {BUDGET_SECONDS} s budget)"
    )


if __name__ == "__main__":
    main()
