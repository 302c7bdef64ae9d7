"""``connect-contract serve`` as a real subprocess: prints its URL, serves, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from mock_support import ACCESS_KEY, SECRET_KEY, boto3_client

from connect_contract import sigv4
from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.model import load_operation

OP = load_operation()
CLI = [sys.executable, "-m", "connect_contract", "serve"]
CALL = {"InstanceId": "i-1", "State": "s", "Code": "c"}


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **extra}
    env.pop("CONNECT_CONTRACT_DEBUG", None)
    return env


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [*CLI, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or environment(),
    )
    watchdog = threading.Timer(30, process.kill)  # a server that never prints its URL must not hang the suite
    watchdog.start()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (url, process.stderr.read() if process.stderr else "")
        yield url, process
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=15)
    return process.returncode, err


def test_serve_prints_url_answers_and_stops_cleanly_on_sigint() -> None:
    with serving() as (url, process):
        assert boto3_client(url).update_participant_authentication(**CALL)["ResponseMetadata"]["HTTPStatusCode"] == 200
        code, err = stop(process)
    assert code == 0, err
    assert "Traceback" not in err and "Aborted" not in err


def test_serve_stateful_with_sigv4_from_the_environment() -> None:
    env = environment(CONNECT_CONTRACT_MOCK_SECRET_ACCESS_KEY=SECRET_KEY)
    args = ("--mode", "stateful", "--auth", "sigv4", "--access-key-id", ACCESS_KEY, "--region", "eu-west-2")
    with serving(*args, env=env) as (url, process):
        state = requests.post(f"{url}/_mock/sessions", json={"InstanceId": "i-1"}, timeout=10).json()["State"]
        client = boto3_client(url, region="eu-west-2")
        assert client.update_participant_authentication(**{**CALL, "State": state})
        unsigned = requests.post(url + OP.request_uri, json={**CALL, "State": state}, timeout=10)
        assert (unsigned.status_code, unsigned.headers[ERROR_TYPE_HEADER]) == (403, sigv4.MISSING)
        code, err = stop(process)
    assert code == 0, err
    assert SECRET_KEY not in err


@pytest.mark.parametrize(
    "args",
    [
        ["--auth", "sigv4"],
        ["--auth", "sigv4", "--access-key-id", ACCESS_KEY],
        ["--region", "us-east-1"],
        ["--mode", "bogus"],
        ["--port", "70000"],
        ["--cassettes", "/definitely/not/here"],
        ["--cassettes", ".", "--mode", "stateful"],
    ],
    ids=" ".join,
)
def test_usage_errors_exit_2_in_one_line(args: list[str]) -> None:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=environment(), check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [*CLI, "--port", port], capture_output=True, text=True, timeout=60, env=environment(), check=False
        )
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_exported_credentials_do_not_stop_an_unauthenticated_mock() -> None:
    prefix = "CONNECT_CONTRACT_MOCK_"
    env = environment(**{f"{prefix}SECRET_ACCESS_KEY": SECRET_KEY, f"{prefix}ACCESS_KEY_ID": ACCESS_KEY})
    with serving(env=env) as (url, process):
        assert requests.post(url + OP.request_uri, json=CALL, timeout=10).status_code == 200
        code, err = stop(process)
    assert code == 0, err
