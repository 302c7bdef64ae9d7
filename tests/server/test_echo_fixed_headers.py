"""no_secret_echo: a header the protocol fixes is not an echo (seen in plain `st run`, issue 15 item 15).

schemathesis generated ``"Code": "application/json"``; the reference mock answered 400 with
``Content-Type: application/json`` and the check failed a correct server.  A value echoed anywhere
the server chose to put it (another header, the body) is still caught.
"""

from __future__ import annotations

import json

import pytest

from connect_contract.server.echo import echoes
from connect_contract.server.transport import Response

SENT = "application/json"  # a generated sensitive value that reads like a media type


def _answer(headers: dict[str, str], body: dict[str, str]) -> Response:
    return Response(400, "Bad Request", headers, json.dumps(body).encode(), 0.01)


def test_a_content_type_equal_to_the_sent_value_is_not_an_echo() -> None:
    answer = _answer({"content-type": "application/json", "x-amzn-errortype": "InvalidRequestException"}, {})
    assert not echoes(answer, [SENT])


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"content-type": "application/json", "x-debug-code": SENT}, {}),
        ({"content-type": "application/json"}, {"Message": f"bad Code {SENT}"}),
    ],
    ids=["other-header", "body"],
)
def test_the_value_echoed_where_the_server_chose_is_still_caught(headers: dict[str, str], body: dict[str, str]) -> None:
    assert echoes(_answer(headers, body), [SENT])
