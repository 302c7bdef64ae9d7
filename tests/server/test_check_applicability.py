"""Which checks a run over an operation must exercise (``--strict``), read from the operation's model vectors.

Both directions: an operation no input of which can be invalid (iot-data GetRetainedMessage: one free-string
label) is green under ``--strict`` without any error answer, yet its error checks still judge an error that
does come back; an operation that can be invalid still reports its error checks "not exercised" when no case
reached them.  The mission operation keeps every check it had.
"""

from __future__ import annotations

from connect_contract.mock import MockConfig, running_mock
from connect_contract.operations import load_service_operation, mission_operation
from connect_contract.server.checks import ERROR_ANSWER_CHECKS, by_id, checks_for, judge_exchange
from connect_contract.server.model_vectors import model_vectors
from connect_contract.server.report import headline, status_of
from connect_contract.server.runner import Settings, new_result, run
from connect_contract.server.transport import Exchange, Request, Response

NEVER_INVALID = load_service_operation("iot-data", "GetRetainedMessage")
CAN_BE_INVALID = load_service_operation("iot-data", "Publish")
REQUIRED_ERROR_CHECKS = {"rejects_invalid", "error_type", "error_status", "error_body"}


def test_the_vectors_decide_whether_an_operation_can_be_invalid() -> None:
    assert not any(v.expect == "invalid" for v in model_vectors(NEVER_INVALID))
    assert any(v.expect == "invalid" for v in model_vectors(CAN_BE_INVALID))


def test_error_checks_stay_in_effect_but_are_no_gap_where_nothing_can_be_invalid() -> None:
    checks = checks_for(operation=NEVER_INVALID)
    relaxed = {check.id for check in checks if not check.must_exercise}
    # a GET: every error check in effect (error_body included) is relaxed, and only those
    assert relaxed == {check.id for check in checks if check.id in ERROR_ANSWER_CHECKS} >= REQUIRED_ERROR_CHECKS
    unexercised = {entry.check.id for entry in new_result("http://127.0.0.1:9", 1, checks).unexercised()}
    assert not unexercised & REQUIRED_ERROR_CHECKS
    assert "accepts_valid" in unexercised  # the success checks still must be exercised


def test_an_operation_that_can_be_invalid_still_reports_its_error_checks_unexercised() -> None:
    checks = checks_for(operation=CAN_BE_INVALID)
    assert all(check.must_exercise for check in checks)
    unexercised = {entry.check.id for entry in new_result("http://127.0.0.1:9", 1, checks).unexercised()}
    assert unexercised >= REQUIRED_ERROR_CHECKS


def test_an_error_that_does_come_back_is_still_judged() -> None:
    request = Request(
        method="GET",
        url="http://127.0.0.1:9/retainedMessage/a",
        headers=(),
        body=b"",
        intent="valid",
        source="test",
        operation=NEVER_INVALID,
    )
    html = Response(status=404, reason="Not Found", headers={"content-type": "text/html"}, body=b"<html/>", elapsed=0)
    verdicts = {
        check.id: outcome
        for check, outcome in judge_exchange(Exchange(request, html), checks_for(operation=NEVER_INVALID))
    }
    assert isinstance(verdicts["error_type"], str) and isinstance(verdicts["error_body"], str)


def test_the_mission_operation_keeps_every_check() -> None:
    checks = checks_for()
    assert all(check.must_exercise for check in checks)
    assert checks_for(operation=mission_operation()) == checks
    assert {"code_point_length", "bounded_time", "error_body", "rejects_invalid"} <= {c.id for c in checks}
    assert "label_percent_decoding" not in {c.id for c in checks}  # its hand-tuned vectors have no label pair


def test_label_percent_decoding_needs_a_label_a_percent_encoded_value_fits() -> None:
    arn_label = load_service_operation("connect", "AssociateTrafficDistributionGroupUser")  # an id/ARN pattern
    assert not any(v.pair == "label-encoding" for v in model_vectors(arn_label))
    assert "label_percent_decoding" not in {c.id for c in checks_for(operation=arn_label)}
    assert "label_percent_decoding" in {c.id for c in checks_for(operation=NEVER_INVALID)}
    assert by_id("label_percent_decoding").must_exercise


def test_strict_run_is_green_on_the_built_in_mock_for_an_operation_that_cannot_be_invalid() -> None:
    with running_mock(MockConfig(services=("iot-data",))) as url:
        result = run(Settings(endpoint=url, generated=False, operation=NEVER_INVALID))
    assert result.ok(strict=True), headline(result, strict=True)
    assert result.checks["accepts_valid"].cases > 0 and result.checks["error_type"].cases == 0
    assert status_of(result.checks["error_type"]) == "none provoked"


def test_no_secret_echo_must_be_exercised_where_a_vector_carries_a_searchable_secret() -> None:
    with_secret = load_service_operation("connect", "CreateInstance")  # InstanceAlias: a sensitive string
    blob = load_service_operation("ebs", "PutSnapshotBlock")  # BlockData: a sensitive blob payload
    for op in (with_secret, blob):
        assert by_id("no_secret_echo", checks_for(operation=op)).must_exercise, op.name
    assert "cc-blockdata" in {marker for v in model_vectors(blob) for marker in v.markers}


def test_no_secret_echo_is_no_gap_where_no_vector_can_provoke_it() -> None:
    # The one sensitive member sits in a union branch (content[].image) the model-valid input does not take.
    union_branch = load_service_operation("bedrock-runtime", "ApplyGuardrail")
    # Environment.Variables (a sensitive map) is only in the valid full baseline, whose success may echo it:
    # the output models the same sensitive map.
    sensitive_map = load_service_operation("lambda", "UpdateFunctionConfiguration")
    assert "cc-cckey" in {marker for v in model_vectors(sensitive_map) for marker in v.markers}
    for op in (union_branch, sensitive_map):
        relaxed = by_id("no_secret_echo", checks_for(operation=op))
        assert not relaxed.must_exercise and relaxed.level == "required", op.name  # in effect all the same
