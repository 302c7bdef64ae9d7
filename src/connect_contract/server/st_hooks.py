"""The harness's checks as schemathesis custom checks, for anyone who prefers plain ``st run``.

    SCHEMATHESIS_HOOKS=connect_contract.server.st_hooks st run contracts/openapi.json --url URL

Importing this module registers one schemathesis check per harness check, named ``aws_<id>``
(``aws_error_status``, ``aws_no_secret_echo``, ...).  Each converts schemathesis' response into an
:class:`~connect_contract.server.transport.Exchange`, judges the request's validity with the
harness's classifier (not schemathesis' positive/negative label) and raises ``AssertionError`` with
the check's redacted message.  ``responds`` (schemathesis reports transport errors itself) and the
vectors-only checks are not registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis

from connect_contract.server.checks import CHECKS, Check
from connect_contract.server.classify import classify, sensitive_values
from connect_contract.server.transport import Exchange, Request, Response

PREFIX = "aws_"


def to_exchange(response: Any) -> Exchange:
    """A schemathesis ``Response`` (with its ``requests.PreparedRequest``) as a harness exchange."""
    prepared = response.request
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {str(k): str(v) for k, v in prepared.headers.items()}
    method, url = str(prepared.method), str(prepared.url)
    request = Request(
        method=method,
        url=url,
        headers=tuple(headers.items()),
        body=body,
        intent=classify(method, url, headers, body),
        source="schemathesis",
        secrets=sensitive_values(body),
    )
    joined = {name.lower(): ", ".join(values) for name, values in response.headers.items()}
    answer = Response(response.status_code, response.message, joined, response.content or b"", response.elapsed)
    return Exchange(request, answer)


def as_schemathesis_check(check: Check) -> Callable[[Any, Any, Any], None]:
    def run_check(ctx: Any, response: Any, case: Any) -> None:
        exchange = to_exchange(response)
        if check.applies(exchange):
            message = check.run(exchange)
            if message is not None:
                raise AssertionError(f"{check.id} ({check.level}): {message}")

    run_check.__name__ = run_check.__qualname__ = PREFIX + check.id
    run_check.__doc__ = check.catches
    return run_check


REGISTERED = tuple(
    schemathesis.check(as_schemathesis_check(check))
    for check in CHECKS
    if check.id != "responds" and not check.vectors_only
)
