"""``connect-contract verify``: replay each recorded request to a live implementation and compare.

Not byte equality: the provider must answer with the same status and the same error type as the
recording, and a body of a valid shape for what it answered (the success schema for a 200, the
error's schema for a modeled error).  This is how a team shows its mock still behaves like the
recordings of the real service.  Recorded requests carry redacted placeholders that keep each
sensitive value's type, length and pattern verdict, so the provider sees an equivalent request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import requests
from botocore.credentials import Credentials

from connect_contract.cassettes.lint import decode_json, error_type, schema_problems
from connect_contract.cassettes.record import GIVE_UP_AFTER_TIMEOUTS, connection_failure
from connect_contract.cassettes.store import Interaction
from connect_contract.contracts import error_validator, response_validator
from connect_contract.contracts.parts import response_errors, response_parts, validator
from connect_contract.model import load_operation
from connect_contract.operations import ServiceOperation
from connect_contract.protocol import resolve_error_type
from connect_contract.ratelimit import RateLimit
from connect_contract.sigv4 import SigV4RequestsAuth


@dataclass
class Comparison:
    interaction: Interaction
    recorded_status: int
    recorded_type: str | None
    got_status: int | None = None
    got_type: str | None = None
    problems: list[str] = field(default_factory=list)
    unreachable: bool = False  # no HTTP answer because the provider could not be connected to

    @property
    def ok(self) -> bool:
        return not self.problems

    def diff(self) -> list[str]:
        """The readable difference: one line per problem, recorded vs got."""
        head = f"{self.interaction.where} (scenario {self.interaction.scenario})"
        return [head, *(f"  {problem}" for problem in self.problems)]


def _shape_problems(interaction: Interaction, status: int, name: str | None, body: bytes) -> list[str]:
    decoded = decode_json(body)
    op = interaction.op
    if op.name != load_operation().name or op.service_name != "connect":
        return _any_shape_problems(op, status, name, body)
    modeled = set(load_operation().error_names)
    if status == 200:
        validator = response_validator()
    elif name in modeled:
        validator = error_validator(name)
    else:
        return []  # an unmodeled answer to a malformed request: status and type already compared
    if not isinstance(decoded, dict):
        return [f"body: a {status} body must be a JSON object"]
    return [f"body: {message}" for message in schema_problems(validator, decoded)]


def _any_shape_problems(op: ServiceOperation, status: int, name: str | None, body: bytes) -> list[str]:
    """Any other operation: the output contract for a 2xx, the error's schema for a modeled error."""
    if 200 <= status < 300:
        return [f"body: {m}" for m in response_errors(op, response_parts(op, status, {}, body)) if m.startswith("body")]
    if name not in {e.name for e in op.errors}:
        return []
    decoded = decode_json(body)
    if not isinstance(decoded, dict):
        return [f"body: a {status} body must be a JSON object"]
    return [f"body: {m}" for m in schema_problems(validator(op, f"errors/{name}.schema.json"), decoded)]


def compare(interaction: Interaction, status: int, name: str | None, body: bytes) -> Comparison:
    recorded_type = error_type(interaction) if interaction.status != 200 else None
    result = Comparison(interaction, interaction.status, recorded_type, status, name)
    if status != interaction.status:
        result.problems.append(f"status:     recorded {interaction.status}, got {status}")
    if name != recorded_type:
        result.problems.append(f"error type: recorded {recorded_type or '(none)'}, got {name or '(none)'}")
    result.problems += _shape_problems(interaction, status, name, body)
    return result


@dataclass(frozen=True)
class Provider:
    endpoint: str
    region: str = "us-east-1"
    credentials: Credentials | None = None
    timeout: float = 10.0
    rate_limit: RateLimit | None = None  # None: unlimited


def _send(session: requests.Session, provider: Provider, interaction: Interaction) -> requests.Response:
    op = interaction.op
    url = provider.endpoint.rstrip("/") + interaction.target
    content_type = interaction.request_header("Content-Type")
    headers = {"Content-Type": content_type} if content_type is not None else {}
    for binding in (*op.headers, *op.prefix_headers):  # header-bound members travel with the request
        for name, values in interaction.request_headers.items():
            if name.lower().startswith(binding.wire_name.lower()) and values:
                headers[name] = values[0]
    auth = None
    if provider.credentials is not None:
        auth = SigV4RequestsAuth(provider.credentials, region=provider.region, service=op.signing_name)
    return session.request(
        interaction.method, url, data=interaction.request_body, headers=headers, auth=auth, timeout=provider.timeout
    )


def verify_all(items: Sequence[Interaction], provider: Provider) -> list[Comparison]:
    """Compare every interaction.  Bounded time against a bad provider: an unreachable one, or one
    that leaves two requests in a row unanswered, fails the rest without sending them."""
    results: list[Comparison] = []
    given_up, timeouts = "", 0
    with requests.Session() as session:
        for item in items:
            recorded_type = error_type(item) if item.status != 200 else None
            if given_up:
                skipped = Comparison(item, item.status, recorded_type, problems=[given_up])
                skipped.unreachable = bool(results) and results[-1].unreachable
                results.append(skipped)
                continue
            if provider.rate_limit is not None:
                provider.rate_limit.wait()
            try:
                answer = _send(session, provider, item)
                timeouts = 0
            except requests.ConnectionError as exc:
                given_up = f"no answer: provider unreachable ({connection_failure(exc)})"
                results.append(Comparison(item, item.status, recorded_type, problems=[given_up], unreachable=True))
                continue
            except requests.Timeout:
                timeouts += 1
                problem = f"no answer within {provider.timeout:g} s"
                results.append(Comparison(item, item.status, recorded_type, problems=[problem]))
                if timeouts >= GIVE_UP_AFTER_TIMEOUTS:
                    given_up = f"not sent: the provider left {timeouts} requests in a row unanswered"
                continue
            except requests.RequestException as exc:
                results.append(Comparison(item, item.status, recorded_type, problems=[f"no answer: {exc}"]))
                continue
            name = None
            if answer.status_code != 200:  # every 200 is success to every client, whatever its headers
                resolved = resolve_error_type(answer.headers.get, answer.content)
                name = resolved.name if resolved is not None and resolved.name else None
            results.append(compare(item, answer.status_code, name, answer.content))
    return results
