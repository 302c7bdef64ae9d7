"""Runs the vectors against one or more clients and returns typed results.

Work is split into *lanes*.  A lane is one scripted server plus one adapter (process) that runs its
vectors one after another, so every request that reaches that server while a vector is armed belongs
to that vector.  Each client gets a main lane (every ordinary vector, ``AWS_MAX_ATTEMPTS=1``) and one
lane per isolated vector (the retry vectors: the client's own retry defaults, so backoff sleeps there
without holding anything else up).  Lanes run in parallel threads.

Stopping is bounded: on Ctrl-C (or SIGTERM turned into one by the CLI), or when an adapter turns out
to be unusable, every adapter process group is killed, lanes stop before their next vector, and the
call returns (re-raises) within :data:`SHUTDOWN_SECONDS`.
"""

from __future__ import annotations

import fnmatch
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from pathlib import Path

from connect_contract.client.adapters.builtin import SHAPES_VARIABLE, ClientSpec, botocore_model_file
from connect_contract.client.adapters.protocol import (
    DEFAULT_TIMEOUT,
    OPERATION_VARIABLE,
    SERVICE_VARIABLE,
    AdapterResult,
    AdapterUnusable,
    PersistentAdapter,
    adapter_env,
    allow_adapters,
    run_one_shot,
    stop_all_adapters,
)
from connect_contract.client.judge import Judgement, judge
from connect_contract.client.opvectors import operation_vectors
from connect_contract.client.scripted_server import running_scripted_server
from connect_contract.client.vectors import Settings, Vector, load_vectors, settings
from connect_contract.operations import DEFAULT_OPERATION, DEFAULT_SERVICE, ServiceOperation

OnResult = Callable[[str, Judgement], None]
SHUTDOWN_SECONDS = 5.0  # how long lanes get to wind down once their adapters are killed


@dataclass
class ClientRun:
    """Everything one client did: a judgement per vector id, in vector order."""

    client: str
    judgements: dict[str, Judgement] = field(default_factory=dict)
    elapsed: float = 0.0

    def failed(self, *, strict: bool = False) -> list[Judgement]:
        return [
            j for j in self.judgements.values() if j.verdict in ("fail", "broken") and (j.vector.required or strict)
        ]


def vectors_for(operations: Iterable[ServiceOperation] | None = None) -> tuple[Vector, ...]:
    """The vectors of these operations (none given: the mission operation's).

    The mission operation keeps its own hand-curated vectors (client.json); any other operation gets the
    vectors expanded from the binding templates (client-bindings.json)."""
    if operations is None:
        return load_vectors()
    chosen: list[Vector] = []
    for op in operations:
        mission = (op.service_name, op.name) == (DEFAULT_SERVICE, DEFAULT_OPERATION)
        chosen += load_vectors() if mission else operation_vectors(op)
    return tuple(chosen)


def select_vectors(
    patterns: Iterable[str] = (), operations: Iterable[ServiceOperation] | None = None
) -> tuple[Vector, ...]:
    """Every vector of the operations, or those whose id matches one of the glob patterns."""
    wanted = list(patterns)
    vectors = vectors_for(operations)
    if not wanted:
        return vectors
    return tuple(v for v in vectors if any(fnmatch.fnmatchcase(v.id, p) for p in wanted))


def _operation_env(spec: ClientSpec, vector: Vector) -> dict[str, str]:
    """The variables naming a lane's operation (none for the mission operation: today's adapters keep working)."""
    if not vector.operation:
        return {}
    return {
        SERVICE_VARIABLE: vector.service,
        OPERATION_VARIABLE: vector.operation,
        SHAPES_VARIABLE: str(botocore_model_file(vector.service)),
    }


def _by_operation(vectors: Sequence[Vector]) -> list[list[Vector]]:
    """One lane per operation (an adapter process is started for one named operation)."""
    lanes: dict[tuple[str, str], list[Vector]] = {}
    for vector in vectors:
        lanes.setdefault((vector.service, vector.operation), []).append(vector)
    return list(lanes.values())


