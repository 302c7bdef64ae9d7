"""Any rest-json operation as an object: loading, lookup, protocol check, and bindings by location.

Every expected binding below is the one restjson-bindings.md §9-§10 lists for that operation, read
from botocore 1.44.8's model; the assertions compare with what botocore's model says, not with
hand-typed copies, wherever the model can say it.
"""

from __future__ import annotations

import pytest

from connect_contract.model import load_operation
from connect_contract.operations import (
    OperationLookupError,
    UnsupportedProtocolError,
    load_service,
    load_service_operation,
    mission_operation,
    resolve_operations,
)


def test_service_is_loaded_once_and_carries_botocore_models() -> None:
    assert load_service("connect") is load_service("connect")
    assert load_service_operation("connect", "DescribeInstance") is load_service_operation(
        "connect", "DescribeInstance"
    )
    assert mission_operation().model is load_service("connect").operation_model("UpdateParticipantAuthentication")


@pytest.mark.parametrize(("service", "protocol"), [("s3", "rest-xml"), ("dynamodb", "json"), ("sqs", "json")])
def test_other_protocols_are_refused_by_name(service: str, protocol: str) -> None:
    with pytest.raises(UnsupportedProtocolError, match=f"speaks '{protocol}'"):
        load_service(service)


def test_unknown_names_are_one_line_errors_with_suggestions() -> None:
    with pytest.raises(OperationLookupError, match=r"unknown service 'lambdaa'.*did you mean lambda"):
        load_service("lambdaa")
    with pytest.raises(OperationLookupError, match=r"no operation 'DescribeInstanc'.*did you mean DescribeInstance"):
        resolve_operations("connect", "DescribeInstanc")
    with pytest.raises(OperationLookupError, match="matches 'Zzz\\*'"):
        resolve_operations("connect", "Zzz*")


def test_all_and_globs_select_sorted_operations() -> None:
    everything = resolve_operations("connect", "all")
    assert len(everything) == len(load_service("connect").operation_names) == 405
    assert [op.name for op in everything] == sorted(op.name for op in everything)
    lists = resolve_operations("connect", "ListInstance*")
    assert [op.name for op in lists] == ["ListInstanceAttributes", "ListInstanceStorageConfigs", "ListInstances"]
    assert resolve_operations("connect", "Describe?nstance")[0].name == "DescribeInstance"


def test_mission_operation_matches_the_dataclass_copy() -> None:
    op, legacy = mission_operation(), load_operation()
    assert (op.http_method, op.request_uri, op.protocol, op.signing_name) == (
        legacy.http_method,
        legacy.request_uri,
        legacy.protocol,
        legacy.signing_name,
    )
    assert [b.name for b in op.body] == list(legacy.member_names)
    assert {b.name for b in op.input if b.required} == {m.name for m in legacy.required_members}
    assert {b.name for b in op.input if b.sensitive} == {m.name for m in legacy.sensitive_members}
    assert {(e.name, e.status) for e in op.errors} == {(e.name, e.status) for e in legacy.errors}
    assert op.labels == op.query == op.headers == ()
    assert op.request_media_type == "application/json"


def test_labels_query_lists_and_paginators() -> None:
    op = load_service_operation("connect", "ListPhoneNumbers")
    assert [b.wire_name for b in op.labels] == ["InstanceId"]
    assert {b.wire_name: b.type_name for b in op.query} == {
        "phoneNumberTypes": "list",
        "phoneNumberCountryCodes": "list",
        "nextToken": "string",
        "maxResults": "integer",
    }
    assert op.paginator is not None and op.paginator["output_token"] == "NextToken"
    assert op.has_request_body is False and op.request_media_type is None
    assert load_service_operation("connect", "UpdateParticipantAuthentication").paginator is None


def test_greedy_labels() -> None:
    op = load_service_operation("mediastore-data", "GetObject")
    assert op.path_template == "/{Path+}"
    assert [(b.wire_name, b.greedy) for b in op.labels] == [("Path", True)]
    assert op.status_member is not None and op.status_member.name == "StatusCode"
    assert op.output_payload is not None and op.response_media_type == "application/octet-stream"
    assert not load_service_operation("connect", "DescribeInstance").labels[0].greedy


def test_query_map_and_fixed_literal() -> None:
    op = load_service_operation("apigateway", "ImportRestApi")
    assert (op.path_template, op.fixed_query) == ("/restapis", (("mode", "import"),))
    assert op.query_map is not None and op.query_map.name == "parameters"
    assert [b.wire_name for b in op.query] == ["failonwarnings"]  # locationName, not the member name
    assert op.payload is not None and op.payload.type_name == "blob"
    assert op.response_code == 201
    assert load_service_operation("mpa", "ListApprovalTeams").fixed_query == (("List", ""),)


def test_headers_prefix_headers_and_payload_kinds() -> None:
    send = load_service_operation("dataexchange", "SendApiAsset")
    assert [(b.name, b.wire_name) for b in send.prefix_headers] == [("RequestHeaders", "x-amzn-dataexchange-header-")]
    assert send.payload is not None and send.request_media_type == "text/plain"
    assert send.host_prefix == "api-fulfill."
    invoke = load_service_operation("lambda", "Invoke")
    assert invoke.request_media_type == "application/octet-stream"
    assert {b.wire_name for b in invoke.output_headers} >= {"X-Amz-Function-Error", "X-Amz-Executed-Version"}
    stop = load_service_operation("lambda", "StopDurableExecution")
    assert stop.payload is not None and stop.payload.type_name == "structure"
    assert stop.request_media_type == "application/json"
    publish = load_service_operation("iot-data", "Publish")
    jsonvalue = [b for b in publish.headers if b.shape.serialization.get("jsonvalue")]
    assert [b.wire_name for b in jsonvalue] == ["x-amz-mqtt5-user-properties"]
    billing = load_service_operation("billingconductor", "CreateBillingGroup")
    assert [(b.location, b.wire_name) for b in billing.idempotency_tokens] == [("header", "X-Amzn-Client-Token")]


def test_status_code_member_and_errors() -> None:
    delete = load_service_operation("lambda", "DeleteFunction")
    assert delete.status_member is not None and delete.output_body == ()
    # The model says 200 while the service answers 204 (restjson-bindings.md §6): the member carries it.
    assert delete.response_code == 200
    describe = load_service_operation("connect", "DescribeInstance")
    assert describe.error("ResourceNotFoundException").status == 404
    assert describe.error("InternalServiceException").fault == "server"
    with pytest.raises(KeyError):
        describe.error("NoSuchError")
