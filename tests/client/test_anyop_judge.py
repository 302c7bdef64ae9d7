"""The any-operation judge on hand-built requests: legitimate variants the protocol leaves open pass
(query order, JSON key order, header-name case, ISO offsets), and the defects next to them fail by rule."""

from __future__ import annotations

import json

from botocore.credentials import Credentials

from connect_contract.client.anyjudge import judge_request
from connect_contract.client.runner import vectors_for
from connect_contract.client.scripted_server import Captured
from connect_contract.client.vectors import Vector, settings
from connect_contract.operations import load_service_operation
from connect_contract.sigv4 import sign

HOST = "127.0.0.1:8"


def _captured(method: str, path: str, query: str, headers: dict[str, str], body: bytes, service: str) -> Captured:
    s = settings()
    url = f"http://{HOST}{path}" + (f"?{query}" if query else "")
    signed = sign(
        method, url, body, headers, Credentials(s.access_key_id, s.secret_access_key), region=s.region, service=service
    )
    every = (
        {"Host": HOST, **headers, **signed, "Content-Length": str(len(body))}
        if body
        else {"Host": HOST, **headers, **signed}
    )
    return Captured(method, path, query, tuple(every.items()), body, 0.0)


def _vector(service: str, operation: str, vector_id: str) -> Vector:
    op = load_service_operation(service, operation)
    return next(v for v in vectors_for([op]) if v.id == f"{service}:{operation}/{vector_id}")


def _rules(service: str, operation: str, vector: Vector, captured: Captured) -> set[str]:
    op = load_service_operation(service, operation)
    return {rule for rule, _ in judge_request(op, vector, captured, settings())}


def test_query_order_and_iso_offsets_are_not_significant() -> None:
    vector = _vector("lambda", "ListDurableExecutionsByFunction", "query-list-2.Statuses")
    statuses = vector.input["Statuses"]
    path = "/2025-12-01/functions/sample-FunctionName/durable-executions"
    forward = "&".join(f"Statuses={s}" for s in statuses)
    backward = "&".join(f"Statuses={s}" for s in reversed(statuses))
    for query in (forward, backward):
        assert (
            _rules(
                "lambda", "ListDurableExecutionsByFunction", vector, _captured("GET", path, query, {}, b"", "lambda")
            )
            == set()
        )
    joined = "Statuses=" + "%2C".join(statuses)
    assert "req.query" in _rules(
        "lambda", "ListDurableExecutionsByFunction", vector, _captured("GET", path, joined, {}, b"", "lambda")
    )
    stamp = _vector("lambda", "ListDurableExecutionsByFunction", "timestamp-fraction.StartedAfter")
    for text, ok in (
        ("2019-12-16T23%3A48%3A18.123Z", True),
        ("2019-12-17T00%3A48%3A18.123%2B01%3A00", True),
        ("1576540098.123", False),
    ):
        rules = _rules(
            "lambda",
            "ListDurableExecutionsByFunction",
            stamp,
            _captured("GET", path, f"StartedAfter={text}", {}, b"", "lambda"),
        )
        assert (rules == set()) is ok, (text, rules)


def test_json_key_order_and_header_case_are_not_significant() -> None:
    vector = _vector("connect", "CreateTestCase", "timestamp-fraction.LastModifiedTime")
    op = load_service_operation("connect", "CreateTestCase")
    body_members = {b.name: b.wire_name for b in op.body}
    body = {body_members[k]: v for k, v in vector.input.items() if k in body_members}
    path = "/test-cases/" + vector.input["InstanceId"]
    for ordered in (body, dict(reversed(list(body.items())))):
        headers = {"content-type": "application/json", "X-AMZ-LAST-MODIFIED-TIME": "Mon, 16 Dec 2019 23:48:18 GMT"}
        raw = json.dumps(ordered).encode()
        assert _rules("connect", "CreateTestCase", vector, _captured("PUT", path, "", headers, raw, "connect")) == set()
    iso = {"content-type": "application/json", "x-amz-last-modified-time": "2019-12-16T23:48:18Z"}
    rules = _rules(
        "connect", "CreateTestCase", vector, _captured("PUT", path, "", iso, json.dumps(body).encode(), "connect")
    )
    assert rules == {"req.timestamp-format"}


