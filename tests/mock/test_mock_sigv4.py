"""--auth sigv4: real boto3 signatures pass; missing, unknown, tampered, stale or mis-scoped ones fail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import urlsplit

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from mock_support import ACCESS_KEY, SECRET_KEY, Mock, boto3_client

from connect_contract import sigv4
from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.mock import responses
from connect_contract.mock.semantics import PARAMETER_ERROR
from connect_contract.model import load_operation

OP = load_operation()
CALL = {"InstanceId": "i-1", "State": "s", "Code": "zq-secret-code"}
BODY = json.dumps(CALL).encode()


def code_of(mock: Mock, **client_kw: object) -> str | None:
    try:
        boto3_client(mock.url, **client_kw).update_participant_authentication(**CALL)  # type: ignore[arg-type]
    except ClientError as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == responses.error_status(
            exc.response["Error"]["Code"]
        )
        assert SECRET_KEY not in str(exc)
        return str(exc.response["Error"]["Code"])
    return None


def hand_signed(
    mock: Mock,
    body: bytes,
    *,
    signed: tuple[str, ...] = ("content-type", "host", "x-amz-date"),
    when: dt.datetime | None = None,
    region: str = "us-east-1",
    service: str = OP.signing_name,
    extra: dict[str, str] | None = None,
    send_body: bytes | None = None,
) -> tuple[int, str | None]:
    """Sign like any SDK would (any signed-header set), optionally send a different body."""
    stamp = (when or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": urlsplit(mock.url).netloc, "content-type": "application/json", "x-amz-date": stamp}
    headers.update(extra or {})
    auth = sigv4.AuthorizationHeader(ACCESS_KEY, stamp[:8], region, service, "aws4_request", signed, "")
    signature = sigv4.compute_signature(OP.http_method, OP.request_uri, "", headers, body, auth, SECRET_KEY)
    credential = f"Credential={ACCESS_KEY}/{auth.scope}"
    headers["authorization"] = f"AWS4-HMAC-SHA256 {credential}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    response = mock.http.post(mock.operation_url, data=send_body if send_body is not None else body, headers=headers)
    assert SECRET_KEY not in response.text
    return response.status_code, response.headers.get(ERROR_TYPE_HEADER)


def test_boto3_signed_calls_pass_in_any_region_and_with_session_tokens(signed: Mock) -> None:
    assert code_of(signed) is None
    assert code_of(signed, region="ap-southeast-2") is None
    assert code_of(signed, token="FwoGZXIvYXdzEJr-session") is None


def test_missing_unknown_and_wrong_credentials(signed: Mock) -> None:
    assert code_of(signed, signature_version=UNSIGNED) == sigv4.MISSING
    assert code_of(signed, key="AKIDUNKNOWN") == sigv4.UNRECOGNIZED
    assert code_of(signed, secret="not-the-secret") == sigv4.INVALID


def test_tampered_body_is_an_invalid_signature(signed: Mock) -> None:
    assert hand_signed(signed, BODY) == (200, None)
    tampered = BODY.replace(b"i-1", b"i-2")
    assert hand_signed(signed, BODY, send_body=tampered) == (403, sigv4.INVALID)


def test_any_signed_header_set_covering_host_and_date(signed: Mock) -> None:
    js_style = {
        "x-amz-content-sha256": hashlib.sha256(BODY).hexdigest(),
        "x-amz-user-agent": "aws-sdk-js/3",
        "amz-sdk-invocation-id": "1f0",
        "content-length": str(len(BODY)),
    }
    assert hand_signed(
        signed, BODY, signed=("content-type", "host", *sorted(js_style), "x-amz-date"), extra=js_style
    ) == (200, None)
    assert hand_signed(signed, BODY, signed=("host", "x-amz-date")) == (200, None)
    assert hand_signed(signed, BODY, signed=("content-type", "x-amz-date")) == (403, sigv4.INVALID)
    assert hand_signed(signed, BODY, signed=("content-type", "host")) == (403, sigv4.INVALID)


def test_declared_body_hash_is_checked(signed: Mock) -> None:
    wrong = {"x-amz-content-sha256": hashlib.sha256(b"other").hexdigest()}
    assert hand_signed(signed, BODY, signed=("host", "x-amz-content-sha256", "x-amz-date"), extra=wrong) == (
        403,
        sigv4.INVALID,
    )


def test_fifteen_minute_clock_skew_window(signed: Mock) -> None:
    now = dt.datetime.now(dt.UTC)
    assert hand_signed(signed, BODY, when=now - dt.timedelta(minutes=10)) == (200, None)
    assert hand_signed(signed, BODY, when=now - dt.timedelta(minutes=20)) == (403, sigv4.INVALID)
    assert hand_signed(signed, BODY, when=now + dt.timedelta(minutes=20)) == (403, sigv4.INVALID)


def test_scope_must_name_the_service(signed: Mock) -> None:
    assert hand_signed(signed, BODY, service="execute-api") == (403, sigv4.INVALID)


def test_region_pin(sigv4_pinned_server: Mock) -> None:
    assert code_of(sigv4_pinned_server, region="eu-west-2") is None
    assert code_of(sigv4_pinned_server, region="us-east-1") == sigv4.INVALID


def test_signature_is_checked_before_the_body(signed: Mock) -> None:
    assert hand_signed(signed, b"{}") == (400, PARAMETER_ERROR)
    unsigned = signed.post(b"{[")
    assert unsigned.headers[ERROR_TYPE_HEADER] == sigv4.MISSING


@pytest.mark.parametrize("value", ["AWS4-HMAC-SHA256 garbage", "Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256 Credential=a/b"])
def test_malformed_authorization_header(signed: Mock, value: str) -> None:
    response = signed.post(BODY, headers={"Authorization": value, "X-Amz-Date": "20260101T000000Z"})
    assert (response.status_code, response.headers[ERROR_TYPE_HEADER]) == (403, sigv4.INVALID)
