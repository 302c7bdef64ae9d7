"""Units of the server checks: the validity judge, vector expansion, redaction, rate limit, hooks."""

from __future__ import annotations

import json
import re
import time

import pytest
from server_catalogue import make_app

from connect_contract.contracts import sensitive_request_members
from connect_contract.model import load_operation
from connect_contract.ratelimit import RateLimit, default_rate_limit
from connect_contract.server import render
from connect_contract.server.checks import evaluate
from connect_contract.server.classify import classify
from connect_contract.server.generated import generation_document
from connect_contract.server.transport import Exchange, Request, Response, Sender
from connect_contract.server.vectors import load_vectors, marker
from connect_contract.serving import serve_in_thread

OP = load_operation()


def test_the_judge_agrees_with_every_vector_expectation() -> None:
    for vector in load_vectors():
        url = "http://h" + vector.path
        assert classify(vector.method, url, vector.headers(), vector.body) == vector.expect, vector.id


def test_vectors_cover_every_member_and_every_sensitive_member_gets_markers() -> None:
    ids = {v.id for v in load_vectors()}
    for member in OP.input_members:
        assert f"{member.name}-above-max-length" in ids
        assert f"{member.name}-below-min-length" in ids
        assert f"{member.name}-type-number" in ids
    for member in OP.optional_members:
        assert {f"optional-{member.name}-null", f"optional-{member.name}-absent"} <= ids
    for member in OP.required_members:
        assert {f"required-{member.name}-missing", f"required-{member.name}-null"} <= ids
    for name in sensitive_request_members():
        assert f"{name}-marker-valid" in ids and f"{name}-marker-too-long" in ids


def test_non_bmp_vector_is_at_the_limit_in_code_points_not_utf16_units() -> None:
    vector = next(v for v in load_vectors() if v.id.endswith("-max-length-non-bmp"))
    member = vector.id.removesuffix("-max-length-non-bmp")
    value = json.loads(vector.body)[member]
    assert len(value) == OP.member(member).shape.max_length
    assert len(value.encode("utf-16-le")) // 2 > len(value)


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"InstanceId": "i", "State": "s", "Code": None}, {"Content-Type": "application/json"}, "valid"),
        ({"InstanceId": "i", "State": "s", "Unknown": 1}, {"Content-Type": "application/json"}, "valid"),
        ({"InstanceId": "i", "State": None}, {"Content-Type": "application/json"}, "invalid"),
        ({"InstanceId": "i", "State": "s"}, {"Content-Type": "text/plain"}, "invalid"),
        ({"InstanceId": "i", "State": "s", "Error": "ok\n"}, {"Content-Type": "application/json"}, "either"),
    ],
)
def test_judge_follows_server_side_rules(body: dict[str, object], headers: dict[str, str], expected: str) -> None:
    # Member names here are test data describing this operation's model (asserted below), not logic.
    assert {"InstanceId", "State"} == {m.name for m in OP.required_members}
    assert classify(OP.http_method, "http://h" + OP.request_uri, headers, json.dumps(body).encode()) == expected


def test_generation_document_opens_the_request_and_drops_the_documentary_security_scheme() -> None:
    document = generation_document()
    assert document["components"]["schemas"][OP.input.name]["additionalProperties"] is True
    assert "securitySchemes" not in document["components"]
    assert all("security" not in op for op in document["paths"][OP.request_uri].values())


