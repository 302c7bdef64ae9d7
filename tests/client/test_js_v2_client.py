"""The legacy AWS SDK for JavaScript v2 (npm ``aws-sdk``) as a fourth real client.

It sends every request correctly, and it fails exactly the required error-type vectors it genuinely
breaks, each for its own reason (docs/client-checks.md, client matrix, traces each one to its line in the SDK):

- ``lib/protocol/json.js`` cuts the header type at ``:`` but keeps ``namespace#``;
- it reads a body ``__type`` / ``code`` after the header and lets it win;
- it keeps what follows ``#`` of a body type, but not what precedes ``:`` (the URI stays).

The tests predict the code the SDK reports from those three causes and the vector's own script, so a
change in our judge, our adapter or the SDK's behaviour shows up as a difference here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connect_contract.client.adapters.builtin import (
    JS_V2_PACKAGE,
    ClientSpec,
    botocore_model_file,
    builtin_client,
    node_modules,
)
from connect_contract.client.judge import Judgement
from connect_contract.client.runner import ClientRun, run_clients, select_vectors
from connect_contract.client.scripted_server import Script
from connect_contract.client.vectors import Vector, load_vectors
from connect_contract.model import OPERATION_NAME, load_operation, load_service_model

GENUINE_FAILURES = (
    "header-namespace-uri",
    "header-other-namespace",
    "body-code-namespace-uri",
    "body-type-namespace-uri",
    "header-beats-body-code",
)


def _header_type(script: Script) -> str | None:
    return next((value for name, value in script.headers if name.lower() == "x-amzn-errortype"), None)


def predicted_code(vector: Vector) -> str:
    """The code aws-sdk v2 reports, from its three documented causes (json.js extractError)."""
    body = json.loads(vector.script.body or b"{}")
    body_type = body.get("__type") or body.get("code")
    if body_type:  # the body's type overrides the header; '#' is cut, ':' is not
        return str(body_type).split("#")[-1]
    header = _header_type(vector.script)
    assert header is not None, vector.id
    return header.split(":")[0]  # ':' is cut, 'namespace#' is not


@pytest.fixture(scope="module")
def run() -> ClientRun:
    spec = builtin_client("js-v2")
    if spec.unavailable:
        pytest.fail(f"js-v2 is a built-in client and must run here: {spec.unavailable}")
    return run_clients([spec])[0]


@pytest.mark.slow
def test_js_v2_sends_every_request_correctly(run: ClientRun) -> None:
    requests = {v: j for v, j in run.judgements.items() if j.vector.kind == "request"}
    assert requests
    wrong = {v: sorted(j.rules) for v, j in requests.items() if j.verdict not in ("pass", "rejected")}
    assert wrong == {}
    # it may refuse only inputs the contract calls invalid (it checks minimum lengths, so "" is refused)
    assert all(j.vector.input_valid is False for j in requests.values() if j.verdict == "rejected")


@pytest.mark.slow
def test_js_v2_fails_exactly_the_genuine_error_type_rules(run: ClientRun) -> None:
    expected = {v.id for v in load_vectors() if v.required and v.id.rsplit(".", 1)[-1] in GENUINE_FAILURES}
    assert len(expected) == len(GENUINE_FAILURES) * len(load_operation().errors)  # every modeled error, each cause
    failed: dict[str, Judgement] = {j.vector.id: j for j in run.failed()}
    assert set(failed) == expected
    for vector_id, judgement in failed.items():
        assert judgement.rules == {"resp.error-type"}, (vector_id, judgement.failures)
        assert judgement.outcome == f"error {predicted_code(judgement.vector)}", vector_id


@pytest.mark.slow
def test_js_v2_passes_the_plain_uri_and_namespace_forms_the_sdk_does_handle(run: ClientRun) -> None:
    for encoding in ("header-uri", "body-code-namespace", "body-type-namespace", "body-type-nested-ignored"):
        judgements = [j for j in run.judgements.values() if j.vector.id.endswith(f".{encoding}")]
        assert judgements and all(j.verdict == "pass" for j in judgements), encoding


@pytest.mark.slow
def test_js_v2_in_one_shot_mode_gives_the_same_verdicts() -> None:
    persistent = builtin_client("js-v2")
    spec = ClientSpec(persistent.name, persistent.command, False, persistent.env, persistent.unavailable)
    chosen = (
        "request.all-members",
        "request.optional-null.Code",
        "error.ConflictException.header-uri",
        "error.ConflictException.header-namespace-uri",
        "error.ConflictException.header-beats-body-code",
    )
    run = run_clients([spec], select_vectors(chosen))[0]
    verdicts = {v: j.verdict for v, j in run.judgements.items()}
    assert verdicts == {
        "request.all-members": "pass",
        "request.optional-null.Code": "pass",
        "error.ConflictException.header-uri": "pass",
        "error.ConflictException.header-namespace-uri": "fail",
        "error.ConflictException.header-beats-body-code": "fail",
    }


def test_the_adapter_is_given_botocores_model_because_the_sdks_own_predates_the_operation() -> None:
    bundled = node_modules() / JS_V2_PACKAGE / "apis" / "connect-2017-08-08.min.json"
    assert OPERATION_NAME not in json.loads(bundled.read_text())["operations"]
    spec = builtin_client("js-v2")
    given = Path(spec.env["CONNECT_CONTRACT_API_MODEL"])
    assert given == botocore_model_file()
    assert json.loads(given.read_text()) == load_service_model()


def test_js_v2_without_the_sdk_breaks_every_vector_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECT_CONTRACT_NODE_MODULES", "/nonexistent/node_modules")
    spec = builtin_client("js-v2")
    assert spec.unavailable and "aws-sdk is not installed" in spec.unavailable and "npm ci" in spec.unavailable
    judgement = run_clients([spec], select_vectors(["success.empty-object"]))[0].judgements["success.empty-object"]
    assert judgement.verdict == "broken" and "npm ci" in judgement.failures[0].detail
