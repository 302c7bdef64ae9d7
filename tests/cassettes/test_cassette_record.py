"""Recording against real servers: the reference mock verifying SigV4, boto3 sessions, leaky servers."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.credentials import Credentials
from cassette_support import ACCESS_KEY, SECRET_KEY, credential_chain_env, error, scripted, snapshot

from connect_contract.cassettes.lint import lint_paths
from connect_contract.cassettes.persister import load_yaml
from connect_contract.cassettes.record import (
    SecretRefused,
    Target,
    cassette_dir,
    provenance,
    record_scenarios,
    recording,
)
from connect_contract.cassettes.replay import replay_cassette
from connect_contract.cassettes.scenarios import load_scenarios
from connect_contract.model import load_operation
from connect_contract.operations import mission_operation
from connect_contract.serving import serve_in_thread

SCENARIOS = load_scenarios()
OP = load_operation()
SENSITIVE = [m.name for m in OP.sensitive_members]
ERROR = OP.errors[0]


def _secrets_sent() -> set[str]:
    return {v for s in SCENARIOS for v in s.sent_values() if len(v) >= 6}


@pytest.fixture(scope="module")
def recorded(sigv4_mock: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("recorded")
    creds = Credentials(ACCESS_KEY, SECRET_KEY)
    outcomes = record_scenarios(Target(sigv4_mock, credentials=creds), SCENARIOS, out)
    assert {o.status for o in outcomes} == {"written"}, [(o.scenario, o.status, o.detail) for o in outcomes]
    return out


def test_every_scenario_is_recorded_signed_redacted_and_lint_clean(recorded: Path) -> None:
    files = sorted(recorded.rglob("*.yaml"))
    assert {f.parent for f in files} == {cassette_dir(recorded, mission_operation())}
    assert sorted(f.stem for f in files) == sorted(s.name for s in SCENARIOS)
    report = lint_paths([recorded])
    assert report.problems == [] and report.interactions == len(SCENARIOS)
    secrets = _secrets_sent() | {SECRET_KEY}
    for path in files:
        text = path.read_text()
        assert not [s for s in secrets if s in text], path.name
        assert "!!binary" not in text
        meta = load_yaml(text)["metadata"]
        assert meta["provenance"]["endpoint_kind"] == "mock" and meta["provenance"]["signed"] is True
        assert ACCESS_KEY not in json.dumps(meta)


def test_signing_is_really_checked_by_the_mock(sigv4_mock: str, tmp_path: Path) -> None:
    """With a wrong secret the mock rejects the signature; the recorder judges that answer as lint
    would (a 403 SigV4 error is not one of the operation's modeled errors) and writes nothing."""
    wrong = Credentials(ACCESS_KEY, "not-the-secret")
    (outcome,) = record_scenarios(Target(sigv4_mock, credentials=wrong), SCENARIOS[:1], tmp_path)
    assert outcome.status == "rejected"
    assert outcome.findings == [
        "[unknown-error-type] error type InvalidSignatureException is not modeled for this operation"
    ]
    assert not outcome.path.exists() and list(tmp_path.iterdir()) == []


def test_re_recording_is_byte_for_byte_deterministic(sigv4_mock: str, recorded: Path, tmp_path: Path) -> None:
    again = record_scenarios(Target(sigv4_mock, credentials=Credentials(ACCESS_KEY, SECRET_KEY)), SCENARIOS, tmp_path)
    assert {o.status for o in again} == {"written"}
    assert snapshot(tmp_path) == snapshot(recorded)


def test_record_modes_once_never_overwrites_all_does(sigv4_mock: str, tmp_path: Path) -> None:
    target = Target(sigv4_mock, credentials=Credentials(ACCESS_KEY, SECRET_KEY))
    scenario = SCENARIOS[:1]
    path = cassette_dir(tmp_path, mission_operation()) / f"{scenario[0].name}.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"sentinel: not a cassette\n")
    (once,) = record_scenarios(target, scenario, tmp_path, "once")
    assert once.status == "kept" and path.read_bytes() == b"sentinel: not a cassette\n"
    (first,) = record_scenarios(target, scenario, tmp_path, "all")
    assert first.status == "written" and lint_paths([path]).problems == []
    before = path.read_bytes()
    (episodes,) = record_scenarios(target, scenario, tmp_path, "new_episodes")
    assert episodes.status == "unchanged" and path.read_bytes() == before


def _echo_code(body: bytes) -> tuple[int, dict[str, str], bytes]:
    sent = json.loads(body)
    return error(ERROR.name, ERROR.status, f"bad value {sent.get(SENSITIVE[0])}")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (_echo_code, "a value this recording sent as a sensitive member"),
        (lambda _b: error(ERROR.name, ERROR.status, f"signed with {SECRET_KEY}"), "secret-access-key-like"),
    ],
    ids=["echoes-code", "echoes-secret-key"],
)
def test_a_leaky_answer_is_refused_and_nothing_is_written(answer: object, kind: str, tmp_path: Path) -> None:
    scenario = next(s for s in SCENARIOS if not s.malformed and SENSITIVE[0] in json.loads(s.body))
    old = cassette_dir(tmp_path, mission_operation()) / f"{scenario.name}.yaml"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old bytes\n")
    with serve_in_thread(scripted(answer)) as url:  # type: ignore[arg-type]
        (outcome,) = record_scenarios(
            Target(url, credentials=Credentials(ACCESS_KEY, SECRET_KEY)), [scenario], tmp_path, "all"
        )
    assert outcome.status == "refused"
    assert any(kind in f.kind and f.index == 0 and f.where.startswith("response") for f in outcome.findings)
    assert snapshot(old.parent) == {old.name: b"old bytes\n"}  # untouched, and no temporary left behind


