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

# schemathesis' built-in checks that the harness's checks replace or deliberately leave out (docs/server-checks.md,
# "Schemathesis' built-in checks"): with them on, plain ``st run`` fails a correct server, e.g.
# ``positive_data_acceptance`` rejects a modeled 400 for a schema-valid request that breaks the
# operation's semantics.  ``st run --checks NAME`` still turns any of them back on (the command
# line overrides the project configuration changed here).
REPLACED_BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "ignored_auth",  # the fragment's sigv4 scheme documents SigV4; it is not a static key to leave out
    "missing_required_header",  # the same scheme read as a required Authorization header
    "unsupported_method",  # RFC 9110's Allow header is not an AWS contract
    "allow_header_conformance",
)


@schemathesis.hook
def after_load_schema(context: Any, schema: Any) -> None:
    schema.config.checks.update(excluded_check_names=list(REPLACED_BUILTIN_CHECKS))
