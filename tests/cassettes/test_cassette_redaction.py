"""Redaction keeps what the contract can observe (type, length, pattern verdict) and nothing else."""

from __future__ import annotations

import json

import pytest
from botocore.credentials import Credentials
from cassette_support import ACCESS_KEY, SECRET_KEY
from vcr.request import Request

from connect_contract.cassettes.redact import (
    ACCOUNT_PLACEHOLDER,
    FIXED_AMZ_DATE,
    ZERO_UUID,
    mask,
    redact_request,
    redact_response,
    sensitive_members,
    verdict,
)
from connect_contract.cassettes.scan import scan_cassette
from connect_contract.model import load_operation
from connect_contract.sigv4 import sign

OP = load_operation()
SENSITIVE = list(sensitive_members().values())


def _values(member: object) -> list[object]:
    shape = member.shape  # type: ignore[attr-defined]
    values: list[object] = ["s3cret-value", "x", "", "y" * (shape.max_length + 1), 123456, None, True]
    if shape.pattern:
        values.append('has "quote" inside')
    return values


@pytest.mark.parametrize("member", SENSITIVE, ids=lambda m: m.name)
def test_mask_keeps_type_length_and_verdict_and_is_idempotent(member: object) -> None:
    for value in _values(member):
        masked = mask(member, value)  # type: ignore[arg-type]
        assert type(masked) is type(value)
        assert verdict(member, masked) == verdict(member, value)  # type: ignore[arg-type]
        assert mask(member, masked) == masked  # type: ignore[arg-type]
        if isinstance(value, str):
            assert len(masked) == len(value)
            assert value == "" or value not in masked


def _signed_request(body: dict[str, object]) -> Request:
    raw = json.dumps(body).encode()
    url = "http://127.0.0.1:4567" + OP.request_uri
    headers = {"Content-Type": b"application/json", "amz-sdk-invocation-id": b"1b0e-random"}
    creds = Credentials(ACCESS_KEY, SECRET_KEY, "FQoGZXIvYXdzEXAMPLEsessiontoken")
    headers.update(
        sign("POST", url, raw, {"Content-Type": "application/json"}, creds, region="eu-west-2", service="connect")
    )
    headers["X-Amz-Content-Sha256"] = b"0" * 64
    headers["Content-Length"] = str(len(raw))
    return Request("POST", url, raw, headers)


def test_request_is_redacted_before_it_is_stored() -> None:
    body = {m.name: f"secret-{m.name}-value" for m in OP.input_members}
    request = redact_request(_signed_request(body))
    stored = json.loads(request.body)
    assert list(stored) == list(body)  # the key set and order survive
    for member in SENSITIVE:
        assert stored[member.name] == mask(member, body[member.name])
    headers = dict(request.headers)
    assert all(isinstance(v, str) for v in headers.values())  # no !!binary in the YAML
    assert "Signature=REDACTED" in headers["Authorization"] and ACCESS_KEY not in headers["Authorization"]
    assert "/eu-west-2/connect/" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == "REDACTED"
    assert headers["X-Amz-Date"] == FIXED_AMZ_DATE
    assert headers["amz-sdk-invocation-id"] == ZERO_UUID
    assert headers["Content-Length"] == str(len(request.body))
    assert request.uri == "http://127.0.0.1" + OP.request_uri  # the random port is gone
    assert redact_request(request).body == request.body  # idempotent


def test_response_account_ids_and_access_keys_are_replaced_and_noise_dropped() -> None:
    message = "User arn:aws:iam::123456789012:user/bob (key AKIAIOSFODNN7EXAMPLE) is not authorized"
    raw = json.dumps({"Message": message}).encode()
    response = {
        "status": {"code": 403, "message": "Forbidden"},
        "headers": {
            "Date": ["Thu, 26 Nov 2026"],
            "Server": ["x"],
            "Content-Length": ["999"],
            "x-amzn-RequestId": ["abc"],
        },
        "body": {"string": raw},
    }
    stored = redact_response(response)
    text = stored["body"]["string"].decode()
    assert "123456789012" not in text and ACCOUNT_PLACEHOLDER in text
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "<access-key-id>" in text
    assert set(stored["headers"]) == {"Content-Length", "x-amzn-RequestId"}
    assert stored["headers"]["Content-Length"] == [str(len(stored["body"]["string"]))]
    assert stored["headers"]["x-amzn-RequestId"] == [ZERO_UUID]


def _cassette(request_body: str, response_message: str, authorization: str = "REDACTED") -> dict[str, object]:
    return {
        "interactions": [
            {
                "request": {"body": request_body, "headers": {"Authorization": [authorization]}, "uri": "u"},
                "response": {"body": {"string": json.dumps({"Message": response_message})}, "headers": {}},
            }
        ]
    }


@pytest.mark.parametrize(
    ("cassette", "known", "kind"),
    [
        (_cassette("{}", "key AKIAIOSFODNN7EXAMPLE"), (), "an AWS access key id"),
        (_cassette("{}", f"secret {SECRET_KEY}!"), (), "secret-access-key-like"),
        (_cassette("{}", "your code was 8675309-abc"), ("8675309-abc",), "sent as a sensitive member"),
        (_cassette(json.dumps({SENSITIVE[0].name: "plain"}), "m"), (), "is not redacted"),
        (
            _cassette(
                "{}",
                "m",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/connect/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" + "a" * 64,
            ),
            (),
            "unredacted Authorization",
        ),
    ],
    ids=["access-key", "secret-key", "known-value", "sensitive-member", "authorization"],
)
def test_scan_names_kind_and_place_never_the_value(cassette: object, known: tuple[str, ...], kind: str) -> None:
    findings = scan_cassette(cassette, known)
    assert findings and any(kind in f.kind for f in findings), findings
    assert all(f.index == 0 for f in findings)
    for finding in findings:
        text = str(finding)
        assert SECRET_KEY not in text and "AKIAIOSFODNN7EXAMPLE" not in text and "8675309" not in text
