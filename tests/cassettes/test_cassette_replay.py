"""Replay: recorded truth answers Python clients offline (vcrpy) and any client over HTTP (replay server)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from cassette_support import ACCESS_KEY, COMMITTED, SECRET_KEY

from connect_contract.cassettes.lint import error_type
from connect_contract.cassettes.replay import replay_cassette
from connect_contract.cassettes.replay_server import MISMATCH, CassetteDirectoryError, create_app
from connect_contract.cassettes.store import Interaction, load_interactions
from connect_contract.contracts import ERROR_TYPE_HEADER, request_validator
from connect_contract.model import load_operation
from connect_contract.serving import serve_in_thread

OP = load_operation()
ALL = load_interactions([COMMITTED])
# What boto3 can send at all: it validates required members, types and minimum lengths client-side.
BOTO3_SENDABLE = [
    i for i in ALL if not i.malformed and request_validator().is_valid(json.loads(i.request_body or b"null"))
]
CLOSED = "http://127.0.0.1:9"  # nothing listens: only a cassette can answer
REPO_NODE_MODULES = COMMITTED.parent / "node_modules"


def _client(endpoint: str) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def _call(client: Any, interaction: Interaction, tweak: Callable[[dict[str, Any]], None] = lambda _b: None) -> str:
    """The outcome a boto3 user sees: "200" or the error code."""
    body = json.loads(interaction.request_body)
    tweak(body)
    try:
        answer = client.update_participant_authentication(**body)
    except botocore.exceptions.ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return str(answer["ResponseMetadata"]["HTTPStatusCode"])


def _recorded(interaction: Interaction) -> str:
    return "200" if interaction.status == 200 else str(error_type(interaction))


def _reverse_keys(body: dict[str, Any]) -> None:
    items = list(body.items())[::-1]
    body.clear()
    body.update(items)


@pytest.mark.parametrize("interaction", BOTO3_SENDABLE, ids=lambda i: i.scenario)
def test_boto3_replays_each_cassette_offline(
    interaction: Interaction, connect_cassette: Callable[..., AbstractContextManager[Any]]
) -> None:
    with connect_cassette(interaction.file):
        assert _call(_client(CLOSED), interaction, _reverse_keys) == _recorded(interaction)


def test_sensitive_members_match_by_presence_not_by_value() -> None:
    interaction = next(i for i in BOTO3_SENDABLE if OP.sensitive_members[0].name in json.loads(i.request_body))
    name = OP.sensitive_members[0].name
    with replay_cassette(interaction.file):
        assert _call(_client(CLOSED), interaction, lambda b: b.update({name: "a-different-secret"})) == _recorded(
            interaction
        )


def test_an_unrecorded_request_fails_loudly_offline() -> None:
    interaction = BOTO3_SENDABLE[0]
    other = OP.required_members[0].name
    with replay_cassette(interaction.file), pytest.raises(botocore.exceptions.HTTPClientError, match="contract_body"):
        _call(_client(CLOSED), interaction, lambda b: b.update({other: "never-recorded"}))


@pytest.fixture(scope="module")
def replay_url() -> Iterator[str]:
    with serve_in_thread(create_app(COMMITTED)) as url:
        yield url


def _raw(url: str, body: bytes, headers: dict[str, str], method: str = "POST", path: str = "") -> Any:
    """A bare HTTP/1.1 exchange, as curl or any language's HTTP library would do it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path or OP.request_uri, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.getheader(ERROR_TYPE_HEADER), answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("interaction", ALL, ids=lambda i: i.scenario)
def test_the_replay_server_answers_every_recording_to_raw_http(replay_url: str, interaction: Interaction) -> None:
    content_type = interaction.request_header("Content-Type")
    headers = {"Content-Type": content_type} if content_type else {}
    status, kind, body = _raw(replay_url, interaction.request_body, headers)
    assert (status, kind, body) == (
        interaction.status,
        interaction.response_header(ERROR_TYPE_HEADER),
        interaction.response_body,
    )


def test_key_order_whitespace_and_signatures_do_not_matter(replay_url: str) -> None:
    interaction = BOTO3_SENDABLE[0]
    reordered = json.dumps(dict(reversed(list(json.loads(interaction.request_body).items()))), indent=2).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "Authorization": "AWS4-HMAC-SHA256 whatever"}
    assert _raw(replay_url, reordered, headers)[0] == interaction.status


