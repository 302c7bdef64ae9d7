"""Speed of ``connect-contract check --operation all`` against the built-in mock: one process vs. workers.

The issue's budget: every Connect operation (405) checked against the built-in mock within 600 s on a
2-core machine at default settings.  This runs the real command line twice in the same run, on the
same operations with the same seed -- ``--jobs 1`` (one process, the baseline) and the default
(``--jobs`` = one worker per core) -- and prints for each the wall seconds, seconds per operation, the
CPU seconds it used (all processes), the ratio to the baseline and the projection to every operation
of the service against the budget.  The load average is printed before and after each run: on a
shared machine the wall times mean little without it.

It also compares the two runs' JUnit and Markdown reports (wall times masked): they must be equal.

By default every operation is checked (``--operation all``); ``--sample K`` checks a deterministic
sample instead, ``--shard 1/K`` (every K-th operation by name), and projects from it.

    .venv/bin/python benchmarks/check_all_operations.py                 # all 405, --jobs 1 and default
    .venv/bin/python benchmarks/check_all_operations.py --sample 10     # 41 operations, projected
    .venv/bin/python benchmarks/check_all_operations.py --runs default  # the default only (no baseline)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BUDGET_SECONDS = 600


@dataclass
class Measured:
    label: str
    jobs: int  # worker processes (1: the sequential run)
    operations: int
    seconds: float
    cpu_seconds: float
    exit_code: int
    load_before: float
    load_after: float
    reports: tuple[str, str]
    summary: str


def untimed(text: str) -> str:
    text = re.sub(r"in [0-9.]+ s \([0-9.]+ cases/s\)", "in T s", text)
    text = re.sub(r'time="[0-9.]+"', 'time="T"', text)
    return re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:PORT", text)  # each run starts its own mock


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(label: str, jobs: str | None, selection: list[str], seed: int, max_examples: int, folder: Path) -> Measured:
    xml, md = folder / f"{label}.xml", folder / f"{label}.md"
    command = [str(Path(sys.executable).parent / "connect-contract"), "check", *selection, "--seed", str(seed)]
    command += ["--max-examples", str(max_examples), "--junitxml", str(xml), "--report", str(md)]
    command += ["--jobs", jobs] if jobs else []
    load_before = os.getloadavg()[0]
    cpu_before = children_cpu()
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    seconds = time.monotonic() - started
    cpu = children_cpu() - cpu_before
    summary = [line for line in done.stdout.splitlines() if "operations passed" in line]
    if not summary:
        raise SystemExit(f"{label}: no summary (exit {done.returncode})\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    counted = re.search(r"of (\d+) operations", summary[-1])
    operations = int(counted.group(1)) if counted else 0
    reports = (untimed(xml.read_text(encoding="utf-8")), untimed(md.read_text(encoding="utf-8")))
    workers = int(jobs) if jobs else os.cpu_count() or 1
    load_after = os.getloadavg()[0]
    loads = (load_before, load_after)
    return Measured(label, workers, operations, seconds, cpu, done.returncode, *loads, reports, summary[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", default="connect")
    parser.add_argument("--sample", type=int, metavar="K", help="Check every K-th operation by name (--shard 1/K).")
    parser.add_argument("--runs", default="1,default", help="Which --jobs to run, in order: 1, default, or N.")
    parser.add_argument("--max-examples", type=int, default=100, help="The CLI's default is 100.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="Keep the runs' reports in DIR (default: discarded).")
    args = parser.parse_args()

    from connect_contract.operations import resolve_operations

    every = len(resolve_operations(args.service, "all"))
    selection = ["--service", args.service, "--operation", "all"]
    selection += ["--shard", f"1/{args.sample}"] if args.sample else []
    print(
        f"check {' '.join(selection)} against the built-in mock, --max-examples {args.max_examples}, seed "
        f"{args.seed}; {os.cpu_count()} cores"
    )
    rows: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="check-all-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for run in args.runs.split(","):
            jobs = None if run == "default" else run
            label = "default" if jobs is None else f"jobs{jobs}"
            rows.append(measure(label, jobs, selection, args.seed, args.max_examples, folder))
            row = rows[-1]
            print(f"  {label}: {row.summary} (exit {row.exit_code})", flush=True)
    base = rows[0]
    header = f"{'run':<10} {'ops':>4} {'seconds':>8} {'s/op':>6} {'cpu s':>7} {'speedup':>7} {'load':>11}"
    print(f"\n{header} {every:>4}-op projection (measured; cpu-bound floor)")
    for row in rows:
        per_op = row.seconds / row.operations
        projected = per_op * every
        # What the CPU seconds it used would take if the cores were its alone: a load-independent estimate.
        floor = row.cpu_seconds / min(os.cpu_count() or 1, row.jobs) * every / row.operations
        print(
            f"{row.label:<10} {row.operations:4d} {row.seconds:8.1f} {per_op:6.2f} {row.cpu_seconds:7.1f} "
            f"{base.seconds / row.seconds:7.2f} {row.load_before:5.1f}>{row.load_after:<5.1f} "
            f"{projected:6.0f} s ({projected / BUDGET_SECONDS:.2f}x the {BUDGET_SECONDS} s budget); {floor:.0f} s"
        )
    for row in rows[1:]:
        same = row.reports == base.reports
        print(f"reports of {row.label} and {base.label} (wall times masked): {'identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
