"""The scripted server serves exactly what a vector scripts and captures exactly what arrived."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from connect_contract.client.scripted_server import STRAY_STATUS, Script, running_scripted_server


def raw_request(
    url: str, method: str, path: str, body: bytes, headers: list[tuple[str, str]]
) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_serves_the_script_verbatim_and_captures_the_raw_request() -> None:
    script = Script(409, (("X-Amzn-Errortype", "A"), ("X-Amzn-Errortype", "B")), b"<html>raw</html>")
    with running_scripted_server() as (server, url):
        token = server.arm(script)
        response = raw_request(url, "PUT", "/a%2Fb/../c?x=1&x=2", b"\x00\xffbody", [("X-Dup", "1"), ("x-dup", "2")])
        captured = server.disarm(token)
    assert response.status == 409
    assert response.headers.get_all("X-Amzn-Errortype") == ["A", "B"]  # repeated lines stay repeated
    assert response.headers["Content-Length"] == str(len(script.body))
    (request,) = captured
    assert (request.method, request.raw_path, request.query) == ("PUT", "/a%2Fb/../c", "x=1&x=2")
    assert request.body == b"\x00\xffbody"
    assert request.header_values("x-dup") == ["1", "2"]
    assert request.joined_headers()["x-dup"] == "1,2"


def test_every_attempt_is_counted_and_strays_are_kept_apart() -> None:
    with running_scripted_server() as (server, url):
        stray = raw_request(url, "POST", "/", b"", [])
        token = server.arm(Script(500))
        for _ in range(3):
            raw_request(url, "POST", "/", b"{}", [])
        attempts = server.disarm(token)
    assert stray.status == STRAY_STATUS and len(server.strays) == 1
    assert len(attempts) == 3
