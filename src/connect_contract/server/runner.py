"""One engine behind ``connect-contract check`` and ``pytest --endpoint``: send, judge, tally.

It runs the deterministic vectors first (fast, and they tell quickly whether the endpoint answers
at all), then the generated cases.  Every exchange is judged by every applicable check; the result
is a typed :class:`RunResult` that the terminal, Markdown and JUnit reports render.  After
``MAX_CONSECUTIVE_TRANSPORT_FAILURES`` requests in a row without an HTTP answer the run stops --
the endpoint cannot be judged, and hundreds of timeouts would only make the verdict late.

A failure is reported against the request that caused it: when requests share a connection, that
can be the request before it (:mod:`connect_contract.server.attribution`), probed for at most
``KEPT_FAILURES`` failures per check.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from connect_contract.protocol import media_type, parse_json, resolve_error_type
from connect_contract.ratelimit import RateLimit
from connect_contract.server import render
from connect_contract.server.attribution import Probe, blamed, connection_probe
from connect_contract.server.checks import CHECKS, Check, Outcome, Unjudged, checks_for, judge_exchange
from connect_contract.server.echo import scrubbed
from connect_contract.server.transport import Exchange, Request, Response, Sender
from connect_contract.server.vectors import Vector, load_vectors, send_vector

if TYPE_CHECKING:
    from connect_contract.operations import ServiceOperation

MAX_CONSECUTIVE_TRANSPORT_FAILURES = 3
KEPT_FAILURES = 3  # per check: enough to see a pattern, few enough to read
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_EXAMPLES = 100
# The endpoint "does not speak the protocol" when, out of at least this many answers to operation
# requests, fewer than half are either a JSON object or carry an error type.
PROTOCOL_SAMPLE = 5


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
    # The operation under test (``None``: the mission operation, with its hand-tuned vectors).
    operation: ServiceOperation | None = field(default=None, compare=False)
    pins: tuple[tuple[str, str], ...] = ()  # --set Member=VALUE, pinned in every valid case
    pages: int = 4  # pages followed for a paginated operation (check pagination_token)

    @property
    def is_mission(self) -> bool:
        from connect_contract.operations import mission_operation

        return self.operation is None or self.operation is mission_operation()


@dataclass(frozen=True)
class Failure:
    message: str
    source: str  # which vector / generated phase produced the request
    request: str  # redacted summary
    curl: str  # redacted, reproduces the request


@dataclass
class CheckResult:
    check: Check
    cases: int = 0  # judged cases (passed or failed)
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
    operation: str | None = None  # the operation judged (``None``: the mission operation)
    service: str | None = None
    # How valid requests were answered: a server that refuses every valid one with a modeled error
    # passes the checks (semantics such as a known State are outside the contract), so it is shown.
    # "Refused" is only an answer accepts_valid passed without a 2xx; a 5xx, an unmodeled error or no
    # answer at all is "other".
    valid_accepted: int = 0
    valid_refused: int = 0
    valid_other: int = 0
    valid_answers: Counter[str] = field(default_factory=Counter)  # "<status> <type or media type>" per valid request
    # Answers to operation requests, and how many of them look like restJson1 at all.
    operation_answers: int = 0
    protocol_answers: int = 0
    foreign_answers: Counter[str] = field(default_factory=Counter)  # labels of the ones that do not

    def failed(self, *, strict: bool = False) -> list[CheckResult]:
        return [r for r in self.checks.values() if not r.passed and (strict or r.check.level == "required")]

    def unexercised(self) -> list[CheckResult]:
        """Required checks that judged no case: a pass that proves nothing about them (not those the
        operation's cases cannot reach by design: ``Check.must_exercise``)."""
        return [
            r for r in self.checks.values() if r.check.level == "required" and r.check.must_exercise and r.cases == 0
        ]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.failed(strict=strict) and self.stopped is None and not (strict and self.unexercised())

    def speaks_protocol(self) -> bool:
        """False when most answers are neither a JSON object nor typed errors (an unrelated web server)."""
        if self.operation_answers < PROTOCOL_SAMPLE:
            return True
        return 2 * self.protocol_answers >= self.operation_answers

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.wall_seconds if self.wall_seconds else 0.0


def answer_label(response: Response | None) -> str:
    """A short name for an answer, for counting: "404 UnknownOperationException", "501 text/html"."""
    if response is None:
        return "no answer"
    resolved = resolve_error_type(response.header, response.body)
    kind = (resolved.name or "").strip() if resolved is not None else ""
    if kind:
        return f"{response.status} {kind if len(kind) <= 60 else kind[:59] + '…'}"
    return f"{response.status} {media_type(response.header('content-type')) or '(no Content-Type)'}"


def _looks_like_protocol(response: Response, request: Request | None = None) -> bool:
    """A JSON object body or a resolvable error type: what a restJson1 server sends (nothing else is) --
    or a success without a JSON body where the operation has none (no JSON output, or a HEAD request)."""
    if request is not None and 200 <= response.status < 300:
        op = request.operation
        if request.method.upper() == "HEAD" or (op is not None and not op.has_json_output_body):
            return True
    ok, document = parse_json(response.body)
    return (ok and isinstance(document, dict)) or resolve_error_type(response.header, response.body) is not None


class Tally:
    """Judges exchanges as they happen and keeps the counts (and a few failures) per check."""

    def __init__(
        self,
        result: RunResult,
        region: str,
        listener: Callable[[Exchange, list[str]], None] | None,
        probe: Probe | None = None,
    ) -> None:
        self.result = result
        self.region = region
        self.listener = listener
        self.probe = probe
        self.checks = tuple(entry.check for entry in result.checks.values())
        self.consecutive_transport_failures = 0

    def record(self, exchange: Exchange) -> list[str]:
        self.result.cases += 1
        verdicts = judge_exchange(exchange, self.checks)
        self._count_answer(exchange, verdicts)
        failing = failed_ids(verdicts)
        culprit = None
        if failing and self.probe is not None and exchange.previous is not None and self._keeps_any(failing):
            culprit = self.probe(exchange, failing)
        failed = []
        for check, message in verdicts:
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
                entry.failures.append(self._failure(exchange, message, culprit))
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

    def _keeps_any(self, failing: set[str]) -> bool:
        return any(len(self.result.checks[check_id].failures) < KEPT_FAILURES for check_id in failing)

    def _failure(self, exchange: Exchange, message: str, culprit: Request | None) -> Failure:
        request = exchange.request
        if exchange.previous is not None:  # an answer read from leftover bytes may quote the request before
            message = scrubbed(message, exchange.previous.secrets)
        if culprit is None:
            return Failure(message, request.source, render.summary(request), render.curl(request, self.region))
        return Failure(
            blamed(message, request),
            culprit.source,
            render.summary(culprit),
            render.curl_sequence([culprit, request], self.region),
        )

    def _count_answer(self, exchange: Exchange, verdicts: list[tuple[Check, Outcome]]) -> None:
        response = exchange.response
        label = scrubbed(answer_label(response), exchange.request.secrets)  # headers may echo a secret
        if exchange.request.intent == "valid":
            self.result.valid_answers[label] += 1
            accepted_by_check = any(c.id == "accepts_valid" and m is None for c, m in verdicts)
            if response is not None and 200 <= response.status < 300:
                self.result.valid_accepted += 1
            elif response is not None and response.status < 500 and accepted_by_check:
                self.result.valid_refused += 1
            else:
                self.result.valid_other += 1
        if response is not None and exchange.request.intent != "foreign":
            self.result.operation_answers += 1
            if _looks_like_protocol(response, exchange.request):
                self.result.protocol_answers += 1
            else:
                self.result.foreign_answers[label] += 1


def failed_ids(verdicts: list[tuple[Check, Outcome]]) -> set[str]:
    """The checks that failed (a message; ``None`` passed, :class:`Unjudged` could not say)."""
    return {check.id for check, outcome in verdicts if isinstance(outcome, str)}


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
    op = settings.operation
    checks_in_effect = checks_for(allow_unknown_members=settings.allow_unknown_members, operation=op)
    result = new_result(settings.endpoint, seed, checks_in_effect)
    if op is not None:
        result.operation, result.service = op.name, op.service_name
    if vectors is None:
        vectors = operation_vectors(settings)
    sender = Sender(timeout=settings.timeout, rate_limit=settings.rate_limit, auth=settings.auth)
    checks = tuple(entry.check for entry in result.checks.values())
    probe = connection_probe(sender, lambda exchange: failed_ids(judge_exchange(exchange, checks)))
    tally = Tally(result, settings.region, listener, probe)
    started = time.monotonic()
    try:
        if settings.vectors:
            answers: dict[str, Response | None] = {}
            for vector in vectors:
                if result.stopped:
                    break
                exchange = send_vector(sender, settings.endpoint, vector)
                answers[vector.id] = exchange.response
                if vector.same_as is not None:
                    exchange = replace(exchange, reference=answers.get(vector.same_as), pair=vector.pair)
                tally.record(exchange)
                result.vector_cases += 1
            if op is not None and op.paginator is not None and not result.stopped:
                result.vector_cases += follow_pages(settings, sender, tally.record)
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
                operation=None if settings.is_mission else op,
                pins=pinned(settings),
            )
            result.generated_cases = result.cases - before
    finally:
        sender.close()
        result.wall_seconds = time.monotonic() - started
    return result


