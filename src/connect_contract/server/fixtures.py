"""pytest fixtures for server conformance (loaded by :mod:`connect_contract.pytest_plugin`).

``pytest tests/conformance --endpoint URL`` runs the same vectors and checks as
``connect-contract check``: one test per vector (``test_server_vectors.py``) and one per check over
the generated cases (``test_server_generated.py``).  Without ``--endpoint`` they run against a
built-in mock started for the session.  Another repository can reuse them with the two small test
files and the installed plugin (docs/server-checks.md).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

import pytest

from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.server.checks import Check, Unjudged, by_id, checks_for, judge_exchange
from connect_contract.server.runner import (
    DEFAULT_TIMEOUT,
    MAX_CONSECUTIVE_TRANSPORT_FAILURES,
    CheckResult,
    RunResult,
    Settings,
    run,
)
from connect_contract.server.transport import Exchange, Sender
from connect_contract.server.vectors import Vector, load_vectors, send_vector

# The per-request timeout (the CLI's --timeout); an environment variable because the shared plugin
# owns the command-line options.
TIMEOUT_VARIABLE = "CONNECT_CONTRACT_TIMEOUT"


class RecommendedCheckWarning(UserWarning):
    """A recommended check failed (a failure only with ``--strict-recommended``)."""


class UnjudgedCheckWarning(UserWarning):
    """A check applied but could not judge the exchange (e.g. a throttled answer in a compared pair)."""


def selected_operations(config: pytest.Config) -> tuple[ServiceOperation, ...]:
    """``--service``/``--operation`` (name, ``all`` or a glob); ``pytest.UsageError`` when unknown."""
    from connect_contract.operations import DEFAULT_OPERATION, DEFAULT_SERVICE, OperationLookupError, resolve_operations

    service = config.getoption("--service", default=None) or DEFAULT_SERVICE
    operation = config.getoption("--operation", default=None) or DEFAULT_OPERATION
    try:
        return resolve_operations(service, operation)
    except OperationLookupError as exc:
        raise pytest.UsageError(f"connect-contract: {exc}") from None


def selected_pins(config: pytest.Config) -> tuple[tuple[str, str], ...]:
    from connect_contract.server.model_vectors import split_pins

    try:
        return split_pins(tuple(config.getoption("--set", default=None) or ()))
    except ValueError as exc:
        raise pytest.UsageError(f"connect-contract: {exc}") from None


def operation_vectors_for(op: ServiceOperation, pins: tuple[tuple[str, str], ...]) -> tuple[Vector, ...]:
    """The vectors of one operation: the mission's hand-tuned file, else the model's (with ``--set``)."""
    from connect_contract.server.runner import operation_vectors

    return operation_vectors(Settings(endpoint="", operation=op, pins=pins))


def selected_vectors(config: pytest.Config) -> list[Vector]:
    """Every vector of the selected operations (for ``pytest_generate_tests``)."""
    pins = selected_pins(config)
    try:
        return [vector for op in selected_operations(config) for vector in operation_vectors_for(op, pins)]
    except ValueError as exc:  # an unknown --set member
        raise pytest.UsageError(f"connect-contract: {exc}") from None


def vector_test_id(vector: Vector) -> str:
    return vector.id if vector.operation is None else f"{vector.operation.name}:{vector.id}"


class ServerConformance:
    """The session's view of the endpoint: sends vectors on demand, runs the generated cases once."""

    def __init__(self, settings: Settings, *, strict: bool) -> None:
        self.settings = settings
        self.strict = strict
        self.checks = checks_for(allow_unknown_members=settings.allow_unknown_members)
        self.sender = Sender(timeout=settings.timeout, rate_limit=settings.rate_limit, auth=settings.auth)
        self._answers: dict[str, Exchange] = {}
        self._unanswered_in_a_row = 0
        self._generated: dict[str, RunResult] = {}

    def checks_of(self, op: ServiceOperation | None) -> tuple[Check, ...]:
        if op is None:
            return self.checks
        return checks_for(allow_unknown_members=self.settings.allow_unknown_members, operation=op)

    def _send(self, vector: Vector) -> Exchange:
        # Like the CLI's runner: after a few requests in a row without an HTTP answer, stop sending,
        # so a hanging endpoint fails the session in seconds instead of one timeout per vector.
        if self._unanswered_in_a_row >= MAX_CONSECUTIVE_TRANSPORT_FAILURES:
            pytest.fail(f"not sent: the endpoint gave no HTTP answer to the last {self._unanswered_in_a_row} requests")
        exchange = send_vector(self.sender, self.settings.endpoint, vector)
        self._unanswered_in_a_row = self._unanswered_in_a_row + 1 if exchange.response is None else 0
        return exchange

    def exchange(self, vector: Vector) -> Exchange:
        key = vector_test_id(vector)
        if key not in self._answers:
            exchange = self._send(vector)
            if vector.same_as is not None:
                siblings = (
                    load_vectors()
                    if vector.operation is None
                    else operation_vectors_for(vector.operation, self.settings.pins)
                )
                twin = next(v for v in siblings if v.id == vector.same_as)
                exchange = replace(exchange, reference=self.exchange(twin).response, pair=vector.pair)
            self._answers[key] = exchange
        return self._answers[key]

    def assert_vector(self, vector: Vector) -> None:
        self.assert_exchange(self.exchange(vector), self.checks_of(vector.operation))

    def assert_pagination(self, op: ServiceOperation) -> None:
        """Follow ``op``'s pages (check ``pagination_token`` and the rest) and fail on any required failure."""
        from connect_contract.server.runner import follow_pages

        exchanges: list[Exchange] = []

        def keep(exchange: Exchange) -> list[str]:
            exchanges.append(exchange)
            return []

        follow_pages(replace(self.settings, operation=op), self.sender, keep)
        for exchange in exchanges:
            self.assert_exchange(exchange, self.checks_of(op))

    def assert_exchange(self, exchange: Exchange, checks: tuple[Check, ...]) -> None:
        required: list[str] = []
        recommended: list[str] = []
        for check, message in judge_exchange(exchange, checks):
            if isinstance(message, Unjudged):
                warnings.warn(f"{check.id}: not judged: {message.reason}", UnjudgedCheckWarning, stacklevel=2)
            elif message is not None:
                (required if check.level == "required" or self.strict else recommended).append(
                    f"{check.id} ({check.level}): {message}"
                )
        self._warn(recommended)
        if required:
            from connect_contract.server import render

            request = exchange.request
            pytest.fail(
                "\n".join([*required, render.summary(request), render.curl(request, self.settings.region)]),
                pytrace=False,
            )

    @cached_property
    def generated(self) -> RunResult:
        return run(replace(self.settings, vectors=False))

    def generated_for(self, op: ServiceOperation | None) -> RunResult:
        if op is None or op is mission_operation():
            return self.generated
        key = f"{op.service_name}:{op.name}"
        if key not in self._generated:
            self._generated[key] = run(replace(self.settings, vectors=False, operation=op))
        return self._generated[key]

    def assert_generated(self, check_id: str, op: ServiceOperation | None = None) -> None:
        result = self.generated_for(op)
        if check_id not in result.checks:
            pytest.skip(f"{check_id} does not concern {op.name if op else 'this operation'}")
        entry: CheckResult = result.checks[check_id]
        if result.stopped and check_id == "responds":
            pytest.fail(result.stopped, pytrace=False)
        if entry.cases == 0:
            pytest.skip(f"{check_id}: no generated case exercised this check")
        if entry.passed:
            return
        lines = [f"{check_id} ({entry.check.level}): {entry.failure_count} of {entry.cases} generated cases failed"]
        for failure in entry.failures:
            lines += [f"- {failure.message} (from {failure.source})", failure.request, failure.curl]
        if by_id(check_id, self.checks).level == "required" or self.strict:
            pytest.fail("\n".join(lines), pytrace=False)
        self._warn(lines[:1])

    @staticmethod
    def _warn(messages: list[str]) -> None:
        for message in messages:
            warnings.warn(message, RecommendedCheckWarning, stacklevel=3)

    def close(self) -> None:
        self.sender.close()