def _request(body: dict[str, object]) -> Request:
    raw = json.dumps(body).encode()
    secrets = frozenset(v for k, v in body.items() if k in sensitive_request_members() and isinstance(v, str))
    url = "http://127.0.0.1:1" + OP.request_uri
    headers = (("Content-Type", "application/json"), ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/x"))
    return Request(OP.http_method, url, headers, raw, "invalid", "test", secrets)


def test_reports_replace_secrets_with_stand_ins_of_the_same_length_and_validity() -> None:
    pattern_member = next(m for m in OP.sensitive_members if m.shape.pattern)
    secret_ok, secret_bad = "hunter2-secret-value", 'bad"secret-value'
    request = _request({pattern_member.name: secret_bad, OP.sensitive_members[0].name: secret_ok})
    shown = render.summary(request) + render.curl(request)
    assert secret_ok not in shown and secret_bad not in shown and "AWS4-HMAC" not in shown
    assert "--aws-sigv4" in render.curl(request)
    stand_in = render.stand_in(pattern_member.name, secret_bad)
    assert len(stand_in) == len(secret_bad)
    assert not re.search(pattern_member.shape.pattern or "", stand_in)


def test_failure_messages_never_carry_the_sensitive_value_even_when_the_server_puts_it_in_a_header() -> None:
    secret = "leaky-secret-0123456789"
    request = _request({OP.sensitive_members[0].name: secret})
    response = Response(400, "Bad", {"x-amzn-errortype": f"ns#{secret}"}, b"{}", 0.0)
    messages = [m for _, m in evaluate(Exchange(request, response)) if m]
    assert messages and all(secret not in m for m in messages)


def test_rate_limit_parsing_and_defaults() -> None:
    assert str(RateLimit.parse("2/s")) == "2/s" and RateLimit.parse("100/m").seconds == 60
    with pytest.raises(ValueError, match="rate limit"):
        RateLimit.parse("fast")
    assert default_rate_limit("http://127.0.0.1:8000") is None
    assert default_rate_limit("http://localhost:8000") is None
    remote = default_rate_limit("https://connect.us-east-1.amazonaws.com")
    assert remote is not None and str(remote) == "2/s"


def test_rate_limit_is_never_exceeded() -> None:
    limit = RateLimit.parse("20/s")
    released: list[float] = []
    wait = limit.wait

    def recording_wait() -> None:  # the moment each request is released to the wire (or just after)
        wait()
        released.append(time.monotonic())

    limit.wait = recording_wait  # type: ignore[method-assign]
    with serve_in_thread(make_app()) as url:
        sender = Sender(timeout=5, rate_limit=limit)
        first_call = time.monotonic()
        for _ in range(6):
            sender.send("POST", url + OP.request_uri, {}, b"{}", intent="invalid", source="t")
        sender.close()
    # Lower bounds only (a busy machine can make spacing longer, never shorter): the k-th request
    # cannot leave before k intervals of 1/20 s after the first call.
    assert len(released) == 6
    assert all(at - first_call >= k * 0.05 for k, at in enumerate(released)), [r - first_call for r in released]


def test_marker_values_are_valid_for_their_member() -> None:
    for member in OP.sensitive_members:
        value = marker(member)
        assert not member.shape.pattern or re.search(member.shape.pattern, value)
        assert (member.shape.min_length or 0) <= len(value) <= (member.shape.max_length or 10**9)


def test_readme_documents_every_check_with_its_level_and_rule() -> None:
    from pathlib import Path

    from connect_contract.server.checks import CHECKS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Server conformance", 1)[1].split("\n## ", 1)[0]
    for check in CHECKS:
        assert f"| `{check.id}` | {check.level} | {check.rule} |" in section, check.id


def test_pytest_fixture_stops_sending_to_an_endpoint_that_never_answers() -> None:
    from server_catalogue import serve_raw

    from connect_contract.server.fixtures import ServerConformance
    from connect_contract.server.runner import Settings

    vectors = [v for v in load_vectors() if v.same_as is None][:5]
    with serve_raw("hang") as url:
        conformance = ServerConformance(Settings(endpoint=url, timeout=0.3), strict=False)
        messages = []
        for vector in vectors:
            with pytest.raises(pytest.fail.Exception) as failed:
                conformance.assert_vector(vector)
            messages.append(str(failed.value))
        conformance.close()
    assert all("no response within 0.3 s" in m for m in messages[:3])
    assert all(m.startswith("not sent") for m in messages[3:])


def test_an_endpoint_under_a_base_path_is_still_the_operation() -> None:
    body = json.dumps({m.name: "x" for m in OP.required_members}).encode()
    headers = {"Content-Type": "application/json"}
    assert classify(OP.http_method, "https://gw.example/stage" + OP.request_uri, headers, body) == "valid"
    assert classify("GET", "https://gw.example/stage" + OP.request_uri, headers, body) == "foreign"


def test_the_same_seed_sends_the_same_generated_requests() -> None:
    import hashlib

    from connect_contract.server.runner import Settings, run

    def bodies_digest(url: str) -> str:
        digest = hashlib.sha256()
        settings = Settings(endpoint=url, seed=11, max_examples=15, vectors=False)
        run(settings, listener=lambda exchange, failed: digest.update(exchange.request.body))
        return digest.hexdigest()

    with serve_in_thread(make_app()) as url:
        assert bodies_digest(url) == bodies_digest(url)