def test_boto3_through_the_replay_server(replay_url: str) -> None:
    client = _client(replay_url)
    for interaction in BOTO3_SENDABLE:
        assert _call(client, interaction) == _recorded(interaction), interaction.scenario


def test_an_unmatched_request_gets_a_clear_4xx_naming_the_closest_interaction(replay_url: str) -> None:
    interaction = BOTO3_SENDABLE[0]
    body = json.loads(interaction.request_body)
    changed = OP.required_members[0].name
    body[changed] = "never-recorded-value"
    status, kind, raw = _raw(replay_url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    answer = json.loads(raw)
    assert (status, kind) == (404, MISMATCH)
    assert "(scenario " in answer["Closest"] and "#0" in answer["Closest"]
    assert any(d.startswith(f"member {changed}:") and "never-recorded-value" in d for d in answer["Differences"])
    assert answer["Differences"] == [d for d in answer["Differences"] if changed in d]  # only what differs
    wrong_route = _raw(replay_url, b"{}", {"Content-Type": "application/json"}, path="/elsewhere")
    assert wrong_route[0] == 404 and b"No interaction was recorded for POST /elsewhere" in wrong_route[2]


def test_sensitive_values_are_never_echoed_in_a_mismatch(replay_url: str) -> None:
    body = {m.name: "x" for m in OP.required_members} | {m.name: "echo-me-not-123" for m in OP.sensitive_members}
    raw = _raw(replay_url, json.dumps(body).encode(), {"Content-Type": "application/json"})[2]
    assert b"echo-me-not-123" not in raw


def test_create_app_refuses_unusable_directories(tmp_path: Path) -> None:
    with pytest.raises(CassetteDirectoryError, match="not a directory"):
        create_app(tmp_path / "missing")
    with pytest.raises(CassetteDirectoryError, match="no"):
        create_app(tmp_path)
    (tmp_path / "bad.yaml").write_text("[1, 2]\n")
    with pytest.raises(CassetteDirectoryError, match=r"bad\.yaml"):
        create_app(tmp_path)


def test_connect_contract_serve_cassettes_end_to_end() -> None:
    command = [sys.executable, "-m", "connect_contract", "serve", "--cassettes", str(COMMITTED), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else ""
        interaction = BOTO3_SENDABLE[0]
        assert _raw(url, interaction.request_body, {"Content-Type": "application/json"})[0] == interaction.status
    finally:
        process.terminate()
        process.wait(timeout=10)


NODE_SCRIPT = """
const { ConnectClient, UpdateParticipantAuthenticationCommand } = require("@aws-sdk/client-connect");
const client = new ConnectClient({ region: "us-east-1", endpoint: process.argv[1], maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" } });
(async () => {
  const out = [];
  for (const input of JSON.parse(process.argv[2])) {
    try {
      const answer = await client.send(new UpdateParticipantAuthenticationCommand(input));
      out.push(String(answer.$metadata.httpStatusCode));
    }
    catch (e) { out.push(e.name); }
  }
  console.log(JSON.stringify(out));
})();
"""


@pytest.mark.slow
@pytest.mark.skipif(not (REPO_NODE_MODULES / "@aws-sdk" / "client-connect").is_dir(), reason="run `npm ci` first")
def test_the_javascript_sdk_through_the_replay_server(replay_url: str) -> None:
    inputs = [json.loads(i.request_body) for i in BOTO3_SENDABLE]
    result = subprocess.run(
        ["node", "-e", NODE_SCRIPT, replay_url, json.dumps(inputs)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": str(REPO_NODE_MODULES)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [_recorded(i) for i in BOTO3_SENDABLE]


def test_the_readme_replay_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (COMMITTED.parent / "docs" / "cassettes.md").read_text()
    section = readme[readme.index("# Cassettes") :]
    example = section[section.index("```python\n") + len("```python\n") :]
    namespace: dict[str, Any] = {}
    exec(compile(example[: example.index("```")], "docs/cassettes.md", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 1
    monkeypatch.chdir(COMMITTED.parent)  # the example names cassettes/ relative to the repository
    tests[0](replay_cassette)  # what the connect_cassette fixture hands out
