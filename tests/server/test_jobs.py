"""``check --jobs N``: several operations checked in worker processes report exactly what one process
reports; a bad value is a usage error; a dead worker is a verdict, Ctrl-C stops every worker.

Two small operations against the multi-operation reference server (``anyop_catalogue``), few cases.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyop_catalogue import make_app
from click.testing import CliRunner, Result

from connect_contract.cli import main
from connect_contract.server.parallel import SharedRateLimit
from connect_contract.serving import serve_in_thread

TWO = "[TU]*agResource"  # TagResource and UntagResource, both served by the reference server
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    with serve_in_thread(make_app()) as url:
        yield url


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--max-examples", "5", "--seed", "2", *args], env={"NO_COLOR": "1"})


def untimed(text: str) -> str:
    """A report without its wall times (the only thing two runs of the same seed may differ in)."""
    text = re.sub(r"in [0-9.]+ s \([0-9.]+ cases/s\)", "in T s", text)
    return re.sub(r'time="[0-9.]+"', 'time="T"', text)


@pytest.mark.parametrize("value", ["0", "-1", "two", ""])
def test_a_bad_jobs_value_is_one_line_and_exit_2(value: str) -> None:
    result = invoke("--endpoint", "http://127.0.0.1:9", "--operation", TWO, "--jobs", value)
    assert result.exit_code == 2, result.output
    assert "--jobs expects a whole number of worker processes, at least 1" in result.output


def test_two_workers_report_exactly_what_one_process_reports(tmp_path: Path) -> None:
    """Against a server with one defect, so that failures (messages, requests, curl lines) cross over too."""
    outputs, reports = [], []
    with serve_in_thread(make_app("repeated_query_keys_read_as_one")) as url:
        for jobs in ("1", "2"):
            xml, md = tmp_path / f"jobs{jobs}.xml", tmp_path / f"jobs{jobs}.md"
            result = invoke(
                "--endpoint", url, "--operation", TWO, "--jobs", jobs, "--junitxml", str(xml), "--report", str(md)
            )
            assert result.exit_code == 1, result.output
            outputs.append(result.output)
            reports.append((untimed(xml.read_text()), untimed(md.read_text())))
    assert reports[0] == reports[1]
    assert "rejects_invalid" in reports[0][1] and "curl" in reports[0][1]  # a failure, with its request
    assert "2 worker processes" in outputs[1] and "worker processes" not in outputs[0]
    for output in outputs:  # the operations in selection order, however the workers finished
        assert output.index("connect:TagResource\n") < output.index("connect:UntagResource\n")
        assert "1 of 2 operations passed" in output


def _command(url: str) -> list[str]:
    return [str(Path(sys.executable).parent / "connect-contract"), "check", "--endpoint", url, "--operation", TWO]


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONNECT_CONTRACT_"))}
    return {**env, "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1", **extra}


def test_a_worker_that_dies_gives_a_verdict_not_a_hang(reference_url: str, tmp_path: Path) -> None:
    """A worker killed mid-run (the OOM killer, a crash in native code): every operation it left is judged
    "not judged", the run fails, promptly.  A user check that kills its own process stands in for it."""
    (tmp_path / "killing_check.py").write_text(
        "import os, signal\n"
        "import connect_contract\n\n"
        "@connect_contract.server_check(id='kills_its_worker')\n"
        "def kills_its_worker(exchange):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = _environment(tmp_path, CONNECT_CONTRACT_HOOKS="killing_check", PYTHONPATH=str(tmp_path))
    command = [*_command(reference_url), "--jobs", "2", "--max-examples", "5", "--seed", "2"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not judged: a worker process died before this operation was finished" in done.stdout
    assert "0 of 2 operations passed" in done.stdout


def _workers_of(parent: int) -> set[int]:
    """The pool's worker processes: children of ``parent`` started by multiprocessing's spawn."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in cmdline:
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_ctrl_c_stops_every_worker(reference_url: str, tmp_path: Path) -> None:
    command = [*_command(reference_url), "--jobs", "2", "--max-examples", "100000", "--seed", "2"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_environment(tmp_path), start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(workers := _workers_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, "the two workers never started"
        time.sleep(1)  # busy checking
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1 and b"Aborted!" in output, output[-2000:]
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker outlived Ctrl-C"


def test_the_workers_share_one_rate_limit() -> None:
    """Two workers' limiters on one shared slot clock: 20/s between them, evenly spaced, not 20/s each."""
    slot = multiprocessing.get_context("spawn").Value("d", 0.0)
    limits = [SharedRateLimit(20, 1.0, next_slot=slot) for _ in range(2)]
    started = time.monotonic()
    for _ in range(4):
        for limit in limits:  # alternating, as two workers sending at once would
            limit.wait()
    # 8 sends at 20/s between them span at least 7/20 s; with a limit of 20/s each, 3/20 s would do.
    assert time.monotonic() - started >= 7 / 20


def test_a_failed_operation_among_many_shows_its_failure_and_the_command_that_repeats_it() -> None:
    """No --seed: each operation draws its own; the rerun line carries it, and running that line alone
    fails the same check with the same first failure."""
    with serve_in_thread(make_app("repeated_query_keys_read_as_one")) as url:
        args = ["check", "--max-examples", "5", "--endpoint", url, "--operation", TWO, "--jobs", "1"]
        many = CliRunner().invoke(main, args, env={"NO_COLOR": "1", "COLUMNS": "400"})
        assert many.exit_code == 1, many.output
        reruns = [line.split("rerun: ", 1)[1] for line in many.output.splitlines() if "rerun: " in line]
        assert len(reruns) == 1  # one operation failed, one passed
        words = shlex.split(reruns[0])
        assert words[:2] == ["connect-contract", "check"] and "--seed" in words and url in words
        message = next(line for line in many.output.splitlines() if line.startswith("rejects_invalid (required):"))
        alone = CliRunner().invoke(main, words[1:], env={"NO_COLOR": "1", "COLUMNS": "400"})
    assert alone.exit_code == 1, alone.output
    assert message in alone.output.splitlines()