def pinned(settings: Settings) -> dict[str, Any]:
    """``--set`` values typed by the operation's model (``ValueError`` names an unknown member)."""
    if not settings.pins or settings.operation is None:
        return {}
    from connect_contract.server.model_vectors import parse_pins

    return parse_pins(settings.operation, dict(settings.pins))


def operation_vectors(settings: Settings) -> tuple[Vector, ...]:
    """The mission operation's hand-tuned vectors (``contracts/vectors/server.json``), else the model's."""
    if settings.is_mission:
        return load_vectors()
    from connect_contract.server.model_vectors import model_vectors

    assert settings.operation is not None
    return model_vectors(settings.operation, pinned(settings))


def follow_pages(settings: Settings, sender: Sender, record: Callable[[Exchange], list[str]]) -> int:
    """Follow a paginated operation's output token for ``settings.pages`` pages; return the requests sent.

    The first page asks for the smallest page the model allows (botocore's ``limit_key``), so a short
    collection still spans pages.  Each answer is judged with the tokens returned before it
    (check ``pagination_token``); a repeated token ends the walk, as it would end a client's patience.
    """
    from connect_contract.server.checks import _json_object, output_token
    from connect_contract.server.model_vectors import baseline, echo_secrets, serialize

    op = settings.operation
    assert op is not None and op.paginator is not None
    params = baseline(op, pinned(settings))
    limit_key = op.paginator.get("limit_key")
    shape = op.model.input_shape
    if limit_key and shape is not None and limit_key in shape.members and limit_key not in dict(settings.pins):
        limit_shape = shape.members[limit_key]
        if limit_shape.type_name == "string":  # glacier's ListJobs: a page size modeled as a string
            params[limit_key] = "1"
        else:
            params[limit_key] = max(int(limit_shape.metadata.get("min", 1)), 1)
    input_token = op.paginator["input_token"]
    input_token = input_token[0] if isinstance(input_token, list) else input_token
    tokens: list[str] = []
    sent = 0
    for page in range(settings.pages):
        wire = serialize(op, params)
        headers = dict(wire.headers)
        exchange = sender.send(
            wire.method,
            settings.endpoint.rstrip("/") + wire.target(),
            headers,
            wire.body,
            intent="valid",
            source=f"pagination page {page + 1}",
            secrets=echo_secrets(shape, params),
            operation=op,
        )
        exchange = replace(exchange, earlier_tokens=tuple(tokens))
        record(exchange)
        sent += 1
        response = exchange.response
        if response is None or not 200 <= response.status < 300:
            break
        token = output_token(op, _json_object(response)[1])
        if token is None or token in tokens:
            break
        tokens.append(token)
        params[input_token] = token
    return sent


@contextmanager
def private_hypothesis_home() -> Iterator[None]:
    """Keep Hypothesis' storage out of the user's working directory (no ``.hypothesis`` there).

    It goes to the user's cache directory instead of a fresh temporary one: Hypothesis caches what it
    learns about the schema there, and an empty store costs about 1.3 s per run (measured).
    """
    import hypothesis.configuration

    with ExitStack() as stack:
        home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "connect-contract" / "hypothesis"
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only home: a temporary store, slower but clean
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="connect-contract-hypothesis-")))
        hypothesis.configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            hypothesis.configuration.set_hypothesis_home_dir(None)
