"""What a newcomer runs into with ``check-client`` (issue 15): each mistake gets one clear line, CI logs
and the progress line are readable, and the adapters die with the harness.  Real subprocesses only."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connect_contract.client.runner import select_vectors

ROOT = Path(__file__).resolve().parents[2]
BROKEN = f"{sys.executable} {ROOT / 'tests' / 'client' / 'broken_client.py'}"
PYTHON_EXAMPLE = f"{sys.executable} {ROOT / 'examples' / 'adapters' / 'python_adapter.py'}"
JS_EXAMPLE = f"node {ROOT / 'examples' / 'adapters' / 'js_adapter.cjs'}"


def harness_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    for name in ("CONNECT_CONTRACT_DEBUG", "COLUMNS", "LINES"):
        env.pop(name, None)
    return env


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "connect_contract", "check-client", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=180, env=harness_env(**env), cwd=ROOT, check=False
    )


# --- item 6: a missing `npm ci` is said once, before anything runs ---------------------------------


@pytest.mark.parametrize("clients", [["js"], ["boto3", "js"]], ids=["js-alone", "js-beside-boto3"])
def test_missing_js_sdk_is_one_line_and_exit_2_before_anything_runs(tmp_path: Path, clients: list[str]) -> None:
    empty = tmp_path / "node_modules"  # module resolution pointed at an empty directory, as without `npm ci`
    empty.mkdir()
    started = time.monotonic()
    result = cli(*(arg for name in clients for arg in ("--client", name)), CONNECT_CONTRACT_NODE_MODULES=str(empty))
    assert result.returncode == 2, result.stdout[-2000:]
    assert result.stdout == ""  # no matrix: nothing ran
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "npm ci" in lines[0] and "@aws-sdk/client-connect" in lines[0] and str(empty) in lines[0]
    assert time.monotonic() - started < 30  # no vector was attempted (a run takes much longer)


def test_a_custom_adapter_that_cannot_load_its_sdk_is_said_once(tmp_path: Path) -> None:
    """The JS example adapter (docs/adapter-protocol.md) outside the repository (no node_modules up the
    tree, no NODE_PATH) is the `npm ci` mistake for a --client-cmd: one line at the first vector, not one
    broken cell per vector."""
    adapter = tmp_path / "js_adapter.cjs"
    adapter.write_text((ROOT / "examples" / "adapters" / "js_adapter.cjs").read_text())
    env = harness_env()
    env.pop("NODE_PATH", None)
    command = [sys.executable, "-m", "connect_contract", "check-client", "--client-cmd", f"node {adapter}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path, check=False)
    assert result.returncode == 2, result.stdout[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "could not load @aws-sdk/client-connect" in lines[0] and "npm ci" in lines[0]


def test_a_python_adapter_missing_its_package_is_said_once_in_lines_mode_too(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter.py"
    adapter.write_text("import connect_contract_no_such_sdk\n")
    result = cli("--client-cmd", f"{sys.executable} {adapter}", "--persistent", "--vector", "request.*")
    assert result.returncode == 2, result.stdout[-2000:]
    assert result.stderr.strip().splitlines() == [
        "Error: custom: the adapter could not load connect_contract_no_such_sdk: install it for the adapter's "
        "Python (pip install connect_contract_no_such_sdk)"
    ]


def test_pytest_front_door_says_a_missing_npm_ci_once(tmp_path: Path) -> None:
    empty = tmp_path / "node_modules"
    empty.mkdir()
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "conformance" / "test_client.py"), "-q"]
    command += ["-p", "no:cacheprovider", "--client", "js"]
    env = harness_env(CONNECT_CONTRACT_NODE_MODULES=str(empty))
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=ROOT, check=False)
    assert result.returncode == 2, result.stdout[-2000:]
    output = result.stdout + result.stderr
    assert output.count("npm ci") == 1, output[-3000:]
    assert "failed" not in output


# --- item 9: a one-shot adapter started with --persistent --------------------------------------------


@pytest.mark.parametrize("adapter", [PYTHON_EXAMPLE, JS_EXAMPLE], ids=["python-example", "js-example"])
def test_one_shot_example_adapter_with_persistent_says_drop_persistent_once(adapter: str) -> None:
    started = time.monotonic()
    result = cli(
        "--client-cmd", adapter, "--persistent", "--timeout", "2", "--vector", "request.*", "--vector", "retry.*",
        NODE_PATH=str(ROOT / "node_modules"),
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stdout[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "drop --persistent" in lines[0] and "one-shot" in lines[0]
    assert "no result within" not in result.stdout + result.stderr
    # one timeout plus the grace to see the late answer, not 2 s per vector (31 vectors here)
    assert elapsed < 20, elapsed


def test_a_real_lines_mode_adapter_that_is_slow_is_still_a_timeout_not_a_mode_mistake(tmp_path: Path) -> None:
    """The mode hint needs an answer that comes only at EOF: an adapter that hangs for good stays an
    ordinary adapter failure (the existing broken-adapter tests cover that verdict)."""
    hangs = f"{sys.executable} -c 'import time; time.sleep(60)'"
    result = cli("--client-cmd", hangs, "--persistent", "--timeout", "1", "--vector", "request.required-only")
    assert result.returncode == 1, result.stderr
    assert "drop --persistent" not in result.stdout + result.stderr
    assert "no result within 1s" in result.stdout


# --- item 13: CI logs (not a terminal) get the table at its natural width ------------------------------


def test_matrix_off_a_terminal_keeps_every_vector_id_on_one_line() -> None:
    result = cli("--client-cmd", BROKEN, "--persistent", "--vector", "request.*", BROKEN_CLIENT_DEFECT="truncates")
    assert result.returncode == 1
    groups = {v.group for v in select_vectors(["request.*"])}
    assert any(len(g) > 20 for g in groups)  # ids that an 80-column table used to split
    for group in groups:
        assert re.search(rf"│ {re.escape(group)}[ (]", result.stdout), f"{group} was split or wrapped"
    assert any(len(line) > 80 for line in result.stdout.splitlines())


# --- item 14: progress says where the run is ----------------------------------------------------------


def test_progress_on_a_terminal_shows_vector_counts_the_client_and_failures_so_far() -> None:
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "connect_contract", "check-client", "--client-cmd", BROKEN, "--persistent"]
    command += ["--client-name", "mine", "--vector", "request.*"]
    env = harness_env(BROKEN_CLIENT_DEFECT="truncates", COLUMNS="200", TERM="xterm")
    process = subprocess.Popen(command, stdout=terminal, stderr=terminal, env=env, cwd=ROOT)
    os.close(terminal)
    output = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the harness exited
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    assert process.wait(timeout=10) == 1
    text = output.decode("utf-8", "replace")
    total = len(select_vectors(["request.*"]))
    frames = re.findall(rf"vector mine (\d+)/{total} · mine: (request\.[\w.-]+) · (\d+) failing", text)
    assert frames, text[-2000:]
    assert any(int(failing) > 0 for _, _, failing in frames)  # the defect shows while it runs
    assert all(int(done) <= total for done, _, _ in frames)


# --- item 16: the adapters die with the harness, quickly ---------------------------------------------


SLOW_LINES_ADAPTER = """
import json, sys, time
for line in sys.stdin:
    time.sleep(0.5)  # busy long enough that a signal finds every lane mid-run
    print(json.dumps({"outcome": "success"}), flush=True)
