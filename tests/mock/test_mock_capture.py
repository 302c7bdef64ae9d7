"""GET /_mock/requests: what the mock received, newest last, with every secret redacted."""

from __future__ import annotations

import json

from mock_support import ACCESS_KEY, SECRET_KEY, Mock

from connect_contract.contracts import sensitive_request_members
from connect_contract.model import load_operation

OP = load_operation()
TOKEN = "zq-session-token-FwoGZXIvYXdzEJr"


def test_capture_redacts_authorization_token_and_sensitive_members(lenient: Mock) -> None:
    secrets = {name: f"zq-secret-{name}" for name in sensitive_request_members()}
    client = lenient.client(token=TOKEN)
    client.update_participant_authentication(InstanceId="first", State="s", Code=secrets["Code"])
    client.update_participant_authentication(
        InstanceId="second", State="s", Error=secrets["Error"], ErrorDescription=secrets["ErrorDescription"]
    )
    listing = lenient.control("GET", "requests")
    for value in (*secrets.values(), TOKEN, SECRET_KEY):
        assert value not in listing.text
    captured = listing.json()["requests"]
    assert [json.loads(r["body"])["InstanceId"] for r in captured] == ["first", "second"]  # newest last
    first = captured[0]
    assert (first["method"], first["path"]) == (OP.http_method, OP.request_uri)
    headers = {k.lower(): v for k, v in first["headers"].items()}
    # the signing details that help debug a client stay; the key id and the signature do not
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=<redacted>/")
    assert "/us-east-1/connect/aws4_request, SignedHeaders=" in headers["authorization"]
    assert headers["authorization"].endswith("Signature=<redacted>")
    assert ACCESS_KEY not in listing.text
    assert headers["x-amz-security-token"] == "<redacted>"
    assert headers["content-type"] == "application/json"
    assert json.loads(first["body"])["Code"] != secrets["Code"]


def test_capture_redacts_secrets_in_bodies_that_are_not_json(lenient: Mock) -> None:
    lenient.post(b'{"InstanceId": "i", "Code": "zq-secret-broken", "Error": "zq-secret-\\"esc\\"", ')
    lenient.post(b'{"Code": "zq-secret-\xff-bytes"')
    listing = lenient.control("GET", "requests")
    assert "zq-secret" not in listing.text
    assert len(listing.json()["requests"]) == 2


def test_every_operation_call_is_captured_and_reset_clears(lenient: Mock) -> None:
    lenient.post(b"{[")
    lenient.post(b"{}", headers={"Content-Type": "text/plain"})
    lenient.http.get(lenient.operation_url, timeout=10)  # 405: not an operation call, not captured
    assert len(lenient.control("GET", "requests").json()["requests"]) == 2
    lenient.reset()
    assert lenient.control("GET", "requests").json()["requests"] == []


def test_capture_survives_undecodable_text(lenient: Mock) -> None:
    lenient.post(b'{"InstanceId": "\\ud800", "State": "s", "Code": "c"}')
    lenient.post(b"\xff\xfe\x00garbage")
    listing = lenient.control("GET", "requests")
    assert listing.status_code == 200
    assert len(listing.json()["requests"]) == 2
    assert lenient.control("GET", "sessions").status_code == 200


def test_an_unparseable_authorization_is_hidden_whole(lenient: Mock) -> None:
    lenient.post(b"{}", headers={"Authorization": "Bearer zq-secret-bearer"})
    listing = lenient.control("GET", "requests")
    assert "zq-secret" not in listing.text
    assert listing.json()["requests"][0]["headers"]["authorization"] == "<redacted>"