def _settings(config: pytest.Config, endpoint: str) -> Settings:
    from connect_contract.ratelimit import parse_rate_limit
    from connect_contract.sigv4 import requests_auth  # library code never imports a CLI module

    region = config.getoption("--region")
    max_examples = config.getoption("--max-examples")
    timeout = os.environ.get(TIMEOUT_VARIABLE)
    try:
        seconds = float(timeout) if timeout else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"{TIMEOUT_VARIABLE} must be a number of seconds, not {timeout!r}") from None
    return Settings(
        endpoint=endpoint,
        timeout=seconds,
        rate_limit=parse_rate_limit(config.getoption("--rate-limit"), endpoint),
        max_examples=max_examples if max_examples is not None else Settings.max_examples,
        seed=config.getoption("--seed"),
        region=region,
        auth=requests_auth(region, endpoint, selected_operations(config)[0].signing_name)
        if config.getoption("--sigv4")
        else None,
        allow_unknown_members=bool(config.getoption("--allow-unknown-members")),
        pins=selected_pins(config),
    )


@pytest.fixture(scope="session")
def server_endpoint(pytestconfig: pytest.Config) -> Iterator[str]:
    """``--endpoint`` (validated), or a built-in mock for the session."""
    from connect_contract.endpoints import validate_endpoint as parse_endpoint

    endpoint = pytestconfig.getoption("--endpoint")
    if endpoint:
        try:
            yield parse_endpoint(endpoint)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from exc
        return
    from connect_contract.mock import running_mock

    with running_mock() as url:
        yield url


@pytest.fixture(scope="session")
def server_conformance(pytestconfig: pytest.Config, server_endpoint: str) -> Iterator[ServerConformance]:
    try:
        settings = _settings(pytestconfig, server_endpoint)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from exc
    conformance = ServerConformance(settings, strict=bool(pytestconfig.getoption("--strict-recommended")))
    try:
        yield conformance
    finally:
        conformance.close()
