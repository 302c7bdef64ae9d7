"""A crash, an exception or Ctrl-C mid-recording leaves the existing cassette byte-for-byte untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from cassette_support import scripted, snapshot

from connect_contract.cassettes.record import Target, record_scenarios, recording
from connect_contract.cassettes.scenarios import load_scenarios
from connect_contract.model import load_operation
from connect_contract.serving import serve_in_thread

SCENARIO = load_scenarios()[0]
OP = load_operation()


@pytest.fixture
def existing(plain_mock: str, tmp_path: Path) -> Path:
    """A directory holding one good cassette recorded from the mock."""
    (outcome,) = record_scenarios(Target(plain_mock), [SCENARIO], tmp_path)
    assert outcome.status == "written"
    return outcome.path


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, check=False)


def test_an_exception_in_the_block_keeps_the_old_cassette(existing: Path, plain_mock: str) -> None:
    before = snapshot(existing.parent)
    with pytest.raises(RuntimeError), recording(existing, metadata={}, record_mode="all"):
        requests.post(plain_mock + OP.request_uri, json={"InstanceId": "i", "State": "s"}, timeout=5)
        raise RuntimeError("boom")
    assert snapshot(existing.parent) == before


CRASH_MID_RECORDING = """
import os, sys, requests
from pathlib import Path
from connect_contract.cassettes.record import recording
from connect_contract.model import load_operation
with recording(Path(sys.argv[1]), metadata={}, record_mode="all"):
    requests.post(sys.argv[2] + load_operation().request_uri, json={"InstanceId": "i", "State": "s"}, timeout=5)
    os._exit(3)
"""


def test_a_process_dying_mid_recording_keeps_the_old_cassette(existing: Path, plain_mock: str) -> None:
    before = snapshot(existing.parent)
    result = _run(CRASH_MID_RECORDING, str(existing), plain_mock)
    assert result.returncode == 3, result.stderr
    assert snapshot(existing.parent) == before


CRASH_DURING_WRITE = """
import os, sys, requests
from pathlib import Path
from connect_contract.cassettes.record import recording
from connect_contract.model import load_operation
os.replace = lambda *a: os._exit(4)  # die after the temporary file is written, before the rename
with recording(Path(sys.argv[1]), metadata={}, record_mode="all"):
    requests.post(sys.argv[2] + load_operation().request_uri, json={"InstanceId": "i", "State": "s"}, timeout=5)
"""


def test_a_crash_during_the_write_keeps_the_old_cassette_and_the_next_run_cleans_up(
    existing: Path, plain_mock: str
) -> None:
    old = existing.read_bytes()
    result = _run(CRASH_DURING_WRITE, str(existing), plain_mock)
    assert result.returncode == 4, result.stderr
    assert existing.read_bytes() == old
    leftovers = [p for p in existing.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(f".{existing.name}.")
    (outcome,) = record_scenarios(
        Target(plain_mock), [SCENARIO], existing.parents[2], "all"
    )  # <root>/<service>/<Operation>
    assert outcome.status == "written"
    assert sorted(snapshot(existing.parent)) == [existing.name]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_killing_the_cli_while_a_request_is_in_flight_keeps_the_old_cassette(existing: Path, stop: int) -> None:
    before = snapshot(existing.parent)
    arrived, release = threading.Event(), threading.Event()
    slow = scripted(lambda _b: (200, {"content-type": "application/json"}, b"{}"), on_request=arrived.set, hold=release)
    with serve_in_thread(slow) as url:
        args = ["record", "--endpoint", url, "--record-mode", "all", "--scenarios", SCENARIO.name]
        process = subprocess.Popen(
            [sys.executable, "-m", "connect_contract", *args, "--out", str(existing.parents[2])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        try:
            assert arrived.wait(30), "the recorder never reached the server"
            process.send_signal(stop)
            _out, err = process.communicate(timeout=30)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode != 0
    assert b"Traceback" not in err
    assert snapshot(existing.parent) == before
