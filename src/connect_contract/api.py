"""The programmatic face: ``check`` a server, ``check_client`` a client, typed results.

    import connect_contract

    result = connect_contract.check("http://127.0.0.1:4566")          # or check() for the built-in mock
    assert result.ok, result.failed
    result = connect_contract.check(operation="DescribeInstance", pins={"InstanceId": "..."})  # any operation

    clients = connect_contract.check_client(client="boto3")
    clients = connect_contract.check_client(command="node my_adapter.cjs", persistent=True, strict=True)
    clients = connect_contract.check_client(client="js", service="lambda", operation="Invoke")

The same engines as ``connect-contract check`` and ``check-client`` (the same checks, vectors and
verdicts), without a terminal: nothing is printed, nothing is written.  The engines are imported
on the first call, so ``import connect_contract`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connect_contract.client.judge import Judgement
    from connect_contract.client.runner import ClientRun
    from connect_contract.operations import ServiceOperation
    from connect_contract.server.runner import RunResult

__all__ = ["ClientResult", "ServerResult", "check", "check_client"]

DEFAULT_CLIENT_TIMEOUT = 30.0  # seconds one adapter call may take (check-client's --timeout default)


@dataclass(frozen=True)
class ServerResult:
    """A server verdict: ``ok`` is ``connect-contract check``'s exit status 0."""

    ok: bool
    strict: bool
    failed: tuple[str, ...]  # ids of the checks that decide ``ok`` and failed (required ones; all with strict)
    stopped: str | None  # why the run ended early (an endpoint that stopped answering), else None
    details: RunResult  # every check's cases and failures, as the reports show them


@dataclass(frozen=True)
class ClientResult:
    """A client verdict: ``ok`` is ``check-client``'s exit status 0 (every required vector passed)."""

    ok: bool
    strict: bool
    failed: dict[str, tuple[str, ...]]  # client name -> ids of the vectors that decide ``ok`` and failed
    runs: tuple[ClientRun, ...]  # per client: a judgement per vector

    def judgements(self, client: str) -> dict[str, Judgement]:
        return next(run.judgements for run in self.runs if run.client == client)


def _one_operation(operation: str | ServiceOperation | None = None, service: str | None = None) -> ServiceOperation:
    """The one operation ``operation`` names: a :class:`ServiceOperation` as given, the model's name of an
    operation of ``service`` (default ``connect``), or ``None`` for the mission operation.  ``ValueError``
    for an unknown name, a service that is not rest-json, a glob or ``all``, or a service that contradicts
    the operation given."""
    from connect_contract.operations import (
        DEFAULT_SERVICE,
        OperationLookupError,
        ServiceOperation,
        load_service_operation,
        mission_operation,
    )

    if isinstance(operation, ServiceOperation):
        if service is not None and service != operation.service_name:
            raise ValueError(f"{operation.name} is an operation of {operation.service_name!r}, not {service!r}")
        return operation
    if operation is None and service is None:
        return mission_operation()
    if operation is None:
        raise ValueError(f"name an operation of {service!r}")
    if operation == "all" or any(char in operation for char in "*?["):
        raise ValueError(f"name one operation, not {operation!r} (the check command takes `all` and globs)")
    try:
        return load_service_operation(service or DEFAULT_SERVICE, operation)
    except OperationLookupError as exc:
        raise ValueError(str(exc)) from None


