"""verify: the mock agrees with recordings of itself; a provider that changes one answer is caught."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from cassette_support import (
    COMMITTED,
    changes_one_answer,
    credential_chain_env,
    error,
    scripted,
)

from connect_contract.cassettes.lint import error_type
from connect_contract.cassettes.store import Interaction, load_interactions
from connect_contract.cassettes.verify import Provider, verify_all
from connect_contract.mock import create_app
from connect_contract.model import load_operation
from connect_contract.serving import serve_in_thread

ALL = load_interactions([COMMITTED])
SUCCESS = next(i for i in ALL if i.status == 200 and not i.malformed)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "connect_contract", "verify", "--cassettes", str(COMMITTED), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)


def test_the_mock_still_behaves_like_its_recordings(plain_mock: str) -> None:
    results = verify_all(ALL, Provider(plain_mock))
    assert [r.diff() for r in results if not r.ok] == []
    assert len(results) == len(ALL)


def test_cli_verify_signs_with_the_standard_chain_against_the_sigv4_mock(sigv4_mock: str) -> None:
    env = credential_chain_env()
    result = _cli("--endpoint", sigv4_mock, "--sigv4", env=env)
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"{len(ALL)} interactions, 0 mismatches" in result.stderr
    assert "SigV4: signing with env credentials" in result.stderr  # which provider, never a value
    unsigned = _cli("--endpoint", sigv4_mock)  # the mock rejects every unsigned request: all differ
    assert unsigned.returncode == 1 and f"{len(ALL)} mismatches" in unsigned.stderr
    assert "hint: the provider answers MissingAuthenticationTokenException: sign the requests with --sigv4" in (
        unsigned.stderr
    )


def _is(target: Interaction) -> Any:
    expected = json.loads(target.request_body)
    return lambda decoded: decoded == expected


OP = load_operation()
CLIENT_ERROR = next(e for e in OP.errors if e.fault == "client")
SERVER_ERROR = next(e for e in OP.errors if e.fault == "server")
# An answer recorded as one error whose status another modeled error shares: only the type tells them apart.
SHARED = next(
    (i, other)
    for i in ALL
    if not i.malformed and i.status != 200
    for other in OP.errors
    if other.status == i.status and other.name != error_type(i)
)

BROKEN = [
    (
        "error-instead-of-success",
        SUCCESS,
        error(CLIENT_ERROR.name, CLIENT_ERROR.status, "changed"),
        [
            f"status:     recorded 200, got {CLIENT_ERROR.status}",
            f"error type: recorded (none), got {CLIENT_ERROR.name}",
        ],
    ),
    (
        "success-with-a-bad-body",
        SUCCESS,
        (200, {"content-type": "application/json"}, b"[]"),
        ["body: a 200 body must be a JSON object"],
    ),
    (
        "server-error",
        SUCCESS,
        error(SERVER_ERROR.name, SERVER_ERROR.status, "changed"),
        [
            f"status:     recorded 200, got {SERVER_ERROR.status}",
            f"error type: recorded (none), got {SERVER_ERROR.name}",
        ],
    ),
    (
        "same-status-other-error-type",
        SHARED[0],
        error(SHARED[1].name, SHARED[1].status, "changed"),
        [f"error type: recorded {error_type(SHARED[0])}, got {SHARED[1].name}"],
    ),
]


@pytest.mark.parametrize(("name", "target", "answer", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_provider_that_changes_one_answer_is_caught_with_a_clear_diff(
    name: str, target: Interaction, answer: Any, expected: list[str]
) -> None:
    broken = changes_one_answer(create_app(), _is(target), answer)
    with serve_in_thread(broken) as url:
        results = verify_all(ALL, Provider(url))
        failed = [r for r in results if not r.ok]
        assert [r.interaction for r in failed] == [target]
        diff = failed[0].diff()
        assert diff[0] == f"{target.file}#0 (scenario {target.scenario})"
        assert [line.strip() for line in diff[1:]] == expected
        result = _cli("--endpoint", url)
    assert result.returncode == 1
    assert f"MISMATCH {target.file}#0 (scenario {target.scenario})" in result.stdout
    assert result.stdout.count(target.file.name) == 1, result.stdout  # each mismatch printed once
    assert "1 mismatches" in result.stderr
    assert "hint:" not in result.stderr  # an answered request needs no --sigv4 hint


def test_an_unreachable_provider_fails_fast_and_clearly() -> None:
    results = verify_all(ALL, Provider("http://127.0.0.1:9", timeout=5))
    assert all(not r.ok and r.unreachable for r in results)
    assert results[0].problems == ["no answer: provider unreachable (connection refused)"]


def test_the_cli_says_unreachable_once_when_the_connection_is_refused() -> None:
    result = _cli("--endpoint", "http://127.0.0.1:9", "--timeout", "5")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"verify: provider unreachable at http://127.0.0.1:9 (connection refused): none of {len(ALL)} interactions"
        " compared"
    ]
    assert result.stderr.strip() == f"verify: {len(ALL)} interactions, provider unreachable"


@pytest.mark.parametrize(
    "args",
    [["--endpoint", "not-a-url"], ["--endpoint", "http://127.0.0.1:9", "--rate-limit", "-1"]],
    ids=["bad-endpoint", "bad-rate"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = _cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_hanging_provider_gets_a_verdict_in_bounded_time() -> None:
    release = threading.Event()
    hanging = scripted(lambda _b: (200, {}, b"{}"), hold=release)
    try:
        with serve_in_thread(hanging) as url:
            started = time.monotonic()
            results = verify_all(ALL, Provider(url, timeout=0.3))
            elapsed = time.monotonic() - started
            release.set()
    finally:
        release.set()
    assert elapsed < 5
    assert [r.problems[0] for r in results[:2]] == ["no answer within 0.3 s"] * 2
    assert all("left 2 requests in a row unanswered" in r.problems[0] for r in results[2:])
