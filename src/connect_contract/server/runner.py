"""One engine behind ``connect-contract check`` and ``pytest --endpoint``: send, judge, tally.

It runs the deterministic vectors first (fast, and they tell quickly whether the endpoint answers
at all), then the generated cases.  Every exchange is judged by every applicable check; the result
is a typed :class:`RunResult` that the terminal, Markdown and JUnit reports render.  After
``MAX_CONSECUTIVE_TRANSPORT_FAILURES`` requests in a row without an HTTP answer the run stops --
the endpoint cannot be judged, and hundreds of timeouts would only make the verdict late.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import requests

from connect_contract.ratelimit import RateLimit
from connect_contract.server import render
from connect_contract.server.checks import CHECKS, Check, Unjudged, checks_for, judge_exchange
from connect_contract.server.transport import Exchange, Response, Sender
from connect_contract.server.vectors import Vector, load_vectors, send_vector

MAX_CONSECUTIVE_TRANSPORT_FAILURES = 3
KEPT_FAILURES = 3  # per check: enough to see a pattern, few enough to read
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_EXAMPLES = 100


@dataclass(frozen=True)
class Settings:
    endpoint: str
    timeout: float = DEFAULT_TIMEOUT
    rate_limit: RateLimit | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    region: str = "us-east-1"
    auth: requests.auth.AuthBase | None = None
    vectors: bool = True
    generated: bool = True
    allow_unknown_members: bool = False  # success_members becomes a recommendation (a newer model)


@dataclass(frozen=True)
class Failure:
    message: str
    source: str  # which vector / generated phase produced the request
    request: str  # redacted summary
    curl: str  # redacted, reproduces the request


@dataclass
class CheckResult:
    check: Check
    cases: int = 0
    failure_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    # Exchanges the check applied to but could not judge (e.g. a throttled answer in a compared
    # pair): counted neither in ``cases`` nor as failures; a few reasons are kept to show.
    unjudged: int = 0
    unjudged_reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure_count == 0


@dataclass
class RunResult:
    endpoint: str
    seed: int
    checks: dict[str, CheckResult]
    cases: int = 0
    vector_cases: int = 0
    generated_cases: int = 0
    wall_seconds: float = 0.0
    stopped: str | None = None  # why the run ended early, if it did
    # How valid requests were answered: a server that refuses every valid one with a modeled error
    # passes the checks (semantics such as a known State are outside the contract), so it is shown.
    valid_accepted: int = 0
    valid_refused: int = 0

    def failed(self, *, strict: bool = False) -> list[CheckResult]:
        return [r for r in self.checks.values() if not r.passed and (strict or r.check.level == "required")]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.failed(strict=strict) and self.stopped is None

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.wall_seconds if self.wall_seconds else 0.0


class Tally:
    """Judges exchanges as they happen and keeps the counts (and a few failures) per check."""

    def __init__(self, result: RunResult, region: str, listener: Callable[[Exchange, list[str]], None] | None) -> None:
        self.result = result
        self.region = region
        self.listener = listener
        self.consecutive_transport_failures = 0

    def record(self, exchange: Exchange) -> list[str]:
        self.result.cases += 1
        if exchange.request.intent == "valid" and exchange.response is not None:
            if 200 <= exchange.response.status < 300:
                self.result.valid_accepted += 1
            else:
                self.result.valid_refused += 1
        failed = []
        checks = tuple(entry.check for entry in self.result.checks.values())
        for check, message in judge_exchange(exchange, checks):
            entry = self.result.checks[check.id]
            if isinstance(message, Unjudged):
                entry.unjudged += 1
                if len(entry.unjudged_reasons) < KEPT_FAILURES:
                    entry.unjudged_reasons.append(f"{message.reason} (from {exchange.request.source})")
                continue
            entry.cases += 1
            if message is None:
                continue
            failed.append(check.id)
            entry.failure_count += 1
            if len(entry.failures) < KEPT_FAILURES:
                request = exchange.request
                entry.failures.append(
                    Failure(message, request.source, render.summary(request), render.curl(request, self.region))
                )
        if exchange.response is None:
            self.consecutive_transport_failures += 1
            if self.consecutive_transport_failures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES and not self.result.stopped:
                self.result.stopped = (
                    f"stopped after {self.consecutive_transport_failures} requests in a row got no HTTP answer "
                    f"({exchange.problem}); the endpoint could not be judged"
                )
        else:
            self.consecutive_transport_failures = 0
        if self.listener is not None:
            self.listener(exchange, failed)
        return failed


def new_result(endpoint: str, seed: int, checks: tuple[Check, ...] = CHECKS) -> RunResult:
    return RunResult(endpoint=endpoint, seed=seed, checks={c.id: CheckResult(c) for c in checks})


def run(
    settings: Settings,
    *,
    listener: Callable[[Exchange, list[str]], None] | None = None,
    vectors: Iterable[Vector] | None = None,
) -> RunResult:
    """Run the vectors and the generated cases against ``settings.endpoint``."""
    from connect_contract.server.generated import new_seed, run_generated  # schemathesis: imported when used

    seed = settings.seed if settings.seed is not None else new_seed()
    result = new_result(settings.endpoint, seed, checks_for(allow_unknown_members=settings.allow_unknown_members))
    tally = Tally(result, settings.region, listener)
    sender = Sender(timeout=settings.timeout, rate_limit=settings.rate_limit, auth=settings.auth)
    started = time.monotonic()
    try:
        if settings.vectors:
            answers: dict[str, Response | None] = {}
            for vector in load_vectors() if vectors is None else vectors:
                if result.stopped:
                    break
                exchange = send_vector(sender, settings.endpoint, vector)
                answers[vector.id] = exchange.response
                if vector.same_as is not None:
                    exchange = replace(exchange, reference=answers.get(vector.same_as))
                tally.record(exchange)
                result.vector_cases += 1
        if settings.generated and not result.stopped:
            before = result.cases

            def on_exchange(exchange: Exchange) -> None:
                tally.record(exchange)

            run_generated(
                sender,
                settings.endpoint,
                max_examples=settings.max_examples,
                seed=seed,
                on_exchange=on_exchange,
                stopped=lambda: result.stopped is not None,
            )
            result.generated_cases = result.cases - before
    finally:
        sender.close()
        result.wall_seconds = time.monotonic() - started
    return result
