"""Cassettes for any operation: recorded per service and operation from model-expanded scenarios,
sensitive values redacted wherever they travel (query, label, nested body and output members),
equivalent requests matched, and the broken-cassette catalogue reaching the new bindings."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "proxy"))
from anyop_upstream import AnyOperationUpstream

from connect_contract.cassettes.lint import lint_file, lint_paths
from connect_contract.cassettes.record import Target, cassette_dir, record_scenarios
from connect_contract.cassettes.replay_server import create_app
from connect_contract.cassettes.scenarios import scenarios_for
from connect_contract.operations import ServiceOperation, load_service_operation
from connect_contract.serving import serve_in_thread

# (service, operation): a sensitive query value, a sensitive label, nested sensitive input, a label with
# a length rule, nested sensitive output in a list, and a sensitive output structure.
OPERATIONS = [
    ("chime", "ListUsers"),
    ("chime-sdk-voice", "GetPhoneNumber"),
    ("connect", "CreateUser"),
    ("connect", "DescribeInstance"),
    ("connect", "ListInstances"),
    ("connect", "GetFederationToken"),
]


def _ops() -> list[ServiceOperation]:
    return [load_service_operation(service, name) for service, name in OPERATIONS]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("anyop")
    secrets: list[str] = []
    outcomes = []
    for op in _ops():
        with serve_in_thread(AnyOperationUpstream(op.service_name)) as url:
            scenarios = scenarios_for(op)
            secrets += [s for scenario in scenarios for s in scenario.sent_values()]
            outcomes += record_scenarios(Target(url, kind="loopback"), scenarios, root, "all", op)
    yield {"root": root, "outcomes": outcomes, "secrets": secrets}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _cassette(recorded: dict[str, Any], service: str, operation: str, scenario: str) -> Path:
    return cassette_dir(recorded["root"], load_service_operation(service, operation)) / f"{scenario}.yaml"


def test_every_operation_is_recorded_per_service_and_operation_and_lint_clean(recorded: dict[str, Any]) -> None:
    assert {o.status for o in recorded["outcomes"]} == {"written"}, [
        (o.scenario, o.status, o.detail, o.findings) for o in recorded["outcomes"]
    ]
    for op in _ops():
        assert sorted(p.stem for p in cassette_dir(recorded["root"], op).glob("*.yaml")), op
    report = lint_paths([recorded["root"]])
    assert report.problems == [] and report.files == len(recorded["outcomes"])


def test_sensitive_values_are_redacted_in_query_label_and_nested_members(recorded: dict[str, Any]) -> None:
    secrets = {s for s in recorded["secrets"] if len(s) >= 6}
    assert {"user@example.com", "contract-phone-number-id", "contract-first-name"} <= secrets
    text = "\n".join(p.read_text() for p in recorded["root"].rglob("*.yaml"))
    encoded = {quote(s, safe="") for s in secrets}
    assert [s for s in sorted(secrets | encoded) if s in text] == []
    # and the answers' sensitive members too: ListInstances' nested InstanceAlias, GetFederationToken's Credentials
    assert "contract-instance-alias" not in text and "contract-access-token" not in text
    listed = _load(_cassette(recorded, "chime", "ListUsers", "all-members"))
    assert "user-email=xxxx%40xxxxxxx.xxx" in listed["interactions"][0]["request"]["uri"]  # shape kept, text gone


def test_equivalent_requests_match_in_the_replay_server(recorded: dict[str, Any]) -> None:
    with serve_in_thread(create_app(recorded["root"])) as url:
        # the recorded order is nextToken, maxResults; the JS SDK sorts keys: same request
        listed = requests.get(url + "/instance?maxResults=1&nextToken=contract-next-token", timeout=5)
        assert listed.status_code == 200, listed.text
        # another valid sensitive query value matches by presence, and the path's %-encoding is normalized
        other = requests.get(
            url + "/accounts/contract-account-id/users?next-token=contract-next-token&max-results=1"
            "&user-type=PrivateUser&user-email=someone%40example.org",
            timeout=5,
        )
        assert other.status_code == 200, other.text
        body = json.loads(
            _load(_cassette(recorded, "connect", "CreateUser", "all-members"))["interactions"][0]["request"]["body"]
        )
        reordered = json.dumps(dict(reversed(list(body.items()))))
        created = requests.put(
            url + "/users/contract-instance-id", data=reordered, headers={"CONTENT-TYPE": "application/json"}, timeout=5
        )
        assert created.status_code == 200, created.text
        missed = requests.get(url + "/instance?maxResults=2&nextToken=contract-next-token", timeout=5)
        assert missed.status_code == 404 and "query: recorded" in missed.json()["Message"]


# --- the broken-cassette catalogue, new bindings ----------------------------------------------------


def _checks(path: Path) -> set[str]:
    problems, _ = lint_file(path)
    return {p.check for p in problems}


def test_a_secret_in_a_query_parameter_is_found(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "chime", "ListUsers", "all-members"))
    request = data["interactions"][0]["request"]
    request["uri"] = request["uri"].replace("xxxx%40xxxxxxx.xxx", "jane%40corp.com")
    problems, _ = lint_file(_write(tmp_path / "query-secret.yaml", data))
    assert [(p.check, p.message) for p in problems] == [
        ("secret", "request uri query: sensitive member a sensitive label or query value is not redacted")
    ]
    assert "jane" not in str(problems)


def test_a_secret_in_a_nested_member_is_found(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "connect", "CreateUser", "all-members"))
    request = data["interactions"][0]["request"]
    body = json.loads(request["body"])
    body["IdentityInfo"]["FirstName"] = "Jane"
    request["body"] = json.dumps(body)
    problems, _ = lint_file(_write(tmp_path / "nested-secret.yaml", data))
    assert [p.check for p in problems] == ["secret"]
    assert "FirstName at IdentityInfo/FirstName" in problems[0].message and "Jane" not in problems[0].message


def test_a_secret_in_a_nested_output_member_is_found(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "connect", "ListInstances", "all-members"))
    response = data["interactions"][0]["response"]
    body = json.loads(response["body"]["string"])
    body["InstanceSummaryList"][0]["InstanceAlias"] = "my-real-alias"
    response["body"]["string"] = json.dumps(body)
    assert _checks(_write(tmp_path / "output-secret.yaml", data)) == {"secret"}


def test_a_request_that_breaks_its_label_rule_is_found(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "connect", "DescribeInstance", "required-only"))
    request = data["interactions"][0]["request"]
    request["uri"] = request["uri"].replace("/instance/contract-instance-id", "/instance/" + "i" * 101)
    problems, _ = lint_file(_write(tmp_path / "label-too-long.yaml", data))
    assert [p.check for p in problems] == ["request-label"]
    assert "path/InstanceId" in problems[0].message


def test_an_output_member_of_the_wrong_type_is_found(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "connect", "ListInstances", "all-members"))
    response = data["interactions"][0]["response"]
    body = json.loads(response["body"]["string"])
    body["NextToken"] = 42
    response["body"]["string"] = json.dumps(body)
    problems, _ = lint_file(_write(tmp_path / "wrong-type.yaml", data))
    assert [p.check for p in problems] == ["success-body-invalid"]
    assert "NextToken" in problems[0].message


def test_an_unknown_operation_in_the_metadata_is_a_clear_problem(recorded: dict[str, Any], tmp_path: Path) -> None:
    data = _load(_cassette(recorded, "connect", "ListInstances", "all-members"))
    data["metadata"]["operation"]["name"] = "ListInstancez"
    problems, _ = lint_file(_write(tmp_path / "unknown-op.yaml", data))
    assert [p.check for p in problems] == ["not-a-cassette"]
    assert "ListInstances" in problems[0].message  # the did-you-mean


def test_an_answer_echoing_a_sensitive_query_value_is_refused(tmp_path: Path) -> None:
    op = load_service_operation("chime", "ListUsers")
    scenario = next(s for s in scenarios_for(op) if s.name == "all-members")

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = json.dumps({"Users": [], "NextToken": scope["query_string"].decode()}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    with serve_in_thread(echo) as url:
        (outcome,) = record_scenarios(Target(url, kind="loopback"), [scenario], tmp_path, "all", op)
    assert outcome.status == "refused", outcome
    assert not list(tmp_path.rglob("*.yaml"))


def test_a_sensitive_header_and_a_sensitive_blob_payload_are_redacted_and_scanned() -> None:
    from vcr.request import Request

    from connect_contract.cassettes.redact import redact_request
    from connect_contract.cassettes.scan import scan_cassette

    op = load_service_operation("bedrock-runtime", "InvokeModel")
    headers = {"X-Amzn-Bedrock-Request-Metadata": "secret-meta-value", "Content-Type": "application/json"}
    body = b'{"prompt": "a secret prompt"}'
    uri = "http://127.0.0.1:8/model/anthropic.claude-v2/invoke"
    metadata = {"operation": {"service": "bedrock-runtime", "name": "InvokeModel"}}

    def cassette(request: Any) -> dict[str, Any]:
        response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": ""}}
        headers = {name: [value] for name, value in request.headers.items()}
        part = {"method": "POST", "uri": request.uri, "headers": headers, "body": request.body.decode()}
        return {"interactions": [{"request": part, "response": response}], "metadata": metadata}

    leaked = cassette(Request("POST", uri, body, headers))
    assert sorted(f.where for f in scan_cassette(leaked)) == [
        "request body",
        "request headers X-Amzn-Bedrock-Request-Metadata",
    ]
    redacted = redact_request(Request("POST", uri, body, headers), op)
    text = json.dumps(cassette(redacted))
    assert "secret" not in text and scan_cassette(cassette(redacted)) == []
    assert len(redacted.headers["X-Amzn-Bedrock-Request-Metadata"]) == len("secret-meta-value")


def test_cli_record_takes_service_and_operation(tmp_path: Path) -> None:
    import subprocess

    with serve_in_thread(AnyOperationUpstream("connect")) as url:
        args = ["record", "--service", "connect", "--operation", "ListInstances", "--endpoint", url]
        result = subprocess.run(
            [sys.executable, "-m", "connect_contract", *args, "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml"))
    assert written == ["connect/ListInstances/all-members.yaml", "connect/ListInstances/required-only.yaml"]
    assert lint_paths([tmp_path]).problems == []


def test_verify_replays_any_operation_and_filters_by_service_and_operation(recorded: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from connect_contract.cli import main

    def verify(url: str, *args: str) -> Any:
        return CliRunner().invoke(main, ["verify", "--cassettes", str(recorded["root"]), "--endpoint", url, *args])

    with serve_in_thread(AnyOperationUpstream("connect")) as url:
        every = verify(url, "--service", "connect")
        listed = verify(url, "--operation", "List*")
        unknown = verify(url, "--operation", "NoSuchOperation")
    connect_cassettes = [p for p in recorded["root"].rglob("*.yaml") if p.parts[-3] == "connect"]
    assert every.exit_code == 0 and f"verify: {len(connect_cassettes)} interactions, 0 mismatches" in every.output
    assert listed.exit_code == 0 and "verify: 2 interactions, 0 mismatches" in listed.output
    assert unknown.exit_code == 2 and "has no operation 'NoSuchOperation'" in unknown.output
    with serve_in_thread(AnyOperationUpstream("connect", defect="wrong_member_type")) as url:
        broken = verify(url, "--operation", "ListInstances")
    assert broken.exit_code == 1 and "MISMATCH" in broken.output
