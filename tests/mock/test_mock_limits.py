"""Oversize bodies are refused with a 4xx without being read; pathological input is answered quickly."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from mock_support import Mock

from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.mock import responses
from connect_contract.mock.config import DEFAULT_MAX_BODY_BYTES
from connect_contract.model import load_operation

OP = load_operation()


def connection(mock: Mock) -> http.client.HTTPConnection:
    parts = urlsplit(mock.url)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)


def padded(size: int) -> bytes:
    """A valid request body padded with JSON whitespace to exactly ``size`` bytes."""
    body = json.dumps({"InstanceId": "i", "State": "s", "Code": "c"}).encode()
    return body + b" " * (size - len(body))


def test_body_at_the_limit_is_accepted(lenient: Mock) -> None:
    response = lenient.post(padded(DEFAULT_MAX_BODY_BYTES))
    assert response.status_code == 200


def test_declared_oversize_body_is_refused_before_it_is_sent(lenient: Mock) -> None:
    conn = connection(lenient)
    conn.putrequest("POST", OP.request_uri)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(10 * 1024 * 1024))  # 10 MiB announced, never sent
    conn.endheaders(b"{")
    response = conn.getresponse()
    assert response.status == responses.error_status(responses.REQUEST_TOO_LARGE) == 413
    assert response.getheader(ERROR_TYPE_HEADER) == responses.REQUEST_TOO_LARGE
    assert "Message" in json.loads(response.read())
    conn.close()


def test_chunked_oversize_body_is_cut_off_at_the_limit(lenient: Mock) -> None:
    conn = connection(lenient)
    chunk = b" " * 4096
    chunks = [b"{", *([chunk] * (DEFAULT_MAX_BODY_BYTES // len(chunk) + 1)), b"}"]
    conn.request(
        "POST", OP.request_uri, body=iter(chunks), headers={"Content-Type": "application/json"}, encode_chunked=True
    )
    response = conn.getresponse()
    assert (response.status, response.getheader(ERROR_TYPE_HEADER)) == (413, responses.REQUEST_TOO_LARGE)
    response.read()
    # the rest of the body was discarded, not parsed as a request: the connection still works
    conn.request("POST", OP.request_uri, body=padded(100), headers={"Content-Type": "application/json"})
    assert conn.getresponse().status == 200
    conn.close()
    captured = lenient.control("GET", "requests").json()["requests"]
    assert [r["headers"].get("content-length") for r in captured] == ["100"]  # the refused body was not captured


def test_chunked_body_under_the_limit_is_read(lenient: Mock) -> None:
    conn = connection(lenient)
    body = padded(3000)
    conn.request(
        "POST",
        OP.request_uri,
        body=iter([body[:1000], body[1000:]]),
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    assert conn.getresponse().status == 200
    conn.close()


def test_redos_shaped_values_are_answered(lenient: Mock) -> None:
    """Every patterned member at its maximum length of allowed characters, failing on the last one."""
    for member in OP.input_members:
        shape = member.shape
        if shape.pattern is None or shape.max_length is None:
            continue
        body = {"InstanceId": "i", "State": "s", "Error": "e", member.name: "a" * (shape.max_length - 1) + "\x00"}
        response = lenient.post(json.dumps(body), timeout=2)
        assert response.headers[ERROR_TYPE_HEADER] == "InvalidParameterException"
