"""The mock serves every operation of a rest-json service: routing, validation by location, synthetic
answers that meet the output contract, pagination, scoped faults/capture/reset, SigV4 per service, and
real clients (boto3 for every Connect operation and three other services, the JS SDK v3 for a covering
sample)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from anyop_support import client, covering_sample, features, method_name, tagged
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from connect_contract.contracts.parts import response_errors, response_parts
from connect_contract.mock import MockConfig, running_mock
from connect_contract.mock.anyop import FRAMEWORK_VALIDATION, OperationHandler, parameter_error
from connect_contract.mock.routing import Router
from connect_contract.mock.synth import intended_pattern, sample_input
from connect_contract.operations import load_service_operation, resolve_operations

ROOT = Path(__file__).resolve().parents[2]
CONNECT = resolve_operations("connect", "all")
OTHERS = ("mediastore-data", "lambda", "inspector-scan")  # greedy labels; headers/statusCode/blobs; documents


@pytest.fixture(scope="module")
def connect_url() -> Any:
    with running_mock() as url:
        yield url


@pytest.fixture(scope="module")
def others_url() -> Any:
    with running_mock(MockConfig(services=("connect", *OTHERS))) as url:
        yield url


# --- routing --------------------------------------------------------------------------------------


def test_router_literals_beat_labels_and_greedy_labels_keep_slashes() -> None:
    router = Router([*resolve_operations("mediastore-data", "all"), *CONNECT])
    assert router.count == len(CONNECT) + 5
    match = router.match("GET", "/instance/abc", "")
    assert match is not None and match.op is not None and match.op.name == "DescribeInstance"
    match = router.match("GET", "/a/b%20c/d.txt", "")
    assert match is not None and match.op is not None and match.op.name == "GetObject"
    match = router.match("HEAD", "/deep/er/x", "")
    assert match is not None and match.op is not None and match.op.name == "DescribeObject"
    assert router.match("POST", "/a/b", "") == router.match("POST", "/a/b", "")  # deterministic


def test_router_answers_405_for_a_known_path_and_none_for_an_unknown_one() -> None:
    router = Router(CONNECT)
    match = router.match("PATCH", "/instance/abc", "")
    assert match is not None and match.op is None and "GET" in match.allowed and "DELETE" in match.allowed
    assert router.match("GET", "/no/such/route/here/at/all", "") is None
    empty = router.match("GET", "/instance/", "")  # an empty label routes; its length bound then refuses it
    assert empty is not None and empty.op is not None and empty.op.name == "DescribeInstance"


def test_router_tells_fixed_query_literals_apart() -> None:
    router = Router(resolve_operations("apigateway", "all"))
    importing = router.match("POST", "/restapis", "mode=import&failonwarnings=true")
    assert importing is not None and importing.op is not None and importing.op.name == "ImportRestApi"
    creating = router.match("POST", "/restapis", "")
    assert creating is not None and creating.op is not None and creating.op.name == "CreateRestApi"


# --- answers: model-valid, deterministic, echoed, paginated -----------------------------------------


@pytest.mark.parametrize("service", ["connect", *OTHERS])
def test_every_synthetic_answer_meets_the_output_contract(service: str) -> None:
    for op in resolve_operations(service, "all"):
        handler = OperationHandler(op)
        for seed in range(2):
            reply = handler.outputs.reply(seed, {})
            headers = {name.decode(): value.decode() for name, value in reply.headers}
            problems = response_errors(op, response_parts(op, reply.status, headers, reply.body))
            assert not problems, f"{op.name}: {problems}"


def test_same_request_same_answer_and_echoed_input(connect_url: str) -> None:
    op = load_service_operation("connect", "CreateQueue")
    params = sample_input(op, 7)
    boto = client("connect", connect_url)
    first = boto.create_queue(**params)
    second = boto.create_queue(**params)
    for result in (first, second):
        result.pop("ResponseMetadata")
    assert first == second
    # An output member named like an input member (VocabularyId) echoes the request's value.
    deleted = boto.delete_vocabulary(InstanceId="inst-1", VocabularyId="vocabulary-42")
    assert deleted["VocabularyId"] == "vocabulary-42"
    assert boto.delete_vocabulary(InstanceId="inst-1", VocabularyId="other")["VocabularyId"] == "other"


def test_paginated_operations_page_through_a_finite_set(connect_url: str) -> None:
    boto = client("connect", connect_url)
    pages = list(boto.get_paginator("list_users").paginate(InstanceId="inst-1"))
    assert len(pages) == 3
    tokens = [page.get("NextToken") for page in pages]
    assert tokens[-1] is None and len(set(tokens[:-1])) == 2


# --- validation by location: the modeled 4xx, never a 5xx --------------------------------------------


def test_the_parameter_error_rule_picks_the_modeled_400() -> None:
    assert parameter_error(load_service_operation("connect", "DescribeInstance")).name == "InvalidRequestException"
    assert parameter_error(load_service_operation("connect", "ListUsers")).name == "InvalidParameterException"
    lambda_error = parameter_error(load_service_operation("lambda", "Invoke"))
    assert (lambda_error.name, lambda_error.status) == ("InvalidParameterValueException", 400)
    fallback = parameter_error(load_service_operation("mediastore-data", "GetObject"))
    assert (fallback.name, fallback.message_key) == (FRAMEWORK_VALIDATION, "message")


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "error"),
    [
        ("GET", "/instance/" + "x" * 200, {}, b"", 400, "InvalidRequestException"),  # label longer than max
        ("GET", "/instance/", {}, b"", 400, "InvalidRequestException"),  # label shorter than min
        ("GET", "/users-summary/inst?maxResults=5000", {}, b"", 400, "InvalidParameterException"),  # query over max
        ("GET", "/users-summary/inst?maxResults=abc", {}, b"", 400, "InvalidParameterException"),  # not a number
        ("GET", "/users-summary/inst?maxResults=5&maxResults=6", {}, b"", 400, "InvalidParameterException"),
        ("GET", "/users-summary/inst?unknown=1", {}, b"", 200, None),  # unknown query parameters are ignored
        ("GET", "/users/inst", {}, b"", 405, "MethodNotAllowedException"),  # PUT /users/{InstanceId} only
        ("GET", "/no/such/route/x/y/z", {}, b"", 404, "UnknownOperationException"),
        ("PUT", "/queues/inst", {"Content-Type": "application/json"}, b'{"Name": 5}', 400, "InvalidParameterException"),
        ("PUT", "/queues/inst", {"Content-Type": "application/json"}, b"{}", 400, "InvalidParameterException"),
        ("PUT", "/queues/inst", {"Content-Type": "application/json"}, b'{"Name": ', 400, "SerializationException"),
        ("PUT", "/queues/inst", {"Content-Type": "application/json"}, b"[1]", 400, "SerializationException"),
        ("PUT", "/queues/inst", {"Content-Type": "text/plain"}, b'{"Name": "q"}', 415, "UnsupportedMediaTypeException"),
        # RestJsonWithBodyExpectsApplicationJsonContentType: another JSON media type is 415 too
        (
            "PUT",
            "/queues/inst",
            {"Content-Type": "application/hal+json"},
            b'{"Name": "q"}',
            415,
            "UnsupportedMediaTypeException",
        ),
        (
            "PUT",
            "/queues/inst",
            {"Content-Type": "application/x-amz-json-1.1"},
            b"{}",
            415,
            "UnsupportedMediaTypeException",
        ),
        ("PATCH", "/instance/abc", {}, b"", 405, "MethodNotAllowedException"),
    ],
)
def test_invalid_input_per_location_gets_the_modeled_4xx(
    connect_url: str, method: str, path: str, headers: dict[str, str], body: bytes, status: int, error: str | None
) -> None:
    response = requests.request(method, connect_url + path, headers=headers, data=body, timeout=10)
    assert (response.status_code, response.headers.get("x-amzn-errortype")) == (status, error), response.text


SEARCH_BODY = {"InstanceId": "i", "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": 1, "EndTime": 2}}


@pytest.mark.parametrize("name", ["SearchContacts", "ListPhoneNumbersV2"])
def test_unknown_members_are_ignored_whichever_validator_judges(connect_url: str, name: str) -> None:
    """SearchContacts' body contract is one fastjsonschema cannot compile, so jsonschema judges every
    request alone; it judged them against the closed contract, and a valid request with an unknown member
    was refused 400 (`check` showed it as valid requests "refused with a modeled error").  ListPhoneNumbersV2 is
    judged by fastjsonschema first."""
    op = load_service_operation("connect", name)
    if name == "SearchContacts":
        assert any(check is None for check in OperationHandler(op)._compile_checks().values())
    path, body = op.path_template, dict(SEARCH_BODY) if name == "SearchContacts" else {}
    headers = {"Content-Type": "application/json"}
    send = {"method": op.http_method, "url": connect_url + path, "headers": headers, "timeout": 10}
    valid = requests.request(**send, data=json.dumps({**body, "NewMember": {"x": 1}, "": [1]}))
    assert valid.status_code == 200, valid.text
    if name == "SearchContacts":  # still judged: a real problem is found, and only it is named
        bad = requests.request(**send, data=json.dumps({**body, "MaxResults": 1000, "NewMember": 1}))
        assert bad.status_code == 400 and "MaxResults" in bad.text, bad.text
        assert "NewMember" not in bad.text and "dditional properties" not in bad.text


def test_header_members_are_validated(connect_url: str) -> None:
    op = load_service_operation("connect", "CreateTestCase")
    params = sample_input(op, 1)
    boto = client("connect", connect_url)
    assert boto.create_test_case(**params)["ResponseMetadata"]["HTTPStatusCode"] == 200
    path = op.path_template.replace("{InstanceId}", "12345678-1234-1234-1234-123456789012")
    response = requests.put(
        connect_url + path,
        headers={"Content-Type": "application/json", "x-amz-last-modified-time": "yesterday"},
        data=json.dumps({"Name": "n", "Content": "c"}),
        timeout=10,
    )
    assert response.status_code == 400 and "headers/x-amz-last-modified-time" in response.text


def test_boto3_sees_the_modeled_error_class(connect_url: str) -> None:
    boto = client("connect", connect_url)
    with pytest.raises(ClientError) as raised:
        boto.list_users(InstanceId="inst", MaxResults=5000)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert isinstance(raised.value, boto.exceptions.InvalidParameterException)


# --- faults, capture, reset scoped to an operation ----------------------------------------------------


def test_faults_capture_and_reset_scoped_to_an_operation(connect_url: str) -> None:
    control = f"{connect_url}/_mock"
    requests.post(f"{control}/reset", timeout=10).raise_for_status()
    boto = client("connect", connect_url)
    fault = {"operation": "ListInstances", "error": "InternalServiceException", "count": 2}
    assert requests.post(f"{control}/faults", json=fault, timeout=10).status_code == 201
    boto.describe_instance(InstanceId="abc")  # another operation: the fault waits
    with pytest.raises(ClientError) as raised:
        boto.list_instances()
    assert raised.value.response["Error"]["Code"] == "InternalServiceException"
    captured = requests.get(f"{control}/requests", params={"operation": "ListInstances"}, timeout=10).json()
    assert [entry["operation"] for entry in captured["requests"]] == ["ListInstances"]
    requests.post(f"{control}/reset", json={"operation": "ListInstances"}, timeout=10).raise_for_status()
    assert requests.get(f"{control}/faults", timeout=10).json()["faults"] == []
    everything = requests.get(f"{control}/requests", timeout=10).json()["requests"]
    assert [entry["operation"] for entry in everything] == ["DescribeInstance"]
    boto.list_instances()  # the fault is gone


@pytest.mark.parametrize(
    "fault",
    [
        {"operation": "NoSuchOperation", "error": "ThrottlingException"},
        {"operation": "ListInstances", "error": "ConflictException"},  # not modeled for ListInstances
        {"operation": 5, "status": 500},
    ],
    ids=["unknown-operation", "unmodeled-error", "not-a-name"],
)
def test_scoped_faults_must_name_a_served_operation_and_its_errors(connect_url: str, fault: dict[str, Any]) -> None:
    response = requests.post(f"{connect_url}/_mock/faults", json=fault, timeout=10)
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (400, "MockControlException")


def test_sensitive_members_of_any_operation_are_redacted_in_capture(connect_url: str) -> None:
    requests.post(f"{connect_url}/_mock/reset", timeout=10).raise_for_status()
    op = load_service_operation("connect", "CreateUser")
    params = {**sample_input(op, 3), "Password": "Sup3rSecretPassw0rd"}
    client("connect", connect_url).create_user(**params)
    text = requests.get(f"{connect_url}/_mock/requests", timeout=10).text
    assert "Sup3rSecretPassw0rd" not in text and "REDACTED" in text


# --- real clients ------------------------------------------------------------------------------------


def _call_all(service: str, url: str, operations: Any) -> list[str]:
    boto = client(service, url)
    failures = []
    for op in operations:
        try:
            result = getattr(boto, method_name(boto, op.name))(**sample_input(op, 0))
            for value in result.values():
                if isinstance(value, StreamingBody):
                    value.read()
        except Exception as exc:
            failures.append(f"{op.name}: {type(exc).__name__}: {str(exc)[:200]}")
    return failures


def test_boto3_calls_every_connect_operation(connect_url: str) -> None:
    assert _call_all("connect", connect_url, CONNECT) == []


@pytest.mark.parametrize("service", OTHERS)
def test_boto3_calls_every_operation_of_other_services(others_url: str, service: str) -> None:
    operations = resolve_operations(service, "all")
    assert _call_all(service, others_url, operations) == []


def test_the_other_services_cover_greedy_labels_headers_status_payloads_and_documents() -> None:
    found = set().union(*(features(op) for service in OTHERS for op in resolve_operations(service, "all")))
    wanted = {"in:greedy", "in:header:string", "out:header:string", "out:status:integer", "in:payload:blob"}
    assert wanted | {"out:payload:blob", "in:type:document", "out:type:document"} <= found


def test_each_service_is_signed_with_its_own_signing_name() -> None:
    config = MockConfig(auth="sigv4", credentials={"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"})
    with running_mock(config.__class__(**{**config.__dict__, "services": ("connect", "lambda")})) as url:
        assert client("lambda", url).get_account_settings()["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert client("connect", url).list_instances()["ResponseMetadata"]["HTTPStatusCode"] == 200
        wrong = requests.get(url + "/2016-08-19/account-settings", timeout=10)
        assert wrong.status_code == 403


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "@aws-sdk").is_dir(), reason="npm ci")
def test_js_sdk_calls_a_covering_sample_of_connect(connect_url: str) -> None:
    sample = covering_sample(CONNECT)
    assert set().union(*(features(op) for op in sample)) == set().union(*(features(op) for op in CONNECT))
    calls = [{"operation": op.name, "input": tagged(sample_input(op, 0), op.model.input_shape)} for op in sample]
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "mock" / "js_call_operations.cjs"), connect_url],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(sample), result.stderr[-2000:]
    assert [line for line in lines if not line["ok"]] == []


def test_intended_pattern_reads_javascript_literals() -> None:
    assert intended_pattern("/^a+$/") == "^a+$"
    assert intended_pattern(".*/^[\\d]{12}$/.*") == "^[\\d]{12}$"
    assert intended_pattern("^[a-z/]+/$") == "^[a-z/]+/$"


def test_tags_round_trip(others_url: str) -> None:
    requests.post(f"{others_url}/_mock/reset", timeout=10).raise_for_status()
    arn = "arn:aws:connect:us-east-1:123456789012:instance/abc/queue/q"
    connect = client("connect", others_url)
    connect.tag_resource(resourceArn=arn, tags={"team": "blue", "env": "test"})
    connect.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "blue"}
    function = "arn:aws:lambda:us-east-1:123456789012:function:f"
    lam = client("lambda", others_url)
    lam.tag_resource(Resource=function, Tags={"k": "v"})
    assert lam.list_tags(Resource=function)["Tags"] == {"k": "v"}
    requests.post(f"{others_url}/_mock/reset", timeout=10).raise_for_status()
    assert connect.list_tags_for_resource(resourceArn=arn).get("tags") != {"team": "blue"}  # synthetic again


def test_an_empty_label_the_model_allows_is_served(connect_url: str) -> None:
    # AssociateQueueQuickConnects.QueueId has no min: botocore sends "" (restjson-bindings.md section 1).
    boto = client("connect", connect_url)
    result = boto.associate_queue_quick_connects(InstanceId="inst", QueueId="", QuickConnectIds=["q"])
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
