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

    section = (Path(__file__).resolve().parents[2] / "docs" / "server-checks.md").read_text(encoding="utf-8")
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


# --- the verdict policy: error types as clients resolve them, payload keys, throttled pairs ---------

CORAL = ":http://internal.amazon.com/coral/com.amazon.coral.validate/"
NS = "aws.protocoltests.restjson#"
# The spec's example values ("All of the following error values resolve to FooError") and the
# errors.smithy vectors, in the header, `code` and `__type`; plus botocore's `Code`.
RESOLVABLE = [
    ({"x-amzn-errortype": name}, b"{}")
    for name in ("FooError", "FooError" + CORAL, NS + "FooError", NS + "FooError" + CORAL)
] + [
    ({}, json.dumps({key: value}).encode())
    for key in ("code", "__type", "Code")
    for value in ("FooError", NS + "FooError", NS + "FooError" + CORAL)
]


def _botocore_error_code(headers: dict[str, str], body: bytes) -> str:
    from botocore.awsrequest import HeadersDict
    from botocore.parsers import create_parser

    response = {"status_code": 400, "headers": HeadersDict(headers), "body": body}
    parsed = create_parser("rest-json").parse(response, None)
    return str(parsed["Error"]["Code"])


@pytest.mark.parametrize(("headers", "body"), RESOLVABLE)
def test_error_type_resolves_as_botocore_resolves_it(headers: dict[str, str], body: bytes) -> None:
    from connect_contract.protocol import resolve_error_type

    resolved = resolve_error_type(lambda name: headers.get(name.lower()), body)
    assert resolved is not None and resolved.clean
    assert resolved.name == "FooError" == _botocore_error_code(headers, body)
    assert resolved.bare == (resolved.source == "header" and resolved.raw == "FooError")


def test_the_header_wins_over_the_body_and_a_header_in_any_case_is_found() -> None:
    request = _request({})
    body = json.dumps({"code": "ConflictException", "Message": "m"}).encode()
    # The transport lower-cases header names, as HTTP makes them case-insensitive.
    response = Response(400, "Bad", {"x-amzn-errortype": PARAMETER_ERROR_NAME}, body, 0.0)
    outcomes = {check.id: message for check, message in evaluate(Exchange(request, response))}
    assert outcomes["error_type"] is None and outcomes["error_type_style"] is None
    assert outcomes["error_status"] is None  # judged as InvalidParameterException (400), not Conflict (409)


PARAMETER_ERROR_NAME = "InvalidParameterException"


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({}, b'{"Message": "no type anywhere"}', "without an error type"),
        ({}, b"<html>500</html>", "without an error type"),
        ({"x-amzn-errortype": "Bad Request"}, b"{}", "not a shape name"),
        ({"x-amzn-errortype": "a#b#FooError"}, b"{}", "not a shape name"),  # botocore: FooError, JS v3: b
        ({"x-amzn-errortype": ""}, b'{"code": "FooError"}', "not a shape name"),  # clients take the empty header
        ({}, b'{"code": 400}', "not a shape name"),
    ],
)
def test_an_error_type_clients_cannot_resolve_fails_error_type(
    headers: dict[str, str], body: bytes, expected: str
) -> None:
    response = Response(400, "Bad", {"content-type": "application/json", **headers}, body, 0.0)
    outcomes = {check.id: message for check, message in evaluate(Exchange(_request({}), response))}
    assert expected in (outcomes["error_type"] or ""), outcomes


def _outcomes(status: int, headers: dict[str, str], body: bytes) -> dict[str, object]:
    from connect_contract.server.checks import judge_exchange

    response = Response(status, "", {"content-type": "application/json", "x-amzn-requestid": "r", **headers}, body, 0.0)
    return {check.id: outcome for check, outcome in judge_exchange(Exchange(_request({}), response))}


def test_a_smithy_validation_exception_is_judged_by_its_own_shape() -> None:
    body = {"message": "1 validation error detected", "fieldList": [{"path": "/State", "message": "too long"}]}
    outcomes = _outcomes(400, {"x-amzn-errortype": "ValidationException"}, json.dumps(body).encode())
    failed = {check_id for check_id, outcome in outcomes.items() if outcome is not None}
    assert "error_message" in outcomes and failed == set(), outcomes
    # ... while a modeled error is judged by the model's shape: its member is `Message`.
    modeled = _outcomes(400, {"x-amzn-errortype": PARAMETER_ERROR_NAME}, b'{"message": "m"}')
    assert "`Message`" in str(modeled["error_message"])


