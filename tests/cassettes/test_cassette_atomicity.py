"""A crash, an exception or Ctrl-C mid-recording leaves the existing cassette byte-for-byte untouched."""

from __future__ import annotations

import os
import signal
import stat
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


@pytest.mark.parametrize("record_mode", ["once", "new_episodes", "all"])
def test_any_record_run_removes_the_stale_temporaries_of_its_cassettes(
    existing: Path, plain_mock: str, record_mode: str
) -> None:
    """A kill -9 between the write and the rename leaves ``.NAME.yaml.*.tmp``; `once` writes nothing, yet cleans."""
    old = existing.read_bytes()
    result = _run(CRASH_DURING_WRITE, str(existing), plain_mock)
    assert result.returncode == 4, result.stderr
    unrelated = existing.parent / ".someone-else.yaml.abc.tmp"  # not a cassette this run manages: left alone
    unrelated.write_text("x")
    root = existing.parents[2]  # record_scenarios lays cassettes out as <root>/<service>/<Operation>/
    (outcome,) = record_scenarios(Target(plain_mock), [SCENARIO], root, record_mode)
    assert outcome.status in ({"kept"} if record_mode == "once" else {"written", "unchanged"})
    if record_mode == "once":
        assert existing.read_bytes() == old
    assert sorted(snapshot(existing.parent)) == sorted([existing.name, unrelated.name])


def test_a_run_that_gives_up_still_removes_stale_temporaries(tmp_path: Path) -> None:
    stale = tmp_path / "connect" / "UpdateParticipantAuthentication" / f".{SCENARIO.name}.yaml.0123abcd.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_text("half a cassette")
    (outcome,) = record_scenarios(Target("http://127.0.0.1:9", timeout=1), [SCENARIO], tmp_path, "all")
    assert outcome.status == "failed"
    assert not stale.exists()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)], ids=["umask-022", "umask-077"])
def test_a_new_cassette_gets_the_mode_an_ordinary_write_would(
    plain_mock: str, tmp_path: Path, umask: int, mode: int
) -> None:
    previous = os.umask(umask)
    try:
        (outcome,) = record_scenarios(Target(plain_mock), [SCENARIO], tmp_path, "all")
        with open(tmp_path / "ordinary.yaml", "w", encoding="utf-8") as handle:  # the yardstick
            handle.write("x")
    finally:
        os.umask(previous)
    assert outcome.status == "written"
    assert (
        stat.S_IMODE(outcome.path.stat().st_mode) == stat.S_IMODE((tmp_path / "ordinary.yaml").stat().st_mode) == mode
    )


def test_a_replaced_cassette_keeps_its_mode(existing: Path, plain_mock: str) -> None:
    existing.chmod(0o640)
    existing.write_text(existing.read_text() + "\n")  # so re-recording really replaces it
    previous = os.umask(0o077)
    try:
        (outcome,) = record_scenarios(Target(plain_mock), [SCENARIO], existing.parent, "all")
    finally:
        os.umask(previous)
    assert outcome.status == "written"
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