"""


def _processes(parent: int, marker: str) -> set[tuple[int, str]]:
    """(pid, start time) of parent's direct children and of every process whose command line has the
    marker (an adapter a shell started), from /proc; the start time guards against pid reuse."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if int(fields[1]) == parent or marker in cmdline:
            found.add((int(entry.name), fields[19]))
    return found


def _alive(child: tuple[int, str]) -> bool:
    try:
        fields = Path(f"/proc/{child[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == child[1] and fields[0] != "Z"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_harness_and_every_persistent_adapter_in_bounded_time(
    stop_signal: signal.Signals, tmp_path: Path
) -> None:
    slow = tmp_path / "slow_lines_adapter.py"
    slow.write_text(SLOW_LINES_ADAPTER)
    # the built-in boto3 adapter (persistent by default) beside three slow persistent ones: 8 busy lanes
    command = [sys.executable, "-m", "connect_contract", "check-client", "--client", "boto3", "--persistent"]
    for name in ("slow-1", "slow-2", "slow-3"):
        command += ["--client-cmd", f"{sys.executable} {slow}", "--client-name", name]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=harness_env(),
        cwd=ROOT,
        start_new_session=True,  # so the test can clean up whatever is left, whatever happens
    )
    children: set[tuple[int, str]] = set()
    try:
        deadline = time.monotonic() + 60
        while len(children) < 8 and time.monotonic() < deadline and process.poll() is None:
            children |= _processes(process.pid, str(slow))
            time.sleep(0.2)
        assert len(children) >= 8, "the persistent adapters never started"
        assert process.poll() is None, "the run ended before the signal: nothing to stop"
        sent = time.monotonic()
        process.send_signal(stop_signal)
        code = process.wait(timeout=15)
        took = time.monotonic() - sent
        assert code == 128 + stop_signal, process.stderr.read() if process.stderr else ""
        assert took < 3, f"shutdown took {took:.1f}s"  # the runner waits at most 5 s: this proves it did not
        time.sleep(0.3)
        left = {child for child in children if _alive(child)}
        assert not left, f"adapter processes outlived the harness: {sorted(left)}"
        assert process.stderr is not None
        message = process.stderr.read().decode()
        assert "adapters stopped" in message and "Traceback" not in message
    finally:
        for pid, start in children | {(process.pid, "")}:
            if pid == process.pid or _alive((pid, start)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        process.wait(timeout=10)