def test_json_media_types_are_read_and_only_application_json_is_recommended() -> None:
    for content_type, style_ok in [
        ("application/json; charset=utf-8", True),
        ("application/x-amz-json-1.1", False),
        ("application/vnd.example+json", False),
    ]:
        response = Response(400, "", {"content-type": content_type, "x-amzn-errortype": "X"}, b'{"Message": "m"}', 0)
        outcomes = dict(evaluate(Exchange(_request({}), response)))
        by_id = {check.id: message for check, message in outcomes.items()}
        assert by_id["error_body"] is None, content_type
        assert (by_id["json_media_type"] is None) == style_ok, content_type


def test_a_throttled_answer_leaves_a_compared_pair_unjudged() -> None:
    from connect_contract.server.checks import Unjudged, by_id

    request = _request({})
    throttled = Response(429, "", {"x-amzn-errortype": "ThrottlingException"}, b'{"Message": "slow"}', 0.0)
    refused = Response(400, "", {"x-amzn-errortype": PARAMETER_ERROR_NAME}, b'{"Message": "m"}', 0.0)
    check = by_id("code_point_length")
    for mine, twin in [(throttled, refused), (refused, throttled)]:
        outcome = check.outcome(Exchange(request, mine, reference=twin))
        assert isinstance(outcome, Unjudged) and "throttled" in outcome.reason
    assert check.outcome(Exchange(request, refused, reference=refused)) is None
    ok = Response(200, "", {"content-type": "application/json"}, b"{}", 0.0)
    assert "code points" in str(check.outcome(Exchange(request, refused, reference=ok)))


def test_unknown_members_and_enum_values_outside_the_model_are_payload_problems() -> None:
    from connect_contract.model import build_operation, load_service_model
    from connect_contract.server.checks import payload_problems

    assert payload_problems({}, OP.output) == []
    assert payload_problems({"Status": "OK"}, OP.output) == [f"member `/Status` is not in {OP.output.name}"]
    # An output with a top-level enum member, from the same botocore model (this operation's output is empty).
    model = load_service_model()
    shapes = model["shapes"]

    def has_enum_member(name: str) -> bool:
        raw = model["operations"][name]
        members = shapes[raw["output"]["shape"]].get("members", {}) if "output" in raw and "input" in raw else {}
        return any("enum" in shapes[ref["shape"]] for ref in members.values())

    enum_op = build_operation(model, next(name for name in sorted(model["operations"]) if has_enum_member(name)))
    member = next(m for m in enum_op.output.members if m.shape.enum)
    assert payload_problems({member.name: member.shape.enum[0]}, enum_op.output) == []
    problems = payload_problems({member.name: "NOT-" + member.shape.enum[0]}, enum_op.output)
    assert problems == [f"`/{member.name}` is 'NOT-{member.shape.enum[0]}', not a value of enum {member.shape.name}"]


def test_allow_unknown_members_turns_the_payload_key_check_into_a_recommendation() -> None:
    import botocore

    from connect_contract.server.checks import ALLOW_UNKNOWN_MEMBERS_OPTION, CHECKS, by_id, checks_for

    assert by_id("success_members").level == "required"
    relaxed = checks_for(allow_unknown_members=True)
    assert by_id("success_members", relaxed).level == "recommended"
    assert [c.level for c in relaxed if c.id != "success_members"] == [
        c.level for c in checks_for() if c.id != "success_members"
    ]
    assert {c.id for c in checks_for()} <= {c.id for c in CHECKS}
    response = Response(200, "", {"content-type": "application/json"}, b'{"Status": "OK"}', 0.0)
    message = by_id("success_members").run(Exchange(_request({}), response)) or ""
    assert f"botocore {botocore.__version__}" in message and ALLOW_UNKNOWN_MEMBERS_OPTION in message
    assert "newer model" in message


