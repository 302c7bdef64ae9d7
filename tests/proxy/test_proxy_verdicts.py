"""Broken upstreams and broken clients through the proxy get the verdicts ``check`` and ``check-client``
give them directly (a representative subset of both catalogues), and the correct ones pass.

The upstream twins are ``tests/server/server_catalogue.py``'s, whose ``CATALOGUE`` names the check
``check`` fails each one with (asserted by ``tests/server/test_server_catalogue.py``); the client
twins are ``tests/client/broken_client.py``'s and ``broken_anyop_client.py``'s, which ``check-client``
fails (``tests/client``), and whose very requests are judged here by check-client's own judge too.
The proxy sees only the wire, so the client defects chosen are the ones visible on the wire.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from proxy_support import SIGNED

from connect_contract.asgi import Receive, Scope, Send, send_response, serve_lifespan
from connect_contract.client import anyjudge
from connect_contract.client import judge as mission_judge
from connect_contract.client.runner import vectors_for
from connect_contract.client.scripted_server import Captured
from connect_contract.client.vectors import load_vectors, settings
from connect_contract.model import load_operation
from connect_contract.operations import load_service_operation, resolve_operations
from connect_contract.proxy.app import ExchangeRecord, ProxyApp, ProxySettings
from connect_contract.serving import serve_in_thread

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "server"))
sys.path.insert(0, str(TESTS.parent))
import server_catalogue  # noqa: E402
from tests.client import broken_anyop_client, broken_client  # noqa: E402  (the broken clients, in-process)
from tests.client import test_broken_anyop_clients as direct_anyop  # noqa: E402  (check-client's catalogues)
from tests.client import test_broken_clients as direct_mission  # noqa: E402

OP = load_operation()
URI = OP.request_uri
CODE_MAX = OP.member("Code").shape.max_length
assert CODE_MAX is not None
# Requests a client sends: valid with Code, valid with Error, valid without the first optional member
# (the twins that misbehave only then), and one with Code over its maximum (invalid input).
REQUESTS = [
    {"InstanceId": "instance-1", "State": "state-1", "Code": "secret-code-value-1"},
    {"InstanceId": "instance-1", "State": "state-1", "Error": "access_denied"},
    {"InstanceId": "instance-1", "State": "state-1"},
    {"InstanceId": "instance-1", "State": "state-1", "Code": ("secret-too-long-value-" * 200)[: CODE_MAX + 1]},
]
UPSTREAM_DEFECTS = [
    "no_error_type_header",
    "wrong_status_for_type",
    "non_json_success_body",
    "unknown_success_member",
    "answers_501_html_to_valid",
    "echoes_sensitive_value",
    "status_201",
    "html_error_page",
    "no_max_length_check",
    "server_error_when_optional_absent",
    "namespaced_error_type",  # recommended: a warning, not a failure
    "no_request_id",  # recommended
    "error_message_not_a_string",  # error_members: check's check of an error body against its shape
]


@contextmanager
def proxy_to(upstream: str) -> Iterator[tuple[str, list[ExchangeRecord]]]:
    records: list[ExchangeRecord] = []
    settings = ProxySettings(upstream=upstream, service="connect", operations=resolve_operations("connect", "all"))
    with serve_in_thread(ProxyApp(settings, records.append)) as url:
        yield url, records


def _send_all(url: str) -> None:
    with requests.Session() as session:
        for body in REQUESTS:
            session.post(url + URI, json=body, auth=SIGNED, timeout=10)


def _server_rules(records: list[ExchangeRecord]) -> dict[str, set[str]]:
    rules: dict[str, set[str]] = {"required": set(), "recommended": set()}
    for record in records:
        for finding in record.findings:
            if finding.side == "server":
                rules[finding.level].add(finding.rule)
    return rules


def test_the_correct_upstream_passes_every_exchange() -> None:
    with serve_in_thread(server_catalogue.make_app()) as upstream, proxy_to(upstream) as (url, records):
        _send_all(url)
    assert _server_rules(records) == {"required": set(), "recommended": set()}
    # The last request's Code is over its maximum: the caller's input, which a client sends as given (check-client
    # never fails one for it); the upstream's 4xx is what rejects_invalid judged.
    assert [r.verdict for r in records] == ["PASS", "PASS", "PASS", "PASS"], [r.findings for r in records]


@pytest.mark.parametrize("defect", UPSTREAM_DEFECTS)
def test_a_broken_upstream_gets_the_verdict_check_gives_it(defect: str) -> None:
    expected = server_catalogue.CATALOGUE[defect]
    with serve_in_thread(server_catalogue.make_app(defect)) as upstream, proxy_to(upstream) as (url, records):
        _send_all(url)
    rules = _server_rules(records)
    level = next(c.level for c in server_catalogue_checks() if c.id == expected)
    assert expected in rules[level], (defect, rules)
    if level == "recommended":  # a SHOULD matter never fails the run
        assert rules["required"] == set() and not any(r.failed for r in records[:3])
    text = "\n".join(str(f) for r in records for f in r.findings)
    assert "secret-code-value-1" not in text and "secret-too-long" not in text  # reported, never repeated


def server_catalogue_checks() -> tuple[object, ...]:
    from connect_contract.server.checks import CHECKS

    return CHECKS


# --- broken clients: the proxy's request verdicts are check-client's ---------------------------------
#
# Each broken client of check-client's catalogues runs in this process (the same code as its adapter, with
# the same defect) against the proxy; a tap in front of the proxy keeps the request exactly as it arrived,
# and check-client's own judge (client/judge.py for the mission operation, client/anyjudge.py for any other)
# judges that very request with the vector's input.  The proxy must name the defect with check-client's
# rule id, and every required rule it reports must be one check-client reports for the same request.

MISSION_DEFECTS = (  # every defect of tests/client/broken_client.py that shows on the wire of one request
    "camel-case-keys",
    "null-for-omitted",
    "extra-member",
    "wrong-path",
    "wrong-method",
    "query-string",
    "no-content-type",
    "chunked",
    "no-escaping",
    "unsigned",
    "wrong-service",
)
# Defects of tests/client/broken_anyop_client.py that show on the wire -> (the proxy's rule, its level).
# The others (a false query value or a 0 dropped, a list joined with commas, ...) need the call to be seen.
ANYOP_DEFECTS: dict[str, tuple[str, str]] = {
    "greedy-slash-encoded": ("req.label", "required"),
    "body-null-sent": ("req.omitted-absent", "required"),
    "body-timestamp-iso": ("req.timestamp-format", "required"),
    "header-timestamp-iso": ("req.timestamp-format", "required"),
    "query-timestamp-epoch": ("req.timestamp-format", "required"),
    "blob-not-base64": ("req.values", "required"),
    "no-idempotency-token": ("req.idempotency-token", "required"),
    # A + for a space: check-client, knowing the value held a space, fails req.label; on the wire a raw + is
    # only a byte Smithy would have sent as %2B (the recommended exact-bytes rule): the value may hold a +.
    "label-plus-for-space": ("req.label-bytes", "recommended"),
}


class Tap:
    """ASGI middleware keeping each request as it arrived (for check-client's judge), then passing it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[Captured] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), bool(message.get("more_body"))
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        query = scope.get("query_string", b"").decode("latin-1")
        self.seen.append(Captured(scope["method"], raw_path, query, headers, body, 0.0))

        async def replay() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


@contextmanager
def tapped_proxy(upstream: str, service: str) -> Iterator[tuple[str, Tap, list[ExchangeRecord]]]:
    records: list[ExchangeRecord] = []
    settings = ProxySettings(upstream=upstream, service=service, operations=resolve_operations(service, "all"))
    tap = Tap(ProxyApp(settings, records.append))
    with serve_in_thread(tap) as url:
        yield url, tap, records


def _client_env(monkeypatch: pytest.MonkeyPatch, defect: str, endpoint: str, service: str, operation: str) -> None:
    s = settings()  # check-client's credentials: its judge verifies the signature with them
    for name, value in {
        "BROKEN_CLIENT_DEFECT": defect,
        "CONNECT_CONTRACT_ENDPOINT": endpoint,
        "CONNECT_CONTRACT_SERVICE": service,
        "CONNECT_CONTRACT_OPERATION": operation,
        "AWS_ACCESS_KEY_ID": s.access_key_id,
        "AWS_SECRET_ACCESS_KEY": s.secret_access_key,
        "AWS_REGION": s.region,
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)


def _client_rules(records: list[ExchangeRecord], level: str | None = None) -> set[str]:
    return {f.rule for r in records for f in r.findings if f.side == "client" and level in (None, f.level)}


@pytest.mark.parametrize("defect", ["none", *MISSION_DEFECTS])
def test_a_broken_client_of_the_mission_operation_gets_check_clients_rule(
    defect: str, mock_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector_id, rule = direct_mission.CATALOGUE.get(defect, ("request.required-only", ""))
    vector = next(v for v in load_vectors() if v.id == vector_id)
    with tapped_proxy(mock_url, "connect") as (url, tap, records):
        _client_env(monkeypatch, defect, url, "connect", OP.name)
        broken_client.make_call()(dict(vector.input))
    (request,) = tap.seen
    direct = {check.rule for check in mission_judge.judge_request(OP, vector, request, settings())}
    proxied = _client_rules(records, "required")
    assert proxied <= direct, (defect, proxied, direct)
    if defect == "none":
        assert direct == set() and _client_rules(records) == set() and records[0].verdict == "PASS"
    else:
        assert rule in proxied and records[0].verdict == "FAIL", (defect, records[0].findings)
    text = "\n".join(str(f) for r in records for f in r.findings)
    assert settings().secret_access_key not in text
    assert not any(v for k, v in vector.input.items() if k == "Code" and v and v in text)  # sensitive


@pytest.mark.parametrize("defect", ["none", *ANYOP_DEFECTS])
def test_a_broken_client_of_any_operation_gets_check_clients_rule(defect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    targets = (
        [direct_anyop.CATALOGUE[d][0] for d in ANYOP_DEFECTS]
        if defect == "none"
        else [direct_anyop.CATALOGUE[defect][0]]
    )
    for vector_id in targets:
        service, _, rest = vector_id.partition(":")
        op = load_service_operation(service, rest.split("/", 1)[0])
        vector = next(v for v in vectors_for([op]) if v.id == vector_id)
        with (
            serve_in_thread(_fixed_answer(200, {}, {})) as upstream,
            tapped_proxy(upstream, service) as (
                url,
                tap,
                records,
            ),
        ):
            _client_env(monkeypatch, defect, url, service, op.name)
            outcome = broken_anyop_client.make_call()(dict(vector.input))
        if outcome["outcome"] == "rejected" and not vector.input_valid:  # boto3 refuses a null: nothing sent
            assert defect == "none" and not tap.seen
            continue
        assert len(tap.seen) == 1, (vector_id, outcome)
        request = tap.seen[0]
        direct = {rule for rule, _ in anyjudge.judge_request(op, vector, request, settings())}
        assert _client_rules(records, "required") <= direct, (vector_id, records[0].findings, direct)
        if defect == "none":
            assert direct == set() and _client_rules(records) == set(), (vector_id, records[0].findings)
            continue
        rule, level = ANYOP_DEFECTS[defect]
        assert direct_anyop.CATALOGUE[defect][1] in direct  # check-client's verdict on this very request
        assert rule in _client_rules(records, level), (defect, records[0].findings)
        assert records[0].verdict == ("FAIL" if level == "required" else "WARN")


# --- any other operation: the answer gets the checks check runs for it (checks_for(operation=op)) --------

DESCRIBE_USER = "/users/instance-1/user-1"  # connect:DescribeUser, GET /users/{InstanceId}/{UserId}
OTHER_OPERATION_ANSWERS: dict[str, tuple[int, dict[str, str], dict[str, object], set[str]]] = {
    # name -> (status, headers, body) the upstream answers DescribeUser with, and the check check fails it by
    "correct": (200, {}, {"User": {"Id": "user-1", "Username": "someone"}}, set()),
    "wrong_member_type": (200, {}, {"User": {"Id": 5}}, {"success_output"}),
    "unknown_member": (200, {}, {"User": {"Id": "user-1", "Nickname": "x"}}, {"success_members"}),
    "wrong_error_status": (
        400,
        {"x-amzn-errortype": "ResourceNotFoundException"},
        {"Message": "no such user"},
        {"error_status"},
    ),
    "error_union_flattened": (  # InvalidRequestException.Reason is a union: an object, not its bare value
        400,
        {"x-amzn-errortype": "InvalidRequestException"},
        {"Message": "bad request", "Reason": "INVALID_FILE_SIZE"},
        {"error_members"},
    ),
    "error_with_members_the_shape_lacks": (  # a lowercase message and a request id: read right (a WARN only)
        404,
        {"x-amzn-errortype": "ResourceNotFoundException"},
        {"message": "no such user", "requestId": "request-1"},
        set(),
    ),
    "server_error": (
        503,
        {"x-amzn-errortype": "ServiceUnavailable"},
        {"message": "down"},
        {"no_server_error", "accepts_valid"},
    ),
}


def _fixed_answer(status: int, headers: dict[str, str], document: dict[str, object]) -> ASGIApp:
    body = json.dumps(document).encode()
    pairs = [(b"content-type", b"application/json"), (b"x-amzn-requestid", b"request-1")]
    pairs += [(k.encode(), v.encode()) for k, v in headers.items()]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
        elif scope["type"] == "http":
            await send_response(send, status, pairs, body)

    return app


@pytest.mark.parametrize("name", sorted(OTHER_OPERATION_ANSWERS))
def test_another_operations_answer_gets_checks_rules(name: str) -> None:
    status, headers, document, expected = OTHER_OPERATION_ANSWERS[name]
    with serve_in_thread(_fixed_answer(status, headers, document)) as upstream, proxy_to(upstream) as (url, records):
        requests.get(url + DESCRIBE_USER, auth=SIGNED, timeout=10)
    (record,) = records
    assert record.operation == "DescribeUser"
    required = {f.rule for f in record.findings if f.level == "required"}
    assert required == expected, record.findings
