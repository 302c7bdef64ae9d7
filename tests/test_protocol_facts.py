"""The protocol facts every reader shares: strict JSON (no bare NaN/Infinity), the request's media type,
and the bounded ASGI body reader.

Both ways for each fact: what restJson1 sends is accepted, what it never sends is refused, with a
reason that names a position or a kind and never the content.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from connect_contract.asgi import BodyTooLarge, Message, read_body, receive_body
from connect_contract.contracts.parts import request_errors, request_parts, response_errors, response_parts
from connect_contract.operations import load_service_operation
from connect_contract.protocol import (
    NotJsonError,
    decode_json,
    is_json_media_type,
    is_json_request_media_type,
    parse_json,
)

# --- strict JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_floats_travel_as_strings_and_a_bare_token_is_not_json(token: str) -> None:
    # RestJsonSupportsNaNFloatInputs: the string form is the protocol's.
    assert decode_json(f'{{"d": "{token}"}}'.encode()) == {"d": token}
    # RestJsonBodyDoubleMalformedValueRejected (nan / inf / negative_inf): the bare token is malformed.
    with pytest.raises(NotJsonError, match=f"bare {token} token"):
        decode_json(f'{{"d": {token}}}'.encode())
    assert parse_json(f'{{"d": {token}}}'.encode()) == (False, None)


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("bad UTF-8", b'{"s": "\xff"}', "not UTF-8 text (byte 7)"),
        ("syntax", b'{"s": "secret', "not JSON (Unterminated string"),
        ("oversize integer", b"9" * 5000, "not JSON (a number too long to convert)"),
        ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "not JSON (nested too deeply)"),
        ("empty", b"", "not JSON (Expecting value at line 1 column 1)"),
    ],
)
def test_every_hostile_body_is_a_not_json_error_not_a_crash(name: str, body: bytes, reason: str) -> None:
    with pytest.raises(NotJsonError) as raised:
        decode_json(body)
    assert str(raised.value).startswith(reason), name
    assert "secret" not in str(raised.value)
    assert parse_json(body) == (False, None)  # the yes/no reader never raises either


def test_plain_json_is_read_as_json() -> None:
    assert decode_json(b'{"a": [1, 2.5, true, null, "x"]}') == {"a": [1, 2.5, True, None, "x"]}
    assert decode_json('{"é": 1}') == {"é": 1}
    assert parse_json(b"[]") == (True, [])


# --- the contracts read bodies strictly (appconfig: GrowthFactor is a float, range 1..100) ------------

APPCONFIG_STRATEGY = {"Name": "s", "DeploymentDurationInMinutes": 10}


def test_botocore_sends_nan_as_a_string_and_the_request_contract_accepts_it() -> None:
    op = load_service_operation("appconfig", "CreateDeploymentStrategy")
    params = {**APPCONFIG_STRATEGY, "GrowthFactor": float("nan")}
    body = create_serializer("rest-json").serialize_to_request(params, op.model)["body"]
    assert b'"GrowthFactor": "NaN"' in body  # Serializer._handle_float
    assert request_errors(op, request_parts(op, "/deploymentstrategies", {}, body)) == []


def test_a_request_with_a_bare_nan_token_breaks_the_request_contract() -> None:
    op = load_service_operation("appconfig", "CreateDeploymentStrategy")
    body = b'{"Name": "s", "DeploymentDurationInMinutes": 10, "GrowthFactor": NaN}'
    parts = request_parts(op, "/deploymentstrategies", {}, body)
    assert parts.body is None
    assert request_errors(op, parts) == ['body: not JSON (a bare NaN token; restJson1 sends the string "NaN")']


def _strategy(growth: str) -> bytes:
    return f'{{"Id": "abc1234", "Name": "s", "GrowthFactor": {growth}}}'.encode()


@pytest.mark.parametrize("growth", ['"NaN"', '"Infinity"'])
def test_a_response_with_a_non_finite_string_passes_and_botocore_reads_the_float(growth: str) -> None:
    op = load_service_operation("appconfig", "GetDeploymentStrategy")
    body = _strategy(growth)
    assert response_errors(op, response_parts(op, 200, {}, body)) == []
    parsed = create_parser("rest-json").parse({"status_code": 200, "headers": {}, "body": body}, op.model.output_shape)
    assert math.isnan(parsed["GrowthFactor"]) or math.isinf(parsed["GrowthFactor"])


@pytest.mark.parametrize("growth", ["NaN", "Infinity", "-Infinity"])
def test_a_response_with_a_bare_token_fails_because_the_js_sdk_cannot_parse_it(growth: str) -> None:
    # botocore's json.loads would read it; @smithy/core parseJsonBody's JSON.parse throws SyntaxError.
    op = load_service_operation("appconfig", "GetDeploymentStrategy")
    problems = response_errors(op, response_parts(op, 200, {}, _strategy(growth)))
    assert problems == [f'body: not JSON (a bare {growth} token; restJson1 sends the string "{growth}")']


def test_a_deeply_nested_response_is_a_verdict_not_a_crash() -> None:
    op = load_service_operation("appconfig", "GetDeploymentStrategy")
    problems = response_errors(op, response_parts(op, 200, {}, b'{"ReplicateTo": ' + b"[" * 100_000))
    assert problems == ["body: not JSON (nested too deeply)"]


# --- the request's media type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        (b"application/json", True),
        ("Application/JSON", True),
        ("application/json; charset=utf-8", True),
        (" application/json ;charset=UTF-8", True),
        ("application/hal+json", False),  # RestJsonWithBodyExpectsApplicationJsonContentType
        ("application/x-amz-json-1.1", False),  # the AWS JSON 1.1 protocol's type, not restJson1's
        ("application/jsonx", False),
        ("text/json", False),
        ("application/json\xa0", False),  # not HTTP whitespace
        ("", False),
        (None, False),
    ],
)
def test_a_request_body_must_be_application_json_exactly(content_type: str | bytes | None, accepted: bool) -> None:
    assert is_json_request_media_type(content_type) is accepted


def test_a_response_may_name_any_json_type_but_a_request_may_not() -> None:
    for content_type in ("application/hal+json", "application/x-amz-json-1.1"):
        assert is_json_media_type(content_type) and not is_json_request_media_type(content_type)


# --- the bounded ASGI body reader --------------------------------------------------------------------


class Receiver:
    """An ASGI ``receive`` fed from a list of messages, counting how many were taken."""

    def __init__(self, messages: list[Message]) -> None:
        self._messages: Iterator[Message] = iter(messages)
        self.taken = 0

    async def __call__(self) -> Message:
        self.taken += 1
        return next(self._messages)


def chunks(*parts: bytes) -> list[Message]:
    return [{"type": "http.request", "body": part, "more_body": i < len(parts) - 1} for i, part in enumerate(parts)]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_the_body_is_joined_from_its_chunks() -> None:
    assert run(receive_body(Receiver(chunks(b"ab", b"", b"cd")), 4)) == (b"abcd", True)
    assert run(receive_body(Receiver(chunks(b"")), 0)) == (b"", True)
    assert run(receive_body(Receiver(chunks(b"x" * 10, b"y")))) == (b"x" * 10 + b"y", True)  # no limit


def test_a_declared_oversize_body_is_refused_before_anything_is_read() -> None:
    receiver = Receiver(chunks(b"{}"))
    with pytest.raises(BodyTooLarge):
        run(receive_body(receiver, 4, [(b"content-length", b"5")]))
    assert receiver.taken == 0
    assert run(receive_body(Receiver(chunks(b"{}")), 4, [(b"content-length", b"2")])) == (b"{}", True)


def test_an_undeclared_oversize_body_is_refused_at_the_chunk_that_crosses_the_limit() -> None:
    receiver = Receiver(chunks(b"abc", b"de", b"never read"))
    with pytest.raises(BodyTooLarge):
        run(receive_body(receiver, 4))
    assert receiver.taken == 2


def test_a_client_that_goes_away_leaves_what_it_sent() -> None:
    messages: list[Message] = [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}]
    assert run(receive_body(Receiver(messages), 10)) == (b"ab", False)
    assert run(read_body(Receiver(list(messages)), 10)) is None  # the replay server and proxy want it whole
    assert run(read_body(Receiver(chunks(b"abc")), 2)) is None
    assert run(read_body(Receiver(chunks(b"a", b"b")), 2)) == b"ab"


def test_json_dumps_of_a_nan_is_what_strict_reading_refuses() -> None:
    # The one place Python itself writes the bare token: json.dumps(float("nan")).  Readers refuse it.
    with pytest.raises(NotJsonError):
        decode_json(json.dumps({"d": float("nan")}).encode())
