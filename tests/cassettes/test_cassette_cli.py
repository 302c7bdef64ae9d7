"""record / lint / verify usage errors: one clear message, exit 2, never a traceback."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from cassette_support import ACCESS_KEY, COMMITTED, MISSION_DIR, SECRET_KEY, credential_chain_env

from connect_contract.contracts import ERROR_TYPE_HEADER


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
        (["record", "--endpoint", "http://127.0.0.1:99999"], "not a number from 1 to 65535"),
        (["verify", "--cassettes", "cassettes", "--endpoint", "http://127.0.0.1:4566 "], "contains whitespace"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--scenarios", "no-such-scenario"], "no-such-scenario"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--record-mode", "none"], "record-mode"),
        (["record", "--endpoint", "http://127.0.0.1:9", "--sigv4"], "no AWS credentials"),
        (["lint", "/definitely/not/here"], "does not exist"),
        (["verify", "--cassettes", "/definitely/not/here", "--endpoint", "http://127.0.0.1:9"], "does not exist"),
    ],
    ids=["no-endpoint", "endpoint", "port", "space", "scenario", "mode", "no-credentials", "lint-path", "verify-dir"],
)
def test_usage_errors(args: list[str], message: str) -> None:
    """In-process (click's runner, the same environment as ``_run``): a crash would be exit 1, not 2;
    the real entry point's usage errors are proven in a process by tests/test_cli.py."""
    from click.testing import CliRunner

    from connect_contract.cli import main

    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    result = CliRunner(env=env).invoke(main, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert message in result.stderr and "Traceback" not in result.stderr


def test_record_against_nothing_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    result = _run("record", "--endpoint", "http://127.0.0.1:9", "--out", str(tmp_path / "out"), "--timeout", "5")
    assert result.returncode == 1
    assert result.stdout.startswith("record: endpoint at http://127.0.0.1:9 unreachable (connection refused): none of")
    assert len(result.stdout.splitlines()) == 1  # one line, not a row per scenario
    assert not (tmp_path / "out").exists()


def test_record_list_shows_every_scenario() -> None:
    from connect_contract.cassettes.scenarios import load_scenarios

    result = _run("record", "--list")
    assert result.returncode == 0
    assert all(s.name in result.stdout for s in load_scenarios())


# --- lint: an empty directory, broken YAML, a cassette that records nothing (issue 15, item 10) ---


def test_lint_of_an_empty_directory_prints_only_the_error(tmp_path: Path) -> None:
    result = _run("lint", str(tmp_path))
    assert result.returncode == 2
    assert "lint:" not in result.stderr  # no clean-looking summary before the error
    assert result.stderr.strip().splitlines()[-1] == f"Error: no cassettes (*.yaml, *.yml) found in {tmp_path}"


def test_lint_names_the_line_and_column_of_broken_yaml(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text('interactions:\n- request:\n    method: POST\n    uri: "http://x/y\n', encoding="utf-8")
    result = _run("lint", str(broken))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{broken}: [not-a-cassette] not valid YAML: line 5, column 1: ")
    assert "(while scanning a quoted scalar at line 4, column 10)" in result.stdout


def test_lint_rejects_a_cassette_that_records_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    result = _run("lint", str(empty))
    assert result.returncode == 1
    assert result.stdout.strip() == f"{empty}: [no-interactions] the cassette has no interactions"


# --- record judges every answer before writing it (issue 15, item 3) ---


@pytest.fixture
def unrelated_http_server(tmp_path: Path) -> Iterator[str]:
    """What `python3 -m http.server` is: the standard library's file server (POST -> 501 HTML)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_record_against_an_unrelated_server_writes_nothing_and_fails(
    unrelated_http_server: str, tmp_path: Path
) -> None:
    from connect_contract.cassettes.scenarios import load_scenarios

    out = tmp_path / "out"
    kept = out / MISSION_DIR / "required-only-unknown-state.yaml"
    kept.parent.mkdir(parents=True)
    kept.write_bytes((COMMITTED / MISSION_DIR / "required-only-unknown-state.yaml").read_bytes())
    result = _run("record", "--endpoint", unrelated_http_server, "--out", str(out), "--record-mode", "all")
    assert result.returncode == 1, result.stderr
    count = len(load_scenarios())
    assert f"record: {count} scenarios: {count} rejected" in result.stderr
    assert "answers break the contract and were not written" in result.stderr
    assert "[error-type-missing] status 501 without an error type" in result.stdout
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]  # nothing new or replaced
    assert kept.read_bytes() == (COMMITTED / MISSION_DIR / "required-only-unknown-state.yaml").read_bytes()


def test_a_rejected_answer_is_judged_by_the_same_rules_as_lint(unrelated_http_server: str, tmp_path: Path) -> None:
    from connect_contract.cassettes.record import Target, record_scenarios
    from connect_contract.cassettes.scenarios import load_scenarios

    outcomes = record_scenarios(Target(unrelated_http_server), load_scenarios()[:1], tmp_path, "all")
    assert [(o.status, o.findings) for o in outcomes] == [
        ("rejected", [f"[error-type-missing] status 501 without an error type (header {ERROR_TYPE_HEADER} or body)"])
    ]


# --- --sigv4 never reaches the instance metadata or container services for a loopback endpoint (item 17) ---


class _MetadataDouble(http.server.BaseHTTPRequestHandler):
    """Stands in for 169.254.169.254 and the container credentials endpoint: counts every request."""

    hits: ClassVar[list[str]] = []

    def _answer(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(params=["instance-metadata", "container"])
def metadata_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment without credentials whose metadata (or container) endpoint is a local double.
    One at a time: botocore stops the chain at the first provider that fails, so each gets its own run."""
    _MetadataDouble.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MetadataDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_METADATA_SERVICE_NUM_ATTEMPTS="1",
    )
    if request.param == "container":
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url + "/container-credentials"
    else:
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = url + "/"
    try:
        yield env
    finally:
        server.shutdown()
        server.server_close()


def test_botocore_alone_would_ask_the_metadata_services(metadata_env: dict[str, str]) -> None:
    """The double is reachable: without the harness's guard the chain does query it."""
    probe = "import botocore.session; print(botocore.session.get_session().get_credentials())"
    subprocess.run([sys.executable, "-c", probe], env=metadata_env, capture_output=True, timeout=60, check=False)
    expected = "/container-credentials" if "AWS_CONTAINER_CREDENTIALS_FULL_URI" in metadata_env else "/latest/"
    assert any(expected in hit for hit in _MetadataDouble.hits), _MetadataDouble.hits


@pytest.mark.parametrize(
    "args",
    [
        ["record", "--endpoint", "http://127.0.0.1:9"],
        ["verify", "--cassettes", str(COMMITTED), "--endpoint", "http://127.0.0.1:9"],
        ["check", "--endpoint", "http://127.0.0.1:9"],
    ],
    ids=["record", "verify", "check"],
)
def test_sigv4_on_loopback_never_asks_the_metadata_services(args: list[str], metadata_env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "connect_contract", *args, "--sigv4"]
    result = subprocess.run(command, env=metadata_env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert "no AWS credentials found" in result.stderr and "instance metadata" not in result.stderr
    assert _MetadataDouble.hits == []


def test_sigv4_says_which_credential_source_it_used_and_never_the_secret(tmp_path: Path) -> None:
    env = credential_chain_env()
    command = [sys.executable, "-m", "connect_contract", "record", "--endpoint", "http://127.0.0.1:9", "--sigv4"]
    command += ["--out", str(tmp_path / "out"), "--timeout", "5"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "SigV4: signing with env credentials from the standard AWS chain" in result.stderr
    assert SECRET_KEY not in result.stdout + result.stderr and ACCESS_KEY not in result.stdout + result.stderr