def test_account_ids_and_key_ids_in_answers_are_redacted_not_refused(tmp_path: Path) -> None:
    message = "arn:aws:connect:us-east-1:123456789012:instance/x denied for AKIAIOSFODNN7EXAMPLE"
    with serve_in_thread(scripted(lambda _b: error(ERROR.name, ERROR.status, message))) as url:
        (outcome,) = record_scenarios(Target(url), SCENARIOS[:1], tmp_path)
    text = outcome.path.read_text()
    assert outcome.status == "written" and "123456789012" not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    assert lint_paths([tmp_path]).problems == []


def test_a_boto3_session_is_recorded_redacted_and_replays_offline(sigv4_mock: str, tmp_path: Path) -> None:
    path = tmp_path / "boto3-session.yaml"
    code, error_text = "boto3-session-code-271828", "boto3 session error text"
    meta = {"provenance": provenance(kind="mock", region="us-east-1", signed=True, record_mode="once")}

    def calls(endpoint: str) -> list[object]:
        client = boto3.client(
            "connect",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        results: list[object] = [client.update_participant_authentication(InstanceId="i-1", State="s-1", Code=code)]
        try:
            client.update_participant_authentication(InstanceId="i-1", State="s-1", Code=code, Error=error_text)
        except client.exceptions.InvalidRequestException as exc:
            results.append(exc.response["Error"]["Code"])
        return results

    with recording(path, metadata=meta, known_secrets=[code, error_text, SECRET_KEY]):
        live = calls(sigv4_mock)  # the client is created inside the block (vcrpy pitfall)
    text = path.read_text()
    assert code not in text and error_text not in text and SECRET_KEY not in text and "!!binary" not in text
    assert lint_paths([path]).problems == []
    assert [r["ResponseMetadata"]["HTTPStatusCode"] if isinstance(r, dict) else r for r in live] == [
        200,
        "InvalidRequestException",
    ]
    with replay_cassette(path):
        offline = calls("http://127.0.0.1:9")  # nothing listens there: only the cassette can answer
    assert offline[1] == "InvalidRequestException"
    assert offline[0]["ResponseMetadata"]["HTTPStatusCode"] == 200  # type: ignore[index]


def test_recording_refuses_after_the_block_when_a_secret_would_be_stored(tmp_path: Path) -> None:
    path = tmp_path / "leak.yaml"
    leaky = scripted(lambda _b: error(ERROR.name, ERROR.status, f"key {SECRET_KEY}"))
    with (
        serve_in_thread(leaky) as url,
        pytest.raises(SecretRefused) as refused,
        recording(path, metadata={}, record_mode="all"),
    ):
        requests.post(url + OP.request_uri, json={"InstanceId": "i", "State": "s"}, timeout=5)
    assert SECRET_KEY not in str(refused.value)
    assert snapshot(tmp_path) == {}


def test_cli_record_signs_with_the_standard_credential_chain(sigv4_mock: str, tmp_path: Path) -> None:
    env = credential_chain_env()
    names = ",".join(s.name for s in SCENARIOS[:3])
    args = ["record", "--endpoint", sigv4_mock, "--sigv4", "--scenarios", names, "--out", str(tmp_path)]
    result = subprocess.run(
        [sys.executable, "-m", "connect_contract", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = cassette_dir(tmp_path, mission_operation()).glob("*.yaml")
    assert sorted(p.stem for p in written) == sorted(names.split(","))
    assert lint_paths([tmp_path]).problems == []
    assert SECRET_KEY not in result.stdout + result.stderr


def test_a_hanging_endpoint_gets_a_verdict_in_bounded_time(tmp_path: Path) -> None:
    release = threading.Event()
    try:
        with serve_in_thread(scripted(lambda _b: (200, {}, b"{}"), hold=release)) as url:
            started = time.monotonic()
            outcomes = record_scenarios(Target(url, timeout=0.3), SCENARIOS, tmp_path)
            elapsed = time.monotonic() - started
            release.set()
    finally:
        release.set()
    assert elapsed < 5 and {o.status for o in outcomes} == {"failed"}
    assert "left 2 requests in a row unanswered" in outcomes[-1].detail
    assert snapshot(tmp_path) == {}