def _run_lane(
    spec: ClientSpec,
    vectors: Sequence[Vector],
    *,
    single_attempt: bool,
    s: Settings,
    timeout: float,
    scratch: Path,
    on_result: OnResult | None,
    stop: threading.Event,
) -> tuple[list[Judgement], tuple[float, float]]:
    """Run one lane; returns its judgements and when it started and ended (for per-client timing)."""
    judgements: list[Judgement] = []
    started = time.monotonic()
    with running_scripted_server() as (server, url):
        env = adapter_env(
            url,
            region=s.region,
            access_key_id=s.access_key_id,
            secret_access_key=s.secret_access_key,
            single_attempt=single_attempt,
            empty_file=scratch / "empty",
            extra={**spec.env, **_operation_env(spec, vectors[0])},
        )
        adapter = PersistentAdapter(spec.command, env, timeout=timeout) if spec.persistent else None
        try:
            for vector in vectors:
                if stop.is_set():
                    break
                token = server.arm(vector.script)
                if spec.unavailable:
                    result = AdapterResult.broken(spec.unavailable)
                elif adapter is not None:
                    result = adapter.call(vector.input)
                else:
                    result = run_one_shot(spec.command, vector.input, env, timeout=timeout)
                if stop.is_set():
                    break  # the harness is stopping: a call cut short is no verdict about the client
                if result.cannot_load and not judgements:  # said once, not once per vector
                    raise AdapterUnusable(result.cannot_load)
                judgement = judge(vector, server.disarm(token), result, s)
                judgements.append(judgement)
                if on_result:
                    on_result(spec.name, judgement)
        finally:
            if adapter is not None:
                adapter.close()
    return judgements, (started, time.monotonic())


def run_clients(
    specs: Sequence[ClientSpec],
    vectors: Sequence[Vector] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = 8,
    on_result: OnResult | None = None,
) -> list[ClientRun]:
    """Run every vector against every client; results keep the vector order per client."""
    chosen = tuple(vectors if vectors is not None else load_vectors())
    s = settings()
    runs = {spec.name: ClientRun(spec.name) for spec in specs}
    with tempfile.TemporaryDirectory(prefix="connect-contract-client-") as tmp:
        scratch = Path(tmp)
        (scratch / "empty").write_text("")
        lanes: list[tuple[ClientSpec, list[Vector], bool]] = []
        for spec in specs:  # isolated lanes first: they mostly sleep in backoff, so start them early
            lanes += [(spec, [v], False) for v in chosen if v.isolated]
        for spec in specs:
            lanes += [(spec, lane, True) for lane in _by_operation([v for v in chosen if not v.isolated])]
        stop = threading.Event()
        allow_adapters()  # a run interrupted before this one refused new adapters from then on
        pool = ThreadPoolExecutor(max_workers=max(1, workers))
        futures: list[tuple[ClientSpec, Future[tuple[list[Judgement], tuple[float, float]]]]] = [
            (
                spec,
                pool.submit(
                    _run_lane,
                    spec,
                    lane,
                    single_attempt=single,
                    s=s,
                    timeout=timeout,
                    scratch=scratch,
                    on_result=on_result,
                    stop=stop,
                ),
            )
            for spec, lane, single in lanes
            if lane
        ]
        spans: dict[str, list[tuple[float, float]]] = {}
        try:
            # the first lane that fails (an unusable adapter) stops the run at once, not after the others
            wait_for([future for _, future in futures], return_when=FIRST_EXCEPTION)
            for spec, future in futures:
                if future.done() and isinstance(future.exception(), AdapterUnusable):
                    raise AdapterUnusable(f"{spec.name}: {future.exception()}")
            for spec, future in futures:
                judgements, span = future.result()
                spans.setdefault(spec.name, []).append(span)
                for judgement in judgements:
                    runs[spec.name].judgements[judgement.vector.id] = judgement
        except BaseException:  # Ctrl-C, SIGTERM, an unusable adapter: take every adapter down, in bounded time
            stop.set()
            stop_all_adapters()
            pool.shutdown(wait=False, cancel_futures=True)
            # (a future cancelled before it ran never counts as done for wait(): leave those out)
            wait_for([f for _, f in futures if not f.cancelled()], timeout=SHUTDOWN_SECONDS)
            raise
        pool.shutdown()
    order = {v.id: i for i, v in enumerate(chosen)}
    for name, run in runs.items():
        run.judgements = dict(sorted(run.judgements.items(), key=lambda item: order[item[0]]))
        # wall time of this client's lanes (they overlap other clients' lanes, so these do not add up)
        run.elapsed = max(e for _, e in spans.get(name, [(0, 0)])) - min(b for b, _ in spans.get(name, [(0, 0)]))
    return [runs[spec.name] for spec in specs]
