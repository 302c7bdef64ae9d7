"""The proxy as a command: signals and exit codes, reports, bad input, bad upstreams, signing, CLI mistakes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.credentials import Credentials
from proxy_support import ACCESS_KEY, SECRET_KEY, SIGNED, call, client, env, running_proxy

from connect_contract.mock import MockConfig, running_mock
from connect_contract.model import load_operation
from connect_contract.operations import mission_operation, resolve_operations
from connect_contract.proxy.app import MAX_BODY, PROXY_ERROR, ExchangeRecord, ProxyApp, ProxySettings
from connect_contract.serving import serve_in_thread
from connect_contract.sigv4 import sign

URI = load_operation().request_uri
VALID = {"InstanceId": "instance-1", "State": "state-1", "Code": "secret-code-value-9"}


@contextmanager
def proxy_to(upstream: str, timeout: float = 10.0) -> Iterator[tuple[str, list[ExchangeRecord]]]:
    records: list[ExchangeRecord] = []
    settings = ProxySettings(
        upstream=upstream, service="connect", operations=resolve_operations("connect", "all"), timeout=timeout
    )
    with serve_in_thread(ProxyApp(settings, records.append)) as url:
        yield url, records


def test_sigterm_writes_the_reports_and_exits_1_after_a_required_failure(mock_url: str, tmp_path: Path) -> None:
    report, junit = tmp_path / "r.md", tmp_path / "j.xml"
    with running_proxy(mock_url, "--report", str(report), "--junitxml", str(junit), stop=signal.SIGTERM) as proxy:
        assert requests.post(proxy.url + URI, json=VALID, auth=SIGNED, timeout=5).status_code == 200
        requests.post(proxy.url + "/contact/no-such-operation", json=VALID, auth=SIGNED, timeout=5)
    assert proxy.returncode == 1, proxy.stderr
    assert [line[:4] for line in proxy.lines] == ["PASS", "FAIL"]
    assert "req.path" in proxy.stdout
    assert "| 2 | FAIL |" in report.read_text() and 'failures="1"' in junit.read_text()
    assert "secret-code-value-9" not in proxy.stdout + proxy.stderr + report.read_text() + junit.read_text()


def test_bad_input_gets_a_clear_verdict_and_the_upstreams_answer(mock_url: str) -> None:
    with proxy_to(mock_url) as (url, records):
        json_type = {"Content-Type": "application/json"}
        not_json = requests.post(url + URI, data=b"{not json", headers=json_type, auth=SIGNED, timeout=5)
        huge = requests.post(url + URI, data=b"x" * (MAX_BODY + 1), timeout=10)
        nowhere = requests.get(url + "/%ZZ/..//?a=%", timeout=5)
        still = requests.post(url + URI, json=VALID, auth=SIGNED, timeout=5)
    assert not_json.status_code == 400 and not_json.headers["x-amzn-errortype"] != PROXY_ERROR  # the upstream's
    assert huge.status_code == 413 and huge.headers["x-amzn-errortype"] == PROXY_ERROR
    assert nowhere.status_code == 404  # the mock's answer, forwarded
    assert still.status_code == 200  # the proxy lives on
    rules = [{f.rule for f in r.findings} for r in records]
    assert rules[0] == {"req.body-json-object"} and "not JSON" in str(records[0].findings)
    assert rules[1] == {"req.path"} and records[2].verdict == "PASS"


def test_an_unreachable_upstream_gets_responds_and_a_502(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with proxy_to(f"http://127.0.0.1:{port}") as (url, records):
        answer = requests.post(url + URI, json=VALID, auth=SIGNED, timeout=5)
    assert answer.status_code == 502 and answer.headers["x-amzn-errortype"] == PROXY_ERROR
    assert [f.rule for f in records[0].findings] == ["responds"]


def test_a_hanging_upstream_gets_a_verdict_in_bounded_time() -> None:
    release = threading.Event()

    async def hang(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            while not release.is_set():
                import asyncio

                await asyncio.sleep(0.05)

    try:
        with serve_in_thread(hang) as upstream, proxy_to(upstream, timeout=0.5) as (url, records):
            started = time.monotonic()
            answer = requests.post(url + URI, json=VALID, auth=SIGNED, timeout=10)
            elapsed = time.monotonic() - started
            release.set()  # before the upstream's shutdown waits for its handler
    finally:
        release.set()
    assert answer.status_code == 502 and elapsed < 3
    assert records[0].findings[0].rule == "responds" and "0.5 s" in records[0].findings[0].message


@pytest.fixture(scope="module")
def sigv4_mock() -> Iterator[str]:
    with running_mock(MockConfig(auth="sigv4", credentials={ACCESS_KEY: SECRET_KEY})) as url:
        yield url


def test_resigning_lets_a_client_signed_for_the_proxy_reach_a_signing_upstream(sigv4_mock: str) -> None:
    with running_proxy(sigv4_mock, "--sigv4-resign") as proxy:
        status = call(client(proxy.url), mission_operation(), VALID)[0]
    assert status == "200" and proxy.returncode == 0, proxy.stdout + proxy.stderr
    assert "re-signing with env credentials" in proxy.stderr
    assert SECRET_KEY not in proxy.stdout + proxy.stderr and ACCESS_KEY not in proxy.stdout + proxy.stderr


def test_without_resigning_the_changed_host_breaks_the_signature(sigv4_mock: str) -> None:
    with running_proxy(sigv4_mock) as proxy:
        status = call(client(proxy.url), mission_operation(), VALID)[0]
    assert status != "200"  # the upstream judged the signature for its own host: forwarded as it came


def test_a_request_signed_for_the_upstream_host_is_forwarded_untouched(sigv4_mock: str) -> None:
    body = b'{"InstanceId": "instance-1", "State": "state-1", "Code": "secret-code-value-9"}'
    headers = {"Content-Type": "application/json"}
    headers |= sign(
        "POST",
        sigv4_mock + URI,
        body,
        headers,
        Credentials(ACCESS_KEY, SECRET_KEY),
        region="us-east-1",
        service="connect",
    )
    with running_proxy(sigv4_mock) as proxy:
        answer = requests.post(
            proxy.url + URI, data=body, headers={**headers, "Host": urlsplit(sigv4_mock).netloc}, timeout=5
        )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing option '--upstream'"),
        (["--upstream", "localhost:8080"], "must be an http(s) URL"),
        (["--upstream", "http://127.0.0.1:1", "--operation", "NoSuchOperation"], "has no operation"),
        (["--upstream", "http://127.0.0.1:1", "--service", "sqs"], "not 'rest-json'"),
    ],
)
def test_cli_mistakes_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    from click.testing import CliRunner

    from connect_contract.cli import main

    result = CliRunner().invoke(main, ["proxy", *args])
    assert result.exit_code == 2 and message in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash


def test_resigning_without_credentials_is_a_usage_error(tmp_path: Path) -> None:
    bare = {k: v for k, v in env().items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")}
    result = subprocess.run(
        [sys.executable, "-m", "connect_contract", "proxy", "--upstream", "http://127.0.0.1:1", "--sigv4-resign"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**bare, "HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 2 and "--sigv4-resign: no AWS credentials" in result.stderr


def test_operations_outside_the_chosen_ones_are_forwarded_unjudged(anyop_url: str) -> None:
    records: list[ExchangeRecord] = []
    chosen = resolve_operations("connect", "Describe*")
    settings = ProxySettings(upstream=anyop_url, service="connect", operations=chosen)
    with serve_in_thread(ProxyApp(settings, records.append)) as url:
        assert requests.get(url + "/instance", auth=SIGNED, timeout=5).status_code == 200  # ListInstances: not chosen
        assert requests.get(url + "/instance/contract-instance-id", auth=SIGNED, timeout=5).status_code == 200
    assert [(r.operation, r.verdict) for r in records] == [("ListInstances", "SKIP"), ("DescribeInstance", "PASS")]
