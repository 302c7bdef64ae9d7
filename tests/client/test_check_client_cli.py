"""``connect-contract check-client`` end to end: exit codes, the matrix, the Markdown report, JUnit XML,
the pytest front door, the example adapters shown in docs/adapter-protocol.md, and no secret in any output."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from connect_contract.client.vectors import load_vectors, settings

ROOT = Path(__file__).resolve().parents[2]
BROKEN = f"{sys.executable} {ROOT / 'tests' / 'client' / 'broken_client.py'}"
SUBSET = ["--vector", "request.*", "--vector", "error.*.header-plain", "--vector", "success.*"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    full_env.pop("CONNECT_CONTRACT_DEBUG", None)
    command = [sys.executable, "-m", "connect_contract", "check-client", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=full_env, cwd=ROOT, check=False)


def assert_no_secrets(text: str) -> None:
    s = settings()
    assert s.secret_access_key not in text
    for vector in load_vectors():
        for secret in vector.secrets:
            assert secret not in text, f"a sensitive value of {vector.id} leaked"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--client", "nosuch"],
        ["--client", "boto3", "--vector", "no.such.vector"],
        ["--client-cmd", "  "],
        ["--client", "boto3", "--timeout", "0"],
    ],
    ids=["no-client", "unknown-client", "no-vector-matches", "empty-command", "bad-timeout"],
)
def test_usage_errors_exit_2_in_one_line(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Error:" in result.stderr


def test_correct_clients_exit_0_with_matrix_report_and_junit(tmp_path: Path) -> None:
    report, junit = tmp_path / "client.md", tmp_path / "junit.xml"
    result = cli(
        "--client", "boto3", "--client-cmd", BROKEN, "--client-name", "handwritten", "--strict", "--persistent",
        "--report", str(report), "--junitxml", str(junit), *SUBSET,
        env={"BROKEN_CLIENT_DEFECT": "none"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "boto3: PASS" in result.stdout and "handwritten: PASS" in result.stdout
    markdown = report.read_text()
    assert "| vector | level | expected | boto3 | handwritten |" in markdown
    row = "| `request.optional-null.* (3)` | required | nulls absent (or refused) | rejected locally 3/3 | pass |"
    assert row in markdown
    suites = ET.parse(junit).getroot()
    assert [s.get("name") for s in suites] == ["check-client[boto3]", "check-client[handwritten]"]
    assert all(s.get("failures") == "0" for s in suites)
    assert_no_secrets(result.stdout + result.stderr + markdown + junit.read_text())


def test_a_broken_client_exits_1_and_every_output_says_why(tmp_path: Path) -> None:
    report, junit = tmp_path / "client.md", tmp_path / "junit.xml"
    result = cli(
        "--client-cmd", BROKEN, "--persistent", "--report", str(report), "--junitxml", str(junit), *SUBSET,
        env={"BROKEN_CLIENT_DEFECT": "truncates"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "req.values" in result.stdout and "custom: FAIL" in result.stdout
    assert "expected &lt;2048 code points, sha256" in report.read_text()
    failures = ET.parse(junit).getroot().findall(".//failure")
    assert failures and all("req.values" in (f.text or "") for f in failures)
    assert_no_secrets(result.stdout + result.stderr + report.read_text() + junit.read_text())


def test_recommendations_fail_only_under_strict() -> None:
    args = ("--client-cmd", BROKEN, "--vector", "retry.*")
    env = {"BROKEN_CLIENT_DEFECT": "never-retries"}
    assert cli(*args, env=env).returncode == 0
    strict = cli(*args, "--strict", env=env)
    assert strict.returncode == 1 and "retry.attempts" in strict.stdout


def test_example_adapters_from_the_readme_pass(tmp_path: Path) -> None:
    readme = (ROOT / "docs" / "adapter-protocol.md").read_text()
    python_example = ROOT / "examples" / "adapters" / "python_adapter.py"
    js_example = ROOT / "examples" / "adapters" / "js_adapter.cjs"
    for example in (python_example, js_example):  # the manual shows the real files, verbatim
        assert example.read_text().strip() in readme
    node_path = {"NODE_PATH": str(ROOT / "node_modules")}
    result = cli(
        "--client-cmd", f"{sys.executable} {python_example}", "--client-cmd", f"node {js_example}",
        "--vector", "request.all-members", "--vector", "request.optional-null.Code",
        "--vector", "error.InvalidParameterException.header-plain", "--vector", "success.empty-body",
        env=node_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def test_pytest_front_door_runs_any_client(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BROKEN_CLIENT_DEFECT": "wrong-path",
        "PYTHONPATH": str(ROOT),
        "CONNECT_CONTRACT_PERSISTENT": "1",
    }
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "tests" / "conformance" / "test_client.py"),
        "-q", "-p", "no:cacheprovider",
        "--client-cmd", BROKEN, "-k", "required-only or empty-object", "--junitxml", str(tmp_path / "j.xml"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=ROOT, check=False)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed, 1 passed" in result.stdout and "[req.path]" in result.stdout


def test_list_shows_the_vectors_without_running_anything() -> None:
    result = cli("--list", "--vector", "retry.*")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len([v for v in load_vectors() if v.id.startswith("retry.")])
    assert all(line.split("\t")[1] == "recommended" for line in lines)


def test_list_and_report_name_the_smithy_test_each_vector_stands_on(tmp_path: Path) -> None:
    listed = cli("--list", "--vector", "error.ConflictException.header-namespace-uri")
    assert listed.returncode == 0
    (line,) = listed.stdout.splitlines()
    assert line.split("\t")[-1] == "restJson1 errors.smithy RestJsonFooErrorUsingXAmznErrorTypeWithUriAndNamespace"
    report = tmp_path / "client.md"
    result = cli("--client", "boto3", "--vector", "error.*.body-code-namespace-uri", "--report", str(report))
    assert result.returncode == 0, result.stdout[-2000:]
    assert "| pass | restJson1 errors.smithy RestJsonFooErrorUsingCodeUriAndNamespace |" in report.read_text()
