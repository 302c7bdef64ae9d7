"""``check --jobs N``: the selected operations checked in N worker processes, reported as one run.

A run is CPU-bound in Python (Hypothesis generation, judging), so one process uses one core; the
operations are independent, so N processes use N.  The standard library does the work:
:class:`concurrent.futures.ProcessPoolExecutor` hands out one operation at a time (an operation
takes from under a second to tens of them, so a static split such as ``--shard`` leaves a worker
idle at the end: 151 s against 132 s for the same 81 operations' times) and ``spawn`` starts the
workers (the parent runs the mock's server thread, which ``fork`` must not copy).  The built-in mock
stays in the parent, one for every worker: one per worker spent the same CPU (measured), and this
way a worker never starts a server and ``--endpoint`` takes the same path.

What keeps a parallel run equal to a sequential one:

- each operation is checked by the same :func:`~connect_contract.server.runner.run` with the same
  settings and seed, against one endpoint (the parent's built-in mock, or ``--endpoint``);
- results come back in the order of the selection, however the workers finish, and the parent
  renders them with the same report functions;
- a check's verdict function does not cross the process boundary (the checks are closures): a
  worker sends its tallies by check id, and the parent puts them back on the parent's own checks.

A rate limit bounds the endpoint's total: the workers take their turns from one shared clock of
send slots, spaced evenly as in one process (:class:`SharedRateLimit`).  Ctrl-C reaches
only the parent (workers ignore SIGINT), which stops the workers before it returns.  A worker that
dies (a crash, the OOM killer) ends the run with a verdict on every operation it had not finished.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from connect_contract.ratelimit import RateLimit
from connect_contract.server.checks import checks_for
from connect_contract.server.runner import CheckResult, RunResult, Settings, new_result, run

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    import requests

    from connect_contract.operations import ServiceOperation


def default_jobs() -> int:
    """One worker per core this process may run on (its CPU affinity where the system has one, as in a
    container limited to some cores; else ``os.cpu_count()``; 1 when it cannot tell)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def parse_jobs(value: str | None) -> int:
    """``--jobs N`` (N >= 1; default: the number of cores); ``ValueError`` if malformed."""
    if value is None:
        return default_jobs()
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"--jobs expects a whole number of worker processes, at least 1, not {value!r}")
    return int(text)


@dataclass
class SharedRateLimit(RateLimit):
    """A :class:`RateLimit` kept by several processes together: the next free send slot lives in shared
    memory, so N workers send at most ``count`` requests per ``seconds`` between them, evenly spaced.
    (``time.monotonic`` is one system-wide clock for every process.)"""

    next_slot: Synchronized[float] | None = None

    def wait(self) -> None:
        assert self.next_slot is not None
        with self.next_slot.get_lock():
            now = time.monotonic()
            slot = max(now, self.next_slot.value)
            self.next_slot.value = slot + self.seconds / self.count
        if slot > now:
            time.sleep(slot - now)


@dataclass(frozen=True)
class _Job:
    """What a worker needs to check one operation: everything picklable, the operation by name."""

    service: str
    operation: str
    settings: Settings  # without operation, auth or rate limit (rebuilt in the worker)


@dataclass(frozen=True)
class _WorkerSetup:
    sigv4: bool
    signing_name: str | None
    rate_limit: tuple[int, float] | None  # (count, seconds) for all the workers together


_worker: dict[str, Any] = {}  # per worker process: its signer and the shared rate limit


def _start_worker(setup: _WorkerSetup, next_slot: Synchronized[float]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # (A worker generates what one process would from the same seed: the cases do not depend on which
    # modules are loaded, see server.generated.without_source_constants.)
    from connect_contract.server.runner import private_hypothesis_home

    private_hypothesis_home().__enter__()  # for the worker's life, as for the whole of a sequential run
    _worker["rate_limit"] = SharedRateLimit(*setup.rate_limit, next_slot=next_slot) if setup.rate_limit else None
    _worker["sigv4"] = setup.sigv4
    _worker["signing_name"] = setup.signing_name


def _check_one(job: _Job) -> tuple[RunResult, list[dict[str, Any]]]:
    """Run one operation; the result travels without its checks (closures), as tallies by check id."""
    from connect_contract.operations import load_service_operation

    op = load_service_operation(job.service, job.operation)
    settings = replace(job.settings, operation=op, rate_limit=_worker.get("rate_limit"), auth=_auth(job.settings))
    result = run(settings)
    tallies = [
        {f.name: getattr(entry, f.name) for f in fields(CheckResult) if f.name != "check"} | {"check": check_id}
        for check_id, entry in result.checks.items()
    ]
    return replace(result, checks={}), tallies


def _auth(settings: Settings) -> requests.auth.AuthBase | None:
    """The worker's SigV4 signer, made once from the standard credential chain (as the parent's was)."""
    if not _worker.get("sigv4"):
        return None
    if "auth" not in _worker:
        from connect_contract.sigv4 import requests_auth

        _worker["auth"] = requests_auth(settings.region, settings.endpoint, _worker["signing_name"])
    auth: requests.auth.AuthBase = _worker["auth"]
    return auth


def _restored(op: ServiceOperation, settings: Settings, sent: tuple[RunResult, list[dict[str, Any]]]) -> RunResult:
    """A worker's result with the parent's checks put back (the same ones ``run`` chose there)."""
    result, tallies = sent
    checks = {c.id: c for c in checks_for(allow_unknown_members=settings.allow_unknown_members, operation=op)}
    entries = {}
    for tally in tallies:
        check_id = tally["check"]
        entries[check_id] = CheckResult(**{**tally, "check": checks[check_id]})
    return replace(result, checks=entries)


def _crashed(op: ServiceOperation, settings: Settings, why: str) -> RunResult:
    checks = checks_for(allow_unknown_members=settings.allow_unknown_members, operation=op)
    result = new_result(settings.endpoint, settings.seed if settings.seed is not None else 0, checks)
    result.operation, result.service = op.name, op.service_name
    result.stopped = f"not judged: {why}"
    return result


def run_in_workers(
    operations: tuple[ServiceOperation, ...],
    settings: Settings,
    *,
    jobs: int,
    sigv4: bool,
    on_result: Callable[[RunResult], None],
) -> list[RunResult]:
    """Check ``operations`` in ``jobs`` worker processes; results in the order of ``operations``.

    ``on_result`` sees each result as soon as it and every one before it are in (the terminal's lines).
    """
    portable = replace(settings, operation=None, auth=None, rate_limit=None)
    limit = settings.rate_limit
    context = multiprocessing.get_context("spawn")
    setup = _WorkerSetup(
        sigv4=sigv4,
        signing_name=operations[0].signing_name if sigv4 else None,
        rate_limit=(limit.count, limit.seconds) if limit is not None else None,
    )
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(operations)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(setup, context.Value("d", 0.0)),
    )
    results: list[RunResult] = []
    try:
        futures: list[Future[tuple[RunResult, list[dict[str, Any]]]]] = [
            pool.submit(_check_one, _Job(op.service_name, op.name, portable)) for op in operations
        ]
        for op, future in zip(operations, futures, strict=True):
            try:
                result = _restored(op, settings, future.result())
            except BrokenProcessPool:
                result = _crashed(op, settings, "a worker process died before this operation was finished")
            results.append(result)
            on_result(result)
    except BaseException:  # Ctrl-C, or an error in the harness: stop every worker, now
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    for process in multiprocessing.active_children():  # this command's only children are the pool's workers
        process.terminate()
    for process in multiprocessing.active_children():
        process.join(timeout=5)
