"""The programmatic face takes any rest-json operation: ``check`` and ``check_client`` judge the operation
they are given (an object or a name), not the mission operation, and refuse a bad one in one line."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from tests.server.anyop_catalogue import make_app

import connect_contract
from connect_contract.mock import MockConfig, running_mock
from connect_contract.operations import load_service_operation
from connect_contract.server.model_vectors import model_vectors
from connect_contract.serving import serve_in_thread

DESCRIBE_INSTANCE = load_service_operation("connect", "DescribeInstance")
BROKEN_CLIENT = Path(__file__).parent / "client" / "broken_anyop_client.py"


def test_check_judges_a_second_operation_by_name_against_the_built_in_mock() -> None:
    result = connect_contract.check(operation="DescribeInstance", generated=False)
    assert result.ok and result.failed == (), result.failed
    assert (result.details.service, result.details.operation) == ("connect", "DescribeInstance")
    # The operation's own vectors, expanded from its model -- not the mission operation's 98.
    assert result.details.vector_cases == len(model_vectors(DESCRIBE_INSTANCE)) > 0
    assert result.details.valid_accepted > 0


def test_check_starts_the_mock_for_the_operation_s_own_service() -> None:
    op = load_service_operation("mediastore-data", "DescribeObject")  # HEAD, greedy label, output headers
    result = connect_contract.check(operation=op, generated=False)
    assert result.ok, result.failed
    assert (result.details.service, result.details.operation) == ("mediastore-data", "DescribeObject")


def test_check_fails_a_server_that_breaks_the_second_operation_and_passes_the_correct_one() -> None:
    with serve_in_thread(make_app()) as url:
        assert connect_contract.check(url, operation=DESCRIBE_INSTANCE, generated=False).ok
    with serve_in_thread(make_app("output_member_misnamed")) as url:
        broken = connect_contract.check(url, operation=DESCRIBE_INSTANCE, generated=False)
    assert not broken.ok and "success_members" in broken.failed


def test_pins_reach_every_valid_request_of_the_operation() -> None:
    pinned = "pinned-instance-0001"
    with running_mock(MockConfig()) as url:
        result = connect_contract.check(url, operation="DescribeInstance", pins={"InstanceId": pinned}, generated=False)
        captured = requests.get(f"{url}/_mock/requests", params={"operation": "DescribeInstance"}, timeout=10).json()
    assert result.ok, result.failed
    paths = [request["path"] for request in captured["requests"]]
    assert f"/instance/{pinned}" in paths


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "NoSuchOperation"}, "no operation 'NoSuchOperation'"),
        ({"operation": "Describe*"}, "name one operation"),
        ({"operation": "all"}, "name one operation"),
        ({"service": "sqs", "operation": "SendMessage"}, "speaks"),
        ({"service": "lambda", "operation": DESCRIBE_INSTANCE}, "not 'lambda'"),
        ({"operation": "DescribeInstance", "pins": {"NoSuchMember": "1"}}, "NoSuchMember"),
        ({"pins": {"InstanceId": "x"}}, "other than UpdateParticipantAuthentication"),
    ],
)
def test_check_refuses_a_bad_operation_before_sending_anything(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        connect_contract.check("http://127.0.0.1:9", **kwargs)  # port 9: nothing may be sent


def test_check_client_judges_the_second_operation_and_catches_a_client_that_misparses_it() -> None:
    env = f"env BROKEN_CLIENT_DEFECT=output-keeps-unknown PYTHONPATH={shlex.quote(str(BROKEN_CLIENT.parents[1]))}"
    command = f"{env} {shlex.quote(sys.executable)} {shlex.quote(str(BROKEN_CLIENT))}"
    result = connect_contract.check_client("boto3", command=command, persistent=True, operation=DESCRIBE_INSTANCE)
    # The operation's own vectors, expanded from its model (the mission operation's have other ids).
    assert result.judgements("boto3") and all(
        v.startswith("connect:DescribeInstance/") for v in result.judgements("boto3")
    )
    assert result.failed == {"boto3": (), "custom": ("connect:DescribeInstance/output.unknown-members",)}
    assert not result.ok


def test_check_client_refuses_js_v2_for_another_operation() -> None:
    with pytest.raises(ValueError, match="js-v2"):
        connect_contract.check_client("js-v2", operation="DescribeInstance")