def test_pytest_front_door_shows_a_throttled_pair_as_unjudged_and_honours_allow_unknown_members() -> None:
    import warnings

    from server_catalogue import THROTTLE_EVERY

    from connect_contract.server.fixtures import RecommendedCheckWarning, ServerConformance, UnjudgedCheckWarning
    from connect_contract.server.runner import Settings

    pairs = [v for v in load_vectors() if v.same_as is not None]
    with serve_in_thread(make_app(variant="throttles_every_nth_request")) as url:
        conformance = ServerConformance(Settings(endpoint=url, timeout=5), strict=True)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            for vector in pairs[:THROTTLE_EVERY]:  # each pair sends two requests: one of them is throttled
                conformance.assert_vector(vector)
        conformance.close()
    assert any(w.category is UnjudgedCheckWarning and "throttled" in str(w.message) for w in seen)

    valid = next(v for v in load_vectors() if v.expect == "valid" and v.same_as is None)
    with serve_in_thread(make_app("unknown_success_member")) as url:
        strict_keys = ServerConformance(Settings(endpoint=url, timeout=5), strict=False)
        with pytest.raises(pytest.fail.Exception, match="success_members"):
            strict_keys.assert_vector(valid)
        strict_keys.close()
        relaxed = ServerConformance(Settings(endpoint=url, timeout=5, allow_unknown_members=True), strict=False)
        with pytest.warns(RecommendedCheckWarning, match="success_members"):
            relaxed.assert_vector(valid)
        relaxed.close()


@pytest.mark.parametrize(
    ("status", "headers", "body", "verdict"),
    [
        (200, {"content-type": "application/json"}, b"{}", "pass"),
        (409, {"x-amzn-errortype": "ConflictException"}, b'{"Message": "m"}', "pass"),  # modeled refusal
        (400, {}, b'{"code": "ns#ConflictException"}', "pass"),  # resolved from the body, as clients do
        (429, {"x-amzn-errortype": "ThrottlingException"}, b'{"Message": "m"}', "pass"),  # modeled
        (429, {"x-amzn-errortype": "TooManyRequestsException"}, b"{}", "unjudged"),  # a front end's throttle
        (501, {"content-type": "text/html"}, b"<html>501</html>", "fail"),  # issue 15: never a refusal
        (500, {"x-amzn-errortype": "InternalServiceException"}, b'{"Message": "m"}', "fail"),  # modeled, but 5xx
        (400, {"x-amzn-errortype": "ValidationException"}, b'{"message": "m"}', "fail"),  # not modeled
    ],
)
def test_accepts_valid_uses_the_resolved_type_and_never_skips_a_5xx(
    status: int, headers: dict[str, str], body: bytes, verdict: str
) -> None:
    from connect_contract.server.checks import Unjudged, by_id

    request = Request(OP.http_method, "http://127.0.0.1:1" + OP.request_uri, (), b"{}", "valid", "test")
    outcome = by_id("accepts_valid").outcome(Exchange(request, Response(status, "", headers, body, 0.0)))
    kind = "pass" if outcome is None else "unjudged" if isinstance(outcome, Unjudged) else "fail"
    assert kind == verdict, outcome


def test_a_typed_size_limit_refusal_of_a_valid_request_is_unjudged_and_an_untyped_one_fails() -> None:
    """A model-valid 100,000-character token can exceed a front end's limit: a typed 413/431 is unjudged."""
    from connect_contract.server.checks import Unjudged, by_id

    check = by_id("accepts_valid")
    request = _request({})
    for status, kind in [(413, "RequestEntityTooLargeException"), (431, "RequestHeaderFieldsTooLargeException")]:
        typed = Response(status, "", {"x-amzn-errortype": kind}, b'{"message": "too large"}', 0.0)
        outcome = check.outcome(Exchange(request, typed))
        assert isinstance(outcome, Unjudged) and "size limit" in outcome.reason
    untyped = Response(413, "", {"content-type": "text/html"}, b"<html>too large</html>", 0.0)
    assert isinstance(check.outcome(Exchange(request, untyped)), str)


def test_a_json_null_body_is_invalid_and_white_space_is_either_for_any_operation() -> None:
    from connect_contract.operations import load_service_operation
    from connect_contract.server.classify import classify_operation

    op = load_service_operation("connect", "ListPhoneNumbersV2")  # every body member optional
    url, headers = "http://127.0.0.1:1/phone-number/list", {"Content-Type": "application/json"}
    assert classify_operation(op, "POST", url, headers, b"{}") == "valid"
    assert classify_operation(op, "POST", url, headers, b"") == "valid"
    assert classify_operation(op, "POST", url, headers, b"null") == "invalid"
    assert classify_operation(op, "POST", url, headers, b" ") == "either"