# --- the wire rules alone (what the proxy judges, with check-client's ids): legitimate variants pass -----

ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/contact/x y"
ARN_LABEL = "arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2Fabc%2Fcontact%2Fx%20y"
# (service, operation, method, path, query) of lambda's CreateFunction, which several cases send
CREATE_FUNCTION = ("lambda", "CreateFunction", "POST", "/2015-03-31/functions", "")
WIRE_CASES: dict[str, tuple[str, str, str, str, str, dict[str, str], object, set[tuple[str, str]]]] = {
    # name -> (service, operation, method, path, query, headers, JSON body or None, {(rule, level)} expected)
    "query-order-and-offsets": (
        "lambda",
        "ListDurableExecutionsByFunction",
        "GET",
        "/2025-12-01/functions/f/durable-executions",
        "Statuses=b&StartedAfter=2019-12-17T00%3A48%3A18.123%2B01%3A00&Statuses=a&ReverseOrder=false&MaxItems=0",
        {},
        None,
        set(),
    ),
    "query-defects": (
        "lambda",
        "ListDurableExecutionsByFunction",
        "GET",
        "/2025-12-01/functions/f/durable-executions",
        "StartedAfter=1576540098&ReverseOrder=True&MaxItems=1&MaxItems=2&Other=1",
        {},
        None,
        {("req.timestamp-format", "required"), ("req.query", "required")},
    ),
    "label-escaped-as-smithy": (
        "connect",
        "UntagResource",
        "DELETE",
        f"/tags/{ARN_LABEL}",
        "tagKeys=a",
        {},
        None,
        set(),
    ),
    "label-sub-delims-raw": (  # decodes to the same value: only the recommended exact-bytes rule
        "connect",
        "UntagResource",
        "DELETE",
        "/tags/arn:aws:connect:us-east-1:123456789012:instance%2Fabc%2Fcontact%2Fx+y",
        "tagKeys=a",
        {},
        None,
        {("req.label-bytes", "recommended")},
    ),
    "greedy-label-keeps-slash": ("mediastore-data", "GetObject", "GET", "/folder/a%20b.txt", "", {}, None, set()),
    "greedy-label-slash-encoded": (
        "mediastore-data",
        "GetObject",
        "GET",
        "/folder%2Fa.txt",
        "",
        {},
        None,
        {("req.label", "required")},
    ),
    "no-idempotency-token": (
        "connect",
        "DeleteInstance",
        "DELETE",
        "/instance/i-1",
        "",
        {},
        None,
        {("req.idempotency-token", "required")},
    ),
    "wrong-method": (
        "connect",
        "DeleteInstance",
        "GET",
        "/instance/i-1",
        "clientToken=t",
        {},
        None,
        {("req.method", "required")},
    ),
    "body-legitimate": (
        "connect",
        "AssociateUserProficiencies",
        "POST",
        "/users/i-1/u-1/associate-proficiencies",
        "",
        {"content-type": "application/json; charset=utf-8"},
        {"UserProficiencies": [{"Level": "NaN", "AttributeValue": "v", "AttributeName": "n"}, {"Level": 9.5e9}]},
        set(),  # NaN as a string (RestJsonSupportsNaNFloatInputs), a level out of range and a missing required
    ),  # member are the caller's input: constraints are no client rule
    "body-defects": (
        "connect",
        "AssociateUserProficiencies",
        "POST",
        "/users/i-1/u-1/associate-proficiencies",
        "",
        {"content-type": "application/json"},
        {"UserProficiencies": [{"Level": "high", "AttributeName": 5, "Extra": 1}]},
        {("req.values", "required"), ("req.keys", "required")},
    ),
    "body-null-blob-timestamp": (
        "lambda",
        "CreateEventSourceMapping",
        "POST",
        "/2015-03-31/event-source-mappings",
        "",
        {"content-type": "application/json"},
        {
            "FunctionName": "f",
            "EventSourceArn": None,
            "BatchSize": "10",
            "StartingPositionTimestamp": "2019-12-16T23:48:18Z",
        },
        {("req.omitted-absent", "required"), ("req.values", "required"), ("req.timestamp-format", "required")},
    ),
    "blob-not-base64": (
        *CREATE_FUNCTION,
        {"content-type": "application/json"},
        {"FunctionName": "f", "Role": "r", "Code": {"ZipFile": "hello, world"}},
        {("req.values", "required")},
    ),
    "no-content-type": (
        *CREATE_FUNCTION,
        {},
        {"FunctionName": "f", "Role": "r", "Code": {"ZipFile": "aGVsbG8sIHdvcmxk"}},
        {("req.content-type", "required")},
    ),
}


def _wire_rules(
    service: str,
    operation: str,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    document: object,
    *,
    signing: str | None = None,
    raw: bytes | None = None,
) -> set[tuple[str, str]]:
    from connect_contract.client.wirerules import judge_wire_request

    body = raw if raw is not None else (b"" if document is None else json.dumps(document).encode())
    op = load_service_operation(service, operation)
    captured = _captured(method, path, query, headers, body, signing or op.signing_name)
    found = judge_wire_request(op, method, path, query, captured.headers, body)
    return {(p.rule, p.level) for p in found}


def test_the_wire_rules_pass_legitimate_variants_and_name_each_defect_by_check_clients_id() -> None:
    for name, (service, operation, method, path, query, headers, document, expected) in WIRE_CASES.items():
        assert _wire_rules(service, operation, method, path, query, headers, document) == expected, name


def test_the_wire_rules_judge_the_signature_scope_and_duplicate_keys() -> None:
    case = ("connect", "DeleteInstance", "DELETE", "/instance/i-1", "clientToken=t", {}, None)
    assert _wire_rules(*case) == set()
    assert _wire_rules(*case, signing="execute-api") == {("req.sigv4", "required")}
    from connect_contract.client.wirerules import judge_wire_request

    unsigned = judge_wire_request(
        load_service_operation("connect", "DeleteInstance"), *case[2:5], [("Host", HOST)], b""
    )
    assert [p.rule for p in unsigned] == ["req.sigv4"]
    duplicated = b'{"FunctionName": "f", "Role": "r", "Role": "s", "Code": {}}'
    rules = _wire_rules(*CREATE_FUNCTION, {"content-type": "application/json"}, None, raw=duplicated)
    assert rules == {("req.body-json-object", "required")}
