"""The per-location request contracts accept what botocore really sends, and reject what it would not.

Each request is produced by botocore's own rest-json serializer and request preparation from an
input its validator accepts (no network: the prepared request is only read), then split by
:func:`request_parts` and judged by the generated schemas.  Each rejection case changes one part
the way a wrong client would (restjson-bindings.md §1-§5).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.serialize import create_serializer

from connect_contract.contracts.parts import (
    HTTP_DATE_ITEM,
    RequestParts,
    request_errors,
    request_parts,
    split_header_list,
)
from connect_contract.operations import ServiceOperation, load_service_operation

ENDPOINT = "http://127.0.0.1:9"
INSTANCE = "12345678-1234-1234-1234-123456789012"
WHEN = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

# (service, operation, a model-valid input); together they cover every input location and payload kind.
REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("connect", "UpdateParticipantAuthentication", {"State": "s", "InstanceId": INSTANCE, "Code": "c"}),
    (
        "connect",
        "ListPhoneNumbers",
        {"InstanceId": INSTANCE, "PhoneNumberTypes": ["TOLL_FREE", "DID"], "MaxResults": 5},
    ),
    (
        "connect",
        "CreateTestCase",
        {
            "InstanceId": INSTANCE,
            "Name": "n",
            "Content": "c",
            "LastModifiedTime": WHEN,
            "LastModifiedRegion": "us-east-1",
        },
    ),
    (
        "connect",
        "GetMetricData",
        {
            "InstanceId": INSTANCE,
            "StartTime": WHEN,
            "EndTime": WHEN + datetime.timedelta(hours=1),
            "Filters": {"Queues": ["q"]},
            "HistoricalMetrics": [{"Name": "CONTACTS_QUEUED", "Unit": "COUNT", "Statistic": "SUM"}],
        },
    ),
    ("lambda", "Invoke", {"FunctionName": "f", "InvocationType": "Event", "Payload": b"\x00\xff", "Qualifier": "1"}),
    (
        "lambda",
        "StopDurableExecution",
        {
            "DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/a/b",
            "Error": {"ErrorMessage": "m"},
        },
    ),
    ("apigateway", "ImportRestApi", {"failOnWarnings": True, "parameters": {"a b": "c d"}, "body": b"{}"}),
    ("mediastore-data", "PutObject", {"Path": "a b/c?d/e", "Body": b"xx", "ContentType": "text/plain"}),
    (
        "iot-data",
        "Publish",
        {"topic": "t/1", "qos": 1, "retain": False, "userProperties": [{"k": "v"}], "messageExpiry": 2**53 + 1},
    ),
    (
        "dataexchange",
        "SendApiAsset",
        {
            "AssetId": "a",
            "DataSetId": "d",
            "RevisionId": "r",
            "Body": "hello",
            "RequestHeaders": {"Foo": "bar"},
            "QueryStringParameters": {"x": "y"},
        },
    ),
    ("inspector-scan", "ScanSbom", {"sbom": {"bomFormat": "CycloneDX", "components": [1, None, {"a": True}]}}),
    ("mpa", "ListApprovalTeams", {"MaxResults": 5}),
    ("entityresolution", "BatchDeleteUniqueId", {"workflowName": "w", "uniqueIds": ["a", "b,c"]}),
]


def serialize(op: ServiceOperation, params: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    """The path+query, headers and body botocore would send for ``params``."""
    request = create_serializer("rest-json", include_validation=True).serialize_to_request(params, op.model)
    prepare_request_dict(request, endpoint_url=ENDPOINT)
    prepared = create_request_object(request).prepare()
    url = urlsplit(prepared.url)  # the host may carry the model's hostPrefix (dataexchange: api-fulfill.)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    body = prepared.body or b""
    return target, dict(prepared.headers), body.encode() if isinstance(body, str) else body


def parts_of(service: str, operation: str, params: dict[str, Any]) -> tuple[ServiceOperation, RequestParts]:
    op = load_service_operation(service, operation)
    return op, request_parts(op, *serialize(op, params))


@pytest.mark.parametrize(("service", "operation", "params"), REQUESTS, ids=[f"{s}:{o}" for s, o, _ in REQUESTS])
def test_botocore_requests_conform(service: str, operation: str, params: dict[str, Any]) -> None:
    op, parts = parts_of(service, operation, params)
    assert request_errors(op, parts) == []


def test_parts_are_decoded_as_the_model_types_them() -> None:
    _, publish = parts_of("iot-data", "Publish", REQUESTS[8][2])
    assert publish.path == {"topic": "t/1"}  # %2F decoded: a plain label is one segment on the wire
    assert publish.query == {"qos": 1, "retain": False, "messageExpiry": 2**53 + 1}
    _, put = parts_of("mediastore-data", "PutObject", REQUESTS[7][2])
    assert put.path == {"Path": "a b/c?d/e"}  # greedy: '/' kept, the rest decoded
    _, imported = parts_of("apigateway", "ImportRestApi", REQUESTS[6][2])
    assert imported.query == {"mode": "import", "failonwarnings": True, "a b": "c d"}
    _, test_case = parts_of("connect", "CreateTestCase", REQUESTS[2][2])
    assert test_case.headers["x-amz-last-modified-time"] == "Thu, 02 Jan 2020 03:04:05 GMT"
    _, batch = parts_of("entityresolution", "BatchDeleteUniqueId", REQUESTS[12][2])
    assert batch.headers["uniqueids"] == ["a", "b,c"]


def test_header_lists_split_outside_quotes() -> None:
    assert split_header_list('a,"b,c","\\"d\\"",e f') == ["a", "b,c", '"d"', "e f"]
    assert split_header_list("a, b, c") == ["a", "b", "c"]


def test_http_date_header_lists_keep_their_commas() -> None:
    dates = "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 00:00:00 GMT"
    assert HTTP_DATE_ITEM.findall(dates) == ["Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 00:00:00 GMT"]


Mutation = Callable[[RequestParts], None]


def _set(part: str, key: str, value: Any) -> Mutation:
    return lambda parts: getattr(parts, part).__setitem__(key, value)


def _drop(part: str, key: str) -> Mutation:
    return lambda parts: getattr(parts, part).pop(key)


# (request index in REQUESTS, mutation, the location and words the rejection must name)
WRONG: list[tuple[str, int, Mutation, str]] = [
    ("body member misnamed", 0, lambda p: p.body.__setitem__("instanceId", p.body.pop("InstanceId")), "body"),
    ("required body member missing", 0, _drop("body", "State"), "body: 'State' is a required property"),
    ("label missing", 1, _drop("path", "InstanceId"), "path: 'InstanceId' is a required property"),
    ("label shorter than its min", 1, _set("path", "InstanceId", ""), "path/InstanceId: '' should be non-empty"),
    (
        "integer query not a number",
        1,
        _set("query", "maxResults", "five"),
        "query/maxResults: 'five' is not of type 'integer'",
    ),
    ("integer query over its max", 1, _set("query", "maxResults", 1001), "query/maxResults"),
    ("enum query value outside the model", 1, _set("query", "phoneNumberTypes", ["FREE"]), "query/phoneNumberTypes/0"),
    ("query list sent as one scalar key", 1, _set("query", "phoneNumberTypes", "TOLL_FREE"), "not of type 'array'"),
    ("unknown query key", 1, _set("query", "MaxResults", 5), "query: Additional properties"),
    (
        "header timestamp in ISO 8601",
        2,
        _set("headers", "x-amz-last-modified-time", "2020-01-02T03:04:05Z"),
        "headers/",
    ),
    (
        "body timestamp as ISO text",
        3,
        lambda p: p.body.__setitem__("StartTime", "2020-01-02T03:04:05Z"),
        "body/StartTime",
    ),
    (
        "enum header outside the model",
        4,
        _set("headers", "x-amz-invocation-type", "Sync"),
        "headers/x-amz-invocation-type",
    ),
    ("repeated scalar query key", 4, _set("query", "Qualifier", ["1", "2"]), "query/Qualifier"),
    ("fixed query literal missing", 6, _drop("query", "mode"), "query: 'mode' is a required property"),
    ("fixed query literal changed", 6, _set("query", "mode", "merge"), "query/mode"),
    ("boolean query as text", 8, _set("query", "retain", "yes"), "query/retain"),
    ("structure payload misnamed member", 5, lambda p: p.body.__setitem__("errorMessage", "m"), "body"),
    ("required header missing", 9, _drop("headers", "x-amzn-dataexchange-asset-id"), "headers"),
]


@pytest.mark.parametrize(("case", "index", "mutate", "expected"), WRONG, ids=[w[0] for w in WRONG])
def test_wrong_parts_are_rejected_where_they_are_wrong(case: str, index: int, mutate: Mutation, expected: str) -> None:
    service, operation, params = REQUESTS[index]
    op, parts = parts_of(service, operation, params)
    broken = copy.deepcopy(parts)
    mutate(broken)
    problems = request_errors(op, broken)
    assert any(expected in problem for problem in problems), (case, problems)


def test_a_label_that_does_not_fit_the_template_is_refused() -> None:
    op = load_service_operation("connect", "DescribeInstance")
    with pytest.raises(ValueError, match="does not match"):
        request_parts(op, "/instances/x", {}, b"")


def test_sensitive_values_never_reach_the_messages() -> None:
    op, parts = parts_of(*REQUESTS[0])
    broken = copy.deepcopy(parts)
    broken.body["Code"] = "s3cr3t-" + "x" * 2048
    problems = request_errors(op, broken)
    assert problems and all("s3cr3t" not in problem for problem in problems)
