"""record / lint / verify usage errors: one clear message, exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    command = [sys.executable, "-m", "connect_contract", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record"], "--endpoint is required"),
        (["record", "--endpoint", "ftp://x"], "must be an http(s) URL"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--scenarios", "no-such-scenario"], "no-such-scenario"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--record-mode", "none"], "record-mode"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--sigv4"], "no AWS credentials"),
        (["lint", "/definitely/not/here"], "does not exist"),
        (["verify", "--cassettes", "/definitely/not/here", "--endpoint", "http://127.0.0.1:9"], "does not exist"),
    ],
    ids=["no-endpoint", "endpoint", "scenario", "mode", "no-credentials", "lint-path", "verify-dir"],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_lint_of_an_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("lint", str(tmp_path))
    assert result.returncode == 2 and "no cassettes" in result.stderr


def test_record_against_nothing_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    result = _run("record", "--endpoint", "http://127.0.0.1:9", "--out", str(tmp_path / "out"), "--timeout", "5")
    assert result.returncode == 1 and "endpoint unreachable" in result.stdout
    assert not (tmp_path / "out").exists()


def test_record_list_shows_every_scenario() -> None:
    from connect_contract.cassettes.scenarios import load_scenarios

    result = _run("record", "--list")
    assert result.returncode == 0
    assert all(s.name in result.stdout for s in load_scenarios())