def check(
    endpoint: str | None = None,
    *,
    operation: str | ServiceOperation | None = None,
    service: str | None = None,
    pins: Mapping[str, str] | None = None,
    sigv4: bool = False,
    region: str = "us-east-1",
    timeout: float = 10.0,
    rate_limit: str | None = None,
    max_examples: int = 100,
    seed: int | None = None,
    allow_unknown_members: bool = False,
    strict: bool = False,
    generated: bool = True,
) -> ServerResult:
    """Check the server at ``endpoint`` (``None``: a built-in mock serving the operation's service, started
    for the call) for one operation: ``operation`` is a :class:`ServiceOperation` or the model's name of an
    operation of ``service`` (default: Connect's UpdateParticipantAuthentication, with its hand-tuned vectors).

    ``pins`` (``{"InstanceId": "..."}``, dotted for nested members; operations other than the mission
    one) pins members in every valid case, typed by the model, as ``check --set`` does.  ``rate_limit`` as
    ``"2/s"`` (default: none on loopback, 2/s elsewhere); ``sigv4`` signs with the standard AWS
    credential chain; ``generated=False`` sends only the deterministic vectors.  ``ValueError`` for a
    malformed endpoint or rate limit, an unknown operation or member, or no credentials.
    """
    from connect_contract.endpoints import validate_endpoint
    from connect_contract.operations import mission_operation
    from connect_contract.ratelimit import parse_rate_limit
    from connect_contract.server.model_vectors import parse_pins
    from connect_contract.server.runner import Settings, run
    from connect_contract.sigv4 import requests_auth

    op = _one_operation(operation, service)
    pinned = tuple((name, str(value)) for name, value in (pins or {}).items())
    if pinned and op is mission_operation():
        raise ValueError(f"pins apply to operations other than {op.name}")
    parse_pins(op, dict(pinned))  # an unknown member or an untypable value: ValueError before anything runs
    with ExitStack() as stack:
        if endpoint is None:
            from connect_contract.mock import MockConfig, running_mock

            endpoint = stack.enter_context(running_mock(MockConfig(services=(op.service_name,))))
        endpoint = validate_endpoint(endpoint)
        settings = Settings(
            endpoint=endpoint,
            timeout=timeout,
            rate_limit=parse_rate_limit(rate_limit, endpoint),
            max_examples=max_examples,
            seed=seed,
            region=region,
            auth=requests_auth(region, endpoint, op.signing_name) if sigv4 else None,
            generated=generated,
            allow_unknown_members=allow_unknown_members,
            operation=op,
            pins=pinned,
        )
        details = run(settings)
    failed = tuple(entry.check.id for entry in details.failed(strict=strict))
    return ServerResult(details.ok(strict=strict), strict, failed, details.stopped, details)


def check_client(
    client: str | Sequence[str] = (),
    *,
    command: str | None = None,
    persistent: bool = False,
    operation: str | ServiceOperation | None = None,
    service: str | None = None,
    vectors: Sequence[str] = (),
    strict: bool = False,
    timeout: float = DEFAULT_CLIENT_TIMEOUT,
) -> ClientResult:
    """Check built-in client(s) (``"boto3"``, ``"awscli"``, ``"js"``, ``"js-v2"``) and/or an adapter ``command``
    calling one operation: ``operation`` is a :class:`ServiceOperation` or the model's name of an operation of
    ``service`` (default: Connect's UpdateParticipantAuthentication, with its hand-curated vectors; any
    other operation gets the vectors expanded from its model).

    ``vectors``: glob patterns of vector ids (default: all).  ``persistent``: the command speaks the
    JSON-lines protocol.  ``ValueError`` for an unknown client or operation, no client at all, or a client
    that cannot run (not installed; an adapter that cannot load its SDK; js-v2 for another operation).
    """
    from connect_contract.client.adapters.builtin import builtin_client, command_client
    from connect_contract.client.adapters.protocol import AdapterUnusable
    from connect_contract.client.runner import run_clients, select_vectors

    op = _one_operation(operation, service)
    names = [client] if isinstance(client, str) else list(client)
    specs = [builtin_client(name) for name in dict.fromkeys(names)]
    if command is not None:
        if not command.strip():
            raise ValueError("the adapter command is empty")
        specs.append(command_client(command, persistent=persistent))
    if not specs:
        raise ValueError("name a client or an adapter command")
    chosen = select_vectors(vectors, [op])
    if not chosen:
        raise ValueError(f"no vector matches {', '.join(vectors)}")
    for spec in specs:
        if spec.unavailable:
            raise ValueError(f"{spec.name} cannot run: {spec.unavailable}")
        if spec.name == "js-v2" and any(vector.operation for vector in chosen):
            raise ValueError("js-v2 cannot run: its adapter calls the mission operation only (use client='js')")
    try:
        runs = tuple(run_clients(specs, chosen, timeout=timeout))
    except AdapterUnusable as exc:
        raise ValueError(str(exc)) from exc
    failed = {run.client: tuple(j.vector.id for j in run.failed(strict=strict)) for run in runs}
    return ClientResult(not any(failed.values()), strict, failed, runs)
