"""The front doors: ``connect-contract check`` (exit codes, reports, SigV4, --strict), ``pytest
--endpoint`` and ``st run`` with the hooks module, each run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_catalogue import make_app

from connect_contract.mock import MockConfig, running_mock
from connect_contract.model import load_operation
from connect_contract.server.vectors import load_vectors, marker
from connect_contract.serving import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# AWS documentation example keys: never real.
ACCESS_KEY, SECRET_KEY = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No credentials, config or proxies from the machine leak into the child processes."""
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONNECT_CONTRACT_"))}
    env.update(
        XDG_CACHE_HOME=str(tmp_path_factory.mktemp("cache")),  # Hypothesis' store, kept out of ~/.cache
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


def check(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "connect-contract"), "check", "--max-examples", "20", "--seed", "3", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    with serve_in_thread(make_app("echoes_sensitive_value")) as url:
        yield url


def test_check_without_endpoint_passes_the_built_in_mock(clean_env: dict[str, str], tmp_path: Path) -> None:
    result = check(clean_env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing (no .hypothesis, no .schemathesis) left in the cwd
    assert "built-in mock" in result.stdout and "PASSED" in result.stdout
    assert f"({len(load_vectors())} vectors + " in result.stdout and " cases/s" in result.stdout
    assert "valid requests: " in result.stdout and " answered 2xx" in result.stdout


def test_a_failed_required_check_exits_1_with_redacted_reports(
    clean_env: dict[str, str], echo_server: str, tmp_path: Path
) -> None:
    junit, markdown = tmp_path / "junit.xml", tmp_path / "report.md"
    result = check(clean_env, "--endpoint", echo_server, "--junitxml", str(junit), "--report", str(markdown))
    assert result.returncode == 1
    assert "no_secret_echo" in result.stdout and "FAILED" in result.stdout and "curl " in result.stdout
    outputs = [result.stdout, result.stderr, junit.read_text(), markdown.read_text()]
    assert 'name="no_secret_echo"' in outputs[2] and "<failure" in outputs[2]
    assert "`no_secret_echo`" in outputs[3] and "```bash" in outputs[3]
    for member in load_operation().sensitive_members:
        assert all(marker(member) not in text for text in outputs), member.name


def test_recommended_failures_fail_only_with_strict(clean_env: dict[str, str]) -> None:
    with serve_in_thread(make_app("no_request_id")) as url:
        lenient = check(clean_env, "--endpoint", url)
        strict = check(clean_env, "--endpoint", url, "--strict")
    assert lenient.returncode == 0, lenient.stdout
    assert strict.returncode == 1 and "request_id" in strict.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--endpoint", "not-a-url"], "must be an http(s) URL"),
        (["--rate-limit", "lots"], "rate limit must look like"),
        (["--sigv4"], "no AWS credentials"),
        (["--max-examples", "0"], "--max-examples"),
        (["--report", f"{__file__}/r.md"], "is a file, not a directory"),  # missing directories are created
    ],
)
def test_usage_errors_exit_2_in_one_line(clean_env: dict[str, str], args: list[str], needle: str) -> None:
    result = check(clean_env, *args)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_sigv4_signs_every_request_with_the_standard_credential_chain(clean_env: dict[str, str]) -> None:
    config = MockConfig(auth="sigv4", credentials={ACCESS_KEY: SECRET_KEY}, region="us-east-1")
    env = {**clean_env, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    with running_mock(config) as url:
        signed = check(env, "--endpoint", url, "--sigv4")
        unsigned = check(env, "--endpoint", url)
    assert signed.returncode == 0, signed.stdout
    assert SECRET_KEY not in signed.stdout + signed.stderr
    # Unsigned, the mock refuses valid requests (403 MissingAuthenticationToken): not a modeled answer.
    assert unsigned.returncode == 1 and "accepts_valid" in unsigned.stdout
    assert "sign the requests with --sigv4" in unsigned.stdout


def test_pytest_front_door_runs_the_same_checks(clean_env: dict[str, str]) -> None:
    tests = [
        str(ROOT / "tests/conformance/test_server_vectors.py"),
        str(ROOT / "tests/conformance/test_server_generated.py"),
    ]
    with serve_in_thread(make_app("wrong_status_for_type")) as url:
        result = subprocess.run(
            [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", *tests, "--endpoint", url, "--max-examples", "10"],
            capture_output=True,
            text=True,
            env=clean_env,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert "test_server_generated[error_status]" in result.stdout
    assert "InvalidParameterException sent with status" in result.stdout


def test_schemathesis_hooks_module_catches_the_same_defect_in_plain_st_run(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean_env, "SCHEMATHESIS_HOOKS": "connect_contract.server.st_hooks"}
    st_run = [str(BIN / "st"), "run", str(ROOT / "contracts/openapi.json"), "--url"]
    with serve_in_thread(make_app("wrong_status_for_type")) as url:
        result = subprocess.run(
            [*st_run, url, "-n", "10", "--checks", "aws_error_status", "--seed", "1"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,  # no schemathesis.toml is discovered, and st's .schemathesis cache lands here
            timeout=120,
            check=False,
        )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "aws_error_status" in result.stdout and "its status is" in result.stdout


def test_an_endpoint_that_hangs_gets_a_verdict_not_a_hang(clean_env: dict[str, str]) -> None:
    from server_catalogue import serve_raw

    with serve_raw("hang") as url:
        result = check(clean_env, "--endpoint", url, "--timeout", "1")
    assert result.returncode == 1
    assert "no response within 1 s" in result.stdout and "could not be judged" in result.stdout