def test_a_sensitive_value_also_sent_in_the_clear_is_not_a_secret_the_server_may_not_echo() -> None:
    """Found by `check --operation all` on the mock: a generated case sent one value as the ContactId
    label and as the sensitive RawMessage.Body; the mock's answer echoed the ContactId, and
    no_secret_echo called that a leak."""
    import json

    from connect_contract.operations import load_service_operation
    from connect_contract.server.classify import operation_secrets

    op = load_service_operation("connect", "UpdateOutboundEmailContactMessage")
    shared, secret = "shared-value.n", "only-in-the-body"
    url = f"http://127.0.0.1:1/instances/i/contacts/{shared}/outbound-email-message"

    def body(text: str) -> bytes:
        message = {
            "MessageSourceType": "RAW",
            "RawMessage": {"Subject": "s", "Body": text, "ContentType": "text/plain"},
        }
        return json.dumps({"EmailMessage": message}).encode()

    assert operation_secrets(op, url, body(shared)) == frozenset()
    assert operation_secrets(op, url, body(secret)) == frozenset({secret})


SEARCH_CONTACTS = {"InstanceId": "i", "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": 1, "EndTime": 2}}
SECRET = "zq-sensitive-text"


def _search_contacts_secrets(**extra: object) -> frozenset[str]:
    """SearchContacts with ``SECRET`` as the sensitive SearchCriteria.Name.SearchText[0], plus ``extra``."""
    import json

    from connect_contract.operations import load_service_operation
    from connect_contract.server.classify import operation_secrets

    op = load_service_operation("connect", "SearchContacts")
    criteria = {"Name": {"SearchText": [SECRET], "MatchType": "MATCH_ALL"}}
    body = {**SEARCH_CONTACTS, "SearchCriteria": criteria, **extra}
    return operation_secrets(op, "http://127.0.0.1:1/search-contacts", json.dumps(body).encode())


@pytest.mark.parametrize(
    "clear",
    [
        {"UnknownMember": {"nested": [SECRET]}},  # a member the model does not know, at any depth
        {"UnknownMember": {SECRET: True}},  # ... as an object key (jsonschema quotes the whole object)
        {"MaxResults": {"x": SECRET}},  # a value of another type than the model's (an invalid case's)
        {"NextToken": f"before-{SECRET}-after"},  # inside a plain string
        {"Sort": {"FieldName": SECRET, "Order": "ASCENDING"}},  # equal to a plain member's value
    ],
    ids=["unknown member", "object key", "mistyped value", "inside a plain string", "a plain member"],
)
def test_a_secret_also_sent_in_the_clear_anywhere_is_no_evidence_of_an_echo(clear: dict[str, object]) -> None:
    """Found by `check --operation all --strict` on the mock (SearchContacts, seed 1): one generated string
    was the sensitive SearchText and a key of an object under a mistyped member; the mock's validation
    message quoted that object, and no_secret_echo called the key a leak."""
    assert _search_contacts_secrets() == frozenset({SECRET})
    assert _search_contacts_secrets(**clear) == frozenset()


def test_a_model_vectors_sensitive_value_inside_a_plain_one_is_not_searched_for() -> None:
    """appconfig CreateHostedConfigurationVersion: the sensitive Content is sent as "cc-content" beside
    ContentType's "cc-contenttype"; a server that returns its ContentType (as the output models) would
    "echo" Content.  Where the value stands alone (connect CreateView's sensitive Name), it is searched."""
    from connect_contract.operations import load_service_operation
    from connect_contract.server.model_vectors import model_vectors

    def baseline_markers(service: str, name: str) -> frozenset[str]:
        vectors = model_vectors(load_service_operation(service, name))
        return next(vector.markers for vector in vectors if vector.id == "baseline")

    assert baseline_markers("appconfig", "CreateHostedConfigurationVersion") == frozenset()
    assert baseline_markers("connect", "CreateView") == frozenset({"cc-name"})
