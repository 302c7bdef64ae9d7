"""Proof: cassettes recorded through the proxy from boto3 and the JS SDK v3 lint clean, hold no
secret, and replay to boto3 offline -- for the mission operation (the built-in mock) and a covering
sample of other Connect operations (the any-operation upstream)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from proxy_support import ACCESS_KEY, SECRET_KEY, call, client, params_for, running_proxy, sample_operations

from connect_contract.cassettes.inputs import sensitive_texts, value_for
from connect_contract.cassettes.lint import lint_paths
from connect_contract.cassettes.record import cassette_dir
from connect_contract.cassettes.replay import replay_cassette
from connect_contract.cassettes.store import load_interactions
from connect_contract.operations import ServiceOperation, mission_operation

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
CLOSED = "http://127.0.0.1:9"  # nothing listens: only a cassette can answer
MISSION_CALLS: list[dict[str, Any]] = [
    {"InstanceId": "instance-1", "State": "state-1"},
    {"InstanceId": "instance-1", "State": "state-2", "Code": "secret-code-value-2"},
    {"InstanceId": "instance-1", "State": "state-3", "Error": "access_denied", "ErrorDescription": "secret-denial-3"},
]


def _secrets(op: ServiceOperation, params: dict[str, Any]) -> list[str]:
    """Every sensitive value of the call and of the upstream's answer (the generator is deterministic)."""
    found: list[str] = []
    if op.model.input_shape is not None:
        sensitive_texts(op.model.input_shape, params, False, found)
    if op.model.output_shape is not None:
        sensitive_texts(op.model.output_shape, value_for(op.model.output_shape, every_member=True), False, found)
    return [text for text in found if len(text) >= 6]


@pytest.fixture(scope="module")
def boto3_recorded(tmp_path_factory: pytest.TempPathFactory, mock_url: str, anyop_url: str) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("boto3-recorded")
    report, junit = root.parent / "proxy.md", root.parent / "proxy.xml"
    live: dict[str, list[str]] = {}  # what boto3 saw live, per operation
    args = ("--record", str(root), "--report", str(report), "--junitxml", str(junit))
    with running_proxy(mock_url, *args) as to_mock:
        connect = client(to_mock.url)
        live[mission_operation().name] = [call(connect, mission_operation(), params)[0] for params in MISSION_CALLS]
    with running_proxy(anyop_url, "--record", str(root)) as to_anyop:
        connect = client(to_anyop.url)
        for op in sample_operations():
            live[op.name] = [call(connect, op, params_for(op))[0]]
    return {"root": root, "proxies": [to_mock, to_anyop], "live": live, "report": report, "junit": junit}


def test_every_exchange_passes_live_and_is_reported(boto3_recorded: dict[str, Any]) -> None:
    to_mock, to_anyop = boto3_recorded["proxies"]
    assert to_mock.returncode == 0 and to_anyop.returncode == 0, to_mock.stderr + to_anyop.stderr
    assert [line[:4] for line in to_mock.lines] == ["PASS"] * len(MISSION_CALLS), to_mock.stdout
    assert [line[:4] for line in to_anyop.lines] == ["PASS"] * len(sample_operations()), to_anyop.stdout
    live = dict(boto3_recorded["live"])
    assert live.pop(mission_operation().name) == ["InvalidRequestException", "200", "200"]  # neither Code nor Error
    assert all(v == ["200"] for v in live.values()), live
    report = boto3_recorded["report"].read_text()
    assert report.count("| PASS |") == len(MISSION_CALLS)
    assert 'tests="3" failures="0"' in boto3_recorded["junit"].read_text()


def test_the_cassettes_are_laid_out_per_operation_and_lint_clean(boto3_recorded: dict[str, Any]) -> None:
    root = boto3_recorded["root"]
    expected = {cassette_dir(root, op) / "proxy.yaml" for op in [mission_operation(), *sample_operations()]}
    assert set(root.rglob("*.yaml")) == expected
    report = lint_paths([root])
    assert report.problems == [] and report.interactions == len(MISSION_CALLS) + len(sample_operations())


