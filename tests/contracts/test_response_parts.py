"""The output contracts accept success responses a real client reads correctly, and reject wrong ones.

Every accepted response is also parsed by botocore's own rest-json parser, and the test checks that
botocore reads the values the response meant (so "accepted" is not just this module's opinion).
Each rejection changes one thing a client would misread (restjson-bindings.md §4, §6).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.parsers import create_parser

from connect_contract.contracts.parts import request_errors, request_parts, response_errors, response_parts
from connect_contract.operations import load_service_operation

INSTANCE = {"Id": "i", "CreatedTime": 1576540098.5, "InstanceStatus": "ACTIVE", "InboundCallsEnabled": True}
HTTP_DATE = "Mon, 16 Dec 2019 23:48:18 GMT"


def botocore_reads(service: str, operation: str, status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    op = load_service_operation(service, operation)
    response = {"status_code": status, "headers": headers, "body": body}
    parsed: dict[str, Any] = create_parser("rest-json").parse(response, op.model.output_shape)
    return parsed


def errors(service: str, operation: str, status: int, headers: dict[str, str], body: bytes) -> list[str]:
    op = load_service_operation(service, operation)
    return response_errors(op, response_parts(op, status, headers, body))


def test_connect_output_with_epoch_timestamps_and_enums() -> None:
    body = json.dumps({"Instance": INSTANCE}).encode()
    assert errors("connect", "DescribeInstance", 200, {}, body) == []
    parsed = botocore_reads("connect", "DescribeInstance", 200, {}, body)
    created = datetime.datetime(2019, 12, 16, 23, 48, 18, 500000, tzinfo=datetime.UTC)
    assert parsed["Instance"]["CreatedTime"] == created


def test_empty_success_body_is_an_empty_result() -> None:
    # Both clients read 200 without a body as an empty result: not a failure.
    assert errors("connect", "DescribeInstance", 200, {}, b"") == []


def test_status_code_member_and_output_headers() -> None:
    assert errors("lambda", "DeleteFunction", 204, {}, b"") == []
    assert botocore_reads("lambda", "DeleteFunction", 204, {}, b"")["StatusCode"] == 204
    headers = {"ETag": "e", "Content-Length": "12", "Last-Modified": HTTP_DATE}
    assert errors("mediastore-data", "DescribeObject", 200, headers, b"") == []
    assert botocore_reads("mediastore-data", "DescribeObject", 200, headers, b"")["ContentLength"] == 12
    invoke = {"X-Amz-Executed-Version": "1", "X-Amz-Function-Error": "Unhandled"}
    assert errors("lambda", "Invoke", 200, invoke, b"\x00\xff") == []


@pytest.mark.parametrize(
    ("case", "service", "operation", "status", "headers", "body", "expected"),
    [
        (
            "wrong status",
            "connect",
            "DescribeInstance",
            201,
            {},
            json.dumps({"Instance": INSTANCE}),
            "status: 200 was expected",
        ),
        (
            "body timestamp as ISO text",
            "connect",
            "DescribeInstance",
            200,
            {},
            json.dumps({"Instance": {**INSTANCE, "CreatedTime": "2019-12-16T23:48:18Z"}}),
            "body/Instance/CreatedTime",
        ),
        (
            "enum value outside the model",
            "connect",
            "DescribeInstance",
            200,
            {},
            json.dumps({"Instance": {**INSTANCE, "InstanceStatus": "RUNNING"}}),
            "body/Instance/InstanceStatus",
        ),
        (
            "boolean as text",
            "connect",
            "DescribeInstance",
            200,
            {},
            json.dumps({"Instance": {**INSTANCE, "InboundCallsEnabled": "true"}}),
            "body/Instance/InboundCallsEnabled",
        ),
        ("invalid JSON", "connect", "DescribeInstance", 200, {}, '{"Instance": ', "body: not JSON"),
        (
            "long header not a number",
            "mediastore-data",
            "DescribeObject",
            200,
            {"Content-Length": "twelve"},
            "",
            "headers/content-length",
        ),
        (
            "header timestamp in ISO 8601",
            "mediastore-data",
            "DescribeObject",
            200,
            {"Last-Modified": "2019-12-16T23:48:18Z"},
            "",
            "headers/last-modified",
        ),
        ("status outside 2xx with a status member", "lambda", "DeleteFunction", 302, {}, "", "status: 302 is greater"),
    ],
)
def test_wrong_responses_are_rejected(
    case: str, service: str, operation: str, status: int, headers: dict[str, str], body: str, expected: str
) -> None:
    problems = errors(service, operation, status, headers, body.encode())
    assert any(expected in problem for problem in problems), (case, problems)


def test_sensitive_output_values_never_reach_messages() -> None:
    credentials = {"AccessToken": "s3cr3t", "AccessTokenExpiration": "tomorrow"}
    problems = errors("connect", "GetFederationToken", 200, {}, json.dumps({"Credentials": credentials}).encode())
    assert problems and all("s3cr3t" not in p and "tomorrow" not in p for p in problems)
    problems = errors("connect", "GetFederationToken", 200, {}, json.dumps({"Credentials": ["s3cr3t"]}).encode())
    assert problems and all("s3cr3t" not in p for p in problems)


def test_request_body_that_is_not_json_is_named_without_its_content() -> None:
    op = load_service_operation("connect", "UpdateParticipantAuthentication")
    problems = request_errors(
        op, request_parts(op, "/contact/update-participant-authentication", {}, b'{"Code": "s3cr3t')
    )
    assert len(problems) == 1 and problems[0].startswith("body: not JSON") and "s3cr3t" not in problems[0]
