"""classify and the report's hints take the operation as a parameter: the mission operation keeps its own
judge (same verdicts with or without the object), any other operation is judged by its own contracts."""

from __future__ import annotations

import json

from connect_contract.operations import load_service_operation, mission_operation
from connect_contract.server import report
from connect_contract.server.classify import classify, classify_operation
from connect_contract.server.runner import RunResult, new_result
from connect_contract.server.vectors import load_vectors

DESCRIBE_INSTANCE = load_service_operation("connect", "DescribeInstance")
BASE = "http://127.0.0.1:4566"


def test_the_mission_operation_object_gets_the_mission_judge_verdict_for_verdict() -> None:
    mission = mission_operation()
    for vector in load_vectors():
        url = BASE + vector.path
        plain = classify(vector.method, url, vector.headers(), vector.body)
        assert classify(vector.method, url, vector.headers(), vector.body, mission) == plain == vector.expect, vector.id


def test_another_operation_is_judged_by_its_own_contracts() -> None:
    valid = BASE + "/instance/contract-instance-id"
    assert classify("GET", valid, {}, b"", DESCRIBE_INSTANCE) == "valid"
    assert classify_operation(DESCRIBE_INSTANCE, "GET", valid, {}, b"") == "valid"
    assert classify("GET", BASE + "/instance/" + "i" * 101, {}, b"", DESCRIBE_INSTANCE) == "invalid"  # max 100
    assert classify("POST", valid, {}, b"", DESCRIBE_INSTANCE) == "foreign"
    # Without the object, the same request is not the mission operation's: the parameter decides.
    assert classify("GET", valid, {}, b"") == "foreign"


def test_a_mission_request_is_foreign_to_another_operation() -> None:
    mission = mission_operation()
    body = json.dumps({"InstanceId": "i", "State": "s" * 20, "Code": "c"}).encode()
    url = BASE + mission.request_uri
    headers = {"Content-Type": "application/json"}
    assert classify("POST", url, headers, body, DESCRIBE_INSTANCE) == "foreign"


def _answered_404(label: str, operation: str | None) -> RunResult:
    result = new_result(BASE, seed=1)
    if operation is not None:
        result.service, result.operation = "connect", operation
    result.valid_answers[label] = 5
    return result


def test_the_404_hint_names_the_operation_s_own_path() -> None:
    result = _answered_404("404 UnknownOperationException", None)
    (hint,) = report.hints(result, BASE + "/stage", signed=False, operation=DESCRIBE_INSTANCE)
    assert "/instance/{InstanceId}" in hint and "(/stage)" in hint
    # Without the parameter, the result's own operation (none named: the mission operation).
    (hint,) = report.hints(result, BASE, signed=False)
    assert mission_operation().request_uri in hint


def test_the_operation_s_modeled_404_is_its_own_answer_not_a_hint() -> None:
    result = _answered_404("404 ResourceNotFoundException", "DescribeInstance")
    assert report.hints(result, BASE, signed=False) == []
    assert report.hints(result, BASE, signed=False, operation=DESCRIBE_INSTANCE) == []
    assert report.judged_operation(result) is DESCRIBE_INSTANCE
    # The mission operation models no 404 error: the same answers are a base-path hint for it.
    assert report.hints(result, BASE, signed=False, operation=mission_operation())
