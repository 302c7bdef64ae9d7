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
