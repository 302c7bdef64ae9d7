"""The programmatic face: ``check`` a server, ``check_client`` a client, typed results.

    import connect_contract

    result = connect_contract.check("http://127.0.0.1:4566")          # or check() for the built-in mock
    assert result.ok, result.failed

    clients = connect_contract.check_client(client="boto3")
    clients = connect_contract.check_client(command="node my_adapter.cjs", persistent=True, strict=True)

The same engines as ``connect-contract check`` and ``check-client`` (the same checks, vectors and
verdicts), without a terminal: nothing is printed, nothing is written.  The engines are imported
on the first call, so ``import connect_contract`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connect_contract.client.judge import Judgement
    from connect_contract.client.runner import ClientRun
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


def check(
    endpoint: str | None = None,
    *,
    operation: str | None = None,
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
    """Check the server at ``endpoint`` (``None``: a built-in mock started for the call).

    ``rate_limit`` as ``"2/s"`` (default: none on loopback, 2/s elsewhere); ``sigv4`` signs with the
    standard AWS credential chain; ``generated=False`` sends only the deterministic vectors.
    ``ValueError`` for a malformed endpoint or rate limit, an unknown operation, or no credentials.
    """
    from connect_contract.endpoints import validate_endpoint
    from connect_contract.model import load_operation
    from connect_contract.ratelimit import parse_rate_limit
    from connect_contract.server.runner import Settings, run
    from connect_contract.sigv4 import requests_auth

    mission = load_operation()
    if operation not in (None, mission.name):  # the server checks cover one operation until any-op checks land
        raise ValueError(f"server checks cover {mission.name} only, not {operation!r}")
    with ExitStack() as stack:
        if endpoint is None:
            from connect_contract.mock import running_mock

            endpoint = stack.enter_context(running_mock())
        endpoint = validate_endpoint(endpoint)
        settings = Settings(
            endpoint=endpoint,
            timeout=timeout,
            rate_limit=parse_rate_limit(rate_limit, endpoint),
            max_examples=max_examples,
            seed=seed,
            region=region,
            auth=requests_auth(region, endpoint, mission.signing_name) if sigv4 else None,
            generated=generated,
            allow_unknown_members=allow_unknown_members,
        )
        details = run(settings)
    failed = tuple(entry.check.id for entry in details.failed(strict=strict))
    return ServerResult(details.ok(strict=strict), strict, failed, details.stopped, details)


def check_client(
    client: str | Sequence[str] = (),
    *,
    command: str | None = None,
    persistent: bool = False,
    vectors: Sequence[str] = (),
    strict: bool = False,
    timeout: float = DEFAULT_CLIENT_TIMEOUT,
) -> ClientResult:
    """Check built-in client(s) (``"boto3"``, ``"awscli"``, ``"js"``, ``"js-v2"``) and/or an adapter ``command``.

    ``vectors``: glob patterns of vector ids (default: all).  ``persistent``: the command speaks the
    JSON-lines protocol.  ``ValueError`` for an unknown client, no client at all, or a client that
    cannot run (not installed; an adapter that cannot load its SDK).
    """
    from connect_contract.client.adapters.builtin import builtin_client, command_client
    from connect_contract.client.adapters.protocol import AdapterUnusable
    from connect_contract.client.runner import run_clients, select_vectors

    names = [client] if isinstance(client, str) else list(client)
    specs = [builtin_client(name) for name in dict.fromkeys(names)]
    if command is not None:
        if not command.strip():
            raise ValueError("the adapter command is empty")
        specs.append(command_client(command, persistent=persistent))
    if not specs:
        raise ValueError("name a client or an adapter command")
    for spec in specs:
        if spec.unavailable:
            raise ValueError(f"{spec.name} cannot run: {spec.unavailable}")
    chosen = select_vectors(vectors)
    if not chosen:
        raise ValueError(f"no vector matches {', '.join(vectors)}")
    try:
        runs = tuple(run_clients(specs, chosen, timeout=timeout))
    except AdapterUnusable as exc:
        raise ValueError(str(exc)) from exc
    failed = {run.client: tuple(j.vector.id for j in run.failed(strict=strict)) for run in runs}
    return ClientResult(not any(failed.values()), strict, failed, runs)