def test_no_secret_reaches_the_cassettes(boto3_recorded: dict[str, Any]) -> None:
    secrets = {SECRET_KEY, ACCESS_KEY, "secret-code-value-2", "secret-denial-3"}
    for op in sample_operations():
        secrets |= set(_secrets(op, params_for(op)))
    assert len(secrets) > 10  # the sample really carries nested sensitive input and output
    text = "\n".join(p.read_text() for p in boto3_recorded["root"].rglob("*.yaml"))
    assert [s for s in sorted(secrets) if s in text] == []
    proxies = boto3_recorded["proxies"]
    logs = "".join(p.stdout + p.stderr for p in proxies) + boto3_recorded["report"].read_text()
    assert [s for s in sorted(secrets) if s in logs] == []


def test_the_cassettes_replay_to_boto3_offline(boto3_recorded: dict[str, Any]) -> None:
    root, live = boto3_recorded["root"], boto3_recorded["live"]
    mission = mission_operation()
    with replay_cassette(cassette_dir(root, mission) / "proxy.yaml"):
        replayed = [call(client(CLOSED), mission, params)[0] for params in MISSION_CALLS]
    assert replayed == live[mission.name]
    for op in sample_operations():
        with replay_cassette(cassette_dir(root, op) / "proxy.yaml"):
            status, answer = call(client(CLOSED), op, params_for(op))
        assert [status] == live[op.name], op.name
        assert answer or op.model.output_shape is None or not op.output, op.name


JS_SAMPLE = ("ListInstances", "DescribeInstance", "CreateUser", "TagResource", "UntagResource", "DescribeUser")
NODE_SCRIPT = """
const sdk = require("@aws-sdk/client-connect");
const client = new sdk.ConnectClient({ region: "us-east-1", endpoint: process.argv[1], maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: process.env.JS_SECRET } });
(async () => {
  const out = [];
  for (const [name, input] of JSON.parse(process.argv[2])) {
    try {
      const answer = await client.send(new sdk[name + "Command"](input));
      out.push(String(answer.$metadata.httpStatusCode));
    }
    catch (e) { out.push(e.name + ": " + e.message); }
  }
  console.log(JSON.stringify(out));
})();
"""


@pytest.mark.slow
@pytest.mark.skipif(not (NODE_MODULES / "@aws-sdk" / "client-connect").is_dir(), reason="run `npm ci` first")
def test_the_javascript_sdk_records_through_the_proxy_and_boto3_replays_it(
    tmp_path: Path, mock_url: str, anyop_url: str
) -> None:
    ops = [op for op in sample_operations() if op.name in JS_SAMPLE]
    calls = [[op.name, params_for(op)] for op in ops]
    mission_calls = [["UpdateParticipantAuthentication", params] for params in MISSION_CALLS]
    node_env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "JS_SECRET": SECRET_KEY}
    outputs = []
    for upstream, batch in ((mock_url, mission_calls), (anyop_url, calls)):
        with running_proxy(upstream, "--record", str(tmp_path)) as proxy:
            result = subprocess.run(
                ["node", "-e", NODE_SCRIPT, proxy.url, json.dumps(batch)],
                capture_output=True,
                text=True,
                timeout=60,
                env=node_env,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            outputs.append(json.loads(result.stdout))
        assert proxy.returncode == 0, proxy.stdout + proxy.stderr
    assert outputs[1] == ["200"] * len(calls) and outputs[0][1:] == ["200", "200"], outputs
    assert lint_paths([tmp_path]).problems == []
    assert len(load_interactions([tmp_path])) == len(mission_calls) + len(calls)
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*.yaml"))
    assert SECRET_KEY not in text and "secret-code-value-2" not in text
    # Recorded from JavaScript (lower-case headers, its own query order), replayed to boto3.
    for op in ops:
        with replay_cassette(cassette_dir(tmp_path, op) / "proxy.yaml"):
            assert call(client(CLOSED), op, params_for(op))[0] == "200", op.name
    with replay_cassette(cassette_dir(tmp_path, mission_operation()) / "proxy.yaml"):
        replayed = [call(client(CLOSED), mission_operation(), p)[0] for p in MISSION_CALLS]
        assert replayed == ["InvalidRequestException", "200", "200"]
