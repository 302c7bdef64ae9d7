"""Fault injection: modeled errors (with their modeled extra members), raw responses, delays, queueing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from mock_support import Mock, boto3_client

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.mock import responses
from connect_contract.mock.semantics import PARAMETER_ERROR
from connect_contract.model import Shape, load_operation

OP = load_operation()
CALL = {"InstanceId": "i-1", "State": "s", "Code": "c"}


def example(shape: Shape) -> Any:
    """A valid value for an error's extra member, from the model (unions -> first member, enums -> first)."""
    if shape.type == "structure":
        members = shape.members[:1] if shape.union else shape.members
        return {m.name: example(m.shape) for m in members}
    return shape.enum[0] if shape.enum else "x"


EXTRAS = [
    (error.name, member.name, example(member.shape))
    for error in OP.errors
    for member in error.shape.members
    if member.name != "Message"
]


@pytest.mark.parametrize(("error", "member", "value"), EXTRAS)
def test_modeled_extra_members_reach_boto3(lenient: Mock, error: str, member: str, value: Any) -> None:
    spec = {"error": error, "message": "with extras", member: value}
    assert lenient.control("POST", "faults", spec).status_code == 201
    with pytest.raises(ClientError) as caught:
        lenient.client().update_participant_authentication(**CALL)
    assert caught.value.response["Error"]["Code"] == error
    assert caught.value.response[member] == value


def test_html_502_from_a_load_balancer(lenient: Mock) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    spec = {"status": 502, "headers": {"Content-Type": "text/html"}, "body": html}
    assert lenient.control("POST", "faults", spec).status_code == 201
    raw = lenient.post("{}")
    assert (raw.status_code, raw.headers["Content-Type"], raw.text) == (502, "text/html", html)
    assert ERROR_TYPE_HEADER not in raw.headers
    lenient.control("POST", "faults", spec)
    with pytest.raises(ClientError) as caught:
        lenient.client().update_participant_authentication(**CALL)
    assert caught.value.response["Error"]["Code"] == "502"  # botocore's generic error for an HTML 5xx


def test_empty_500_and_bodyless_typed_error(lenient: Mock) -> None:
    lenient.control("POST", "faults", [{"status": 500}, {"status": 500, "headers": {ERROR_TYPE_HEADER: "X"}}])
    empty = lenient.post("{}")
    assert (empty.status_code, empty.content, empty.headers[REQUEST_ID_HEADER] != "") == (500, b"", True)
    typed = lenient.post("{}")
    assert (typed.status_code, typed.content, typed.headers[ERROR_TYPE_HEADER]) == (500, b"", "X")


def test_count_and_fifo_order(lenient: Mock) -> None:
    names = OP.error_names[:2]
    lenient.control("POST", "faults", {"error": names[0], "count": 2})
    lenient.control("POST", "faults", {"error": names[1]})
    listed = lenient.control("GET", "faults").json()["faults"]
    assert [(f["error"], f["remaining"]) for f in listed] == [(names[0], 2), (names[1], 1)]
    seen = [lenient.post(b"{}").headers.get(ERROR_TYPE_HEADER) for _ in range(4)]
    assert seen == [names[0], names[0], names[1], PARAMETER_ERROR]  # then the body {} is checked normally


def test_delete_clears_faults_and_control_routes_do_not_consume_them(lenient: Mock) -> None:
    lenient.control("POST", "faults", {"error": OP.error_names[0], "count": 5})
    lenient.control("GET", "requests")
    lenient.control("GET", "sessions")
    assert lenient.control("GET", "faults").json()["faults"][0]["remaining"] == 5
    assert lenient.control("DELETE", "faults").status_code == 200
    assert lenient.client().update_participant_authentication(**CALL)


def test_delay_then_normal_answer(lenient: Mock) -> None:
    lenient.control("POST", "faults", {"delay_ms": 300})
    started = time.monotonic()
    assert lenient.client().update_participant_authentication(**CALL)
    assert time.monotonic() - started >= 0.3
    # delay together with an error
    lenient.control("POST", "faults", {"delay_ms": 200, "error": "ThrottlingException"})
    started = time.monotonic()
    assert lenient.post(b"{}").headers[ERROR_TYPE_HEADER] == "ThrottlingException"
    assert time.monotonic() - started >= 0.2


def test_delay_lets_a_client_time_out(lenient: Mock) -> None:
    lenient.control("POST", "faults", {"delay_ms": 1500})
    with pytest.raises(ReadTimeoutError):
        boto3_client(lenient.url, read_timeout=0.2).update_participant_authentication(**CALL)
    assert lenient.client().update_participant_authentication(**CALL)


@pytest.mark.parametrize(
    "spec",
    [
        {"error": "NoSuchModeledException"},
        {"error": OP.error_names[0], "bogus": 1},
        {"error": OP.error_names[0], "count": 0},
        {"error": OP.error_names[0], "message": 5},
        {"error": OP.error_names[0], "status": 500},
        {"status": 700},
        {"status": 500, "headers": {"X": 1}},
        {"status": 500, "body": {"not": "text"}},
        {"status": 101},
        {"status": 204, "body": "not allowed"},
        {"status": 500, "headers": {"X-Injected": "a\r\nSet-Cookie: x"}},
        {"status": 500, "headers": {"Bad Name": "v"}},
        {"status": 500, "headers": {"X": "\u2603"}},
        {"status": 500, "headers": {"Content-Length": "99"}},
        {"status": 500, "headers": {"Transfer-Encoding": "chunked"}},
        {"delay_ms": -1},
        {"count": 2},
        {},
        [1],
        "text",
    ],
    ids=repr,
)
def test_invalid_fault_specs_are_refused(lenient: Mock, spec: Any) -> None:
    response = lenient.control("POST", "faults", spec)
    assert response.status_code == 400
    assert response.headers[ERROR_TYPE_HEADER] == responses.CONTROL_ERROR
    assert lenient.control("GET", "faults").json()["faults"] == []


def test_invalid_modeled_extra_member_is_refused(lenient: Mock) -> None:
    error, member, _ = EXTRAS[0]
    response = lenient.control("POST", "faults", {"error": error, member: {"NotAMember": "x", "Other": "y"}})
    assert response.status_code == 400
