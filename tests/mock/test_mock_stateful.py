"""Both modes: stateful (States issued by the mock, one completion each) and lenient (any State)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from mock_support import Mock

from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.mock import responses
from connect_contract.mock.semantics import (
    CODE,
    CONFLICT_ERROR,
    ERROR,
    INSTANCE_ID,
    PARAMETER_ERROR,
    REQUEST_ERROR,
    STATE,
)
from connect_contract.model import load_operation

OP = load_operation()
SECRET = "zq-secret-code-0042"


def issue(mock: Mock, instance_id: str = "instance-1") -> str:
    response = mock.control("POST", "sessions", {INSTANCE_ID: instance_id})
    assert response.status_code == 201, response.text
    document = response.json()
    assert document[INSTANCE_ID] == instance_id
    state: str = document[STATE]
    return state


def call(mock: Mock, **params: str) -> ClientError | None:
    try:
        mock.client().update_participant_authentication(**params)
    except ClientError as exc:
        return exc
    return None


def code_of(error: ClientError | None) -> str | None:
    return None if error is None else error.response["Error"]["Code"]


def test_issued_state_satisfies_the_model_and_is_fresh(stateful: Mock) -> None:
    shape = OP.member(STATE).shape
    states = {issue(stateful) for _ in range(20)}
    assert len(states) == 20
    for state in states:
        assert shape.min_length is not None and shape.max_length is not None
        assert shape.min_length <= len(state) <= shape.max_length


def test_session_completes_once_then_conflicts(stateful: Mock) -> None:
    state = issue(stateful)
    assert call(stateful, InstanceId="instance-1", State=state, Code=SECRET) is None
    again = call(stateful, InstanceId="instance-1", State=state, Code=SECRET)
    assert code_of(again) == CONFLICT_ERROR
    assert again is not None and again.response["ResponseMetadata"]["HTTPStatusCode"] == OP.error(CONFLICT_ERROR).status


def test_unknown_or_foreign_state_is_an_invalid_request(stateful: Mock) -> None:
    state = issue(stateful, "instance-1")
    assert code_of(call(stateful, InstanceId="instance-1", State="never-issued", Code="c")) == REQUEST_ERROR
    assert code_of(call(stateful, InstanceId="instance-2", State=state, Code="c")) == REQUEST_ERROR
    assert call(stateful, InstanceId="instance-1", State=state, Code="c") is None  # still open after both


def test_a_rejected_call_does_not_complete_the_session(stateful: Mock) -> None:
    state = issue(stateful)
    both = stateful.post(json.dumps({INSTANCE_ID: "instance-1", STATE: state, CODE: "c", ERROR: "e"}))
    assert both.headers[ERROR_TYPE_HEADER] == REQUEST_ERROR
    bad = stateful.post(json.dumps({INSTANCE_ID: "instance-1", STATE: state, CODE: ""}))
    assert bad.headers[ERROR_TYPE_HEADER] == PARAMETER_ERROR
    assert call(stateful, InstanceId="instance-1", State=state, Error="access_denied") is None


def test_sessions_read_back_redacted(stateful: Mock) -> None:
    first, second, _open = issue(stateful), issue(stateful), issue(stateful)
    call(stateful, InstanceId="instance-1", State=first, Code=SECRET)
    call(stateful, InstanceId="instance-1", State=second, Error=SECRET, ErrorDescription=SECRET + "-d")
    listing = stateful.control("GET", "sessions")
    assert SECRET not in listing.text
    document = listing.json()
    assert document["mode"] == "stateful"
    sessions = {s[STATE]: s for s in document["sessions"]}
    assert sessions[first]["completed"] and set(sessions[first]["received"]) == {CODE}
    assert set(sessions[second]["received"]) >= {ERROR}
    assert sessions[_open]["completed"] is False and sessions[_open]["received"] is None


@pytest.mark.parametrize("body", [{}, {INSTANCE_ID: ""}, {INSTANCE_ID: 5}, {INSTANCE_ID: "x" * 1000}, "broken"])
def test_issuing_needs_a_valid_instance_id(stateful: Mock, body: object) -> None:
    if body == "broken":
        response = stateful.http.post(f"{stateful.url}/_mock/sessions", data=b"{[", timeout=10)
    else:
        response = stateful.control("POST", "sessions", body)
    assert response.status_code == 400
    assert response.headers[ERROR_TYPE_HEADER] == responses.CONTROL_ERROR
    assert INSTANCE_ID in response.json()["Message"]


def test_reset_forgets_sessions(stateful: Mock) -> None:
    state = issue(stateful)
    stateful.reset()
    assert stateful.control("GET", "sessions").json()["sessions"] == []
    assert code_of(call(stateful, InstanceId="instance-1", State=state, Code="c")) == REQUEST_ERROR


def test_lenient_accepts_any_state_repeatedly_and_records_it(lenient: Mock) -> None:
    for _ in range(2):
        assert call(lenient, InstanceId="instance-9", State="made-up", Code=SECRET) is None
    listing = lenient.control("GET", "sessions")
    assert SECRET not in listing.text
    sessions = listing.json()["sessions"]
    assert [(s[STATE], s["issued"], s["completed"]) for s in sessions] == [("made-up", False, True)] * 2
