"""What the installed pytest plugin costs a pytest session that never uses it.

    .venv/bin/python benchmarks/plugin_overhead.py [--rounds 10] [--tests 50]

Writes a trivial test file (``--tests`` passing tests, no fixture or option of ours) in a temporary
directory and times whole ``python -m pytest`` sessions there, in fresh processes: with the plugin
(as every pytest run in an environment where the package is installed gets it, through its pytest11
entry point) and without it (``-p no:connect_contract``: the entry point's module is never imported).
Rounds are interleaved, so a busy machine slows both sides alike.  The measure is the session's CPU
time (user + system, from the kernel's child-process accounting): on a shared machine wall time is
mostly waiting for a core, CPU time is what the plugin costs.  The ratio of the medians is the
plugin's cost (the budget: under 1.05); wall-clock medians are printed beside it.  Also prints the
plugin module's own import time.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = 1.05


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def session(directory: Path, *extra: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one pytest session in a fresh process."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the trivial session failed:\n{done.stdout}\n{done.stderr}")
    return _children_cpu() - cpu, wall


def import_time() -> float:
    probe = "import time, pytest; t = time.process_time(); import connect_contract.pytest_plugin; "
    probe += "print(time.process_time() - t)"
    return float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "test_trivial.py").write_text(
            "".join(f"def test_{i}():\n    assert {i} == {i}\n\n" for i in range(args.tests))
        )
        session(directory)  # warm the file-system cache and the .pyc files of both sides
        session(directory, "-p", "no:connect_contract")
        without, with_plugin = [], []
        for _ in range(args.rounds):
            without.append(session(directory, "-p", "no:connect_contract"))
            with_plugin.append(session(directory))
    cpu_base, cpu_plugin = (statistics.median(cpu for cpu, _ in runs) for runs in (without, with_plugin))
    wall_base, wall_plugin = (statistics.median(wall for _, wall in runs) for runs in (without, with_plugin))
    ratio = cpu_plugin / cpu_base
    print(f"{args.tests} trivial tests, {args.rounds} interleaved rounds, a fresh process each (median CPU | wall)")
    print(f"without the plugin (-p no:connect_contract): {cpu_base * 1000:5.0f} ms | {wall_base * 1000:5.0f} ms")
    print(f"with the plugin (as installed):              {cpu_plugin * 1000:5.0f} ms | {wall_plugin * 1000:5.0f} ms")
    print(f"ratio (CPU): {ratio:.3f}   wall: {wall_plugin / wall_base:.3f}   budget: {BUDGET}")
    own = statistics.median(import_time() for _ in range(5))
    print(f"the plugin module's own import (CPU, median of 5): {own * 1000:.1f} ms")
    if ratio >= BUDGET:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
