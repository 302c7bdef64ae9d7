"""``connect-contract check``: judge a server (default: the built-in mock) against the contract."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from connect_contract.endpoints import endpoint_callback, validate_endpoint
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.operations.options import operation_options
from connect_contract.ratelimit import parse_rate_limit, rate_limit_option
from connect_contract.report_paths import report_options
from connect_contract.server import report
from connect_contract.server.model_vectors import parse_pins as parse_model_pins
from connect_contract.server.model_vectors import split_pins
from connect_contract.server.parallel import default_jobs, parse_jobs, run_in_workers
from connect_contract.server.runner import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    RunResult,
    Settings,
    operation_vectors,
    private_hypothesis_home,
    run,
)
from connect_contract.sigv4 import requests_auth


def parse_endpoint(value: str) -> str:
    return validate_endpoint(value)


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``--shard I/N`` (1 <= I <= N) as ``(I, N)``; ``ValueError`` if malformed."""
    if value is None:
        return None
    index, slash, total = value.partition("/")
    if not slash or not index.isdigit() or not total.isdigit() or not 1 <= int(index) <= int(total):
        raise ValueError(f"--shard expects I/N with 1 <= I <= N, not {value!r}")
    return int(index), int(total)


def shard_of(operations: tuple[ServiceOperation, ...], shard: tuple[int, int] | None) -> tuple[ServiceOperation, ...]:
    """Shard I of N: every N-th operation by name, starting at the I-th (deterministic, disjoint, complete)."""
    if shard is None:
        return operations
    index, total = shard
    ordered = sorted(operations, key=lambda op: op.name)
    return tuple(ordered[index - 1 :: total])


@contextmanager
def target(endpoint: str | None, services: tuple[str, ...] = ("connect",)) -> Iterator[tuple[str, str]]:
    """Yields (base URL, how to name it): the given endpoint, or a built-in mock on a free loopback port
    serving every operation of ``services`` (the services of the operations being checked)."""
    if endpoint is not None:
        yield endpoint, endpoint
        return
    from connect_contract.mock import MockConfig, running_mock

    with running_mock(MockConfig(services=services)) as url:
        yield url, f"built-in mock at {url}"


def _epilog() -> str:
    from connect_contract.server.checks import CHECKS

    lines = [f"{check.id} ({check.level}): {check.catches}" for check in CHECKS]
    return "\b\nChecks:\n" + "\n".join(lines)


@click.command("check", epilog=_epilog())
@operation_options()
@click.option(
    "--set",
    "pins",
    multiple=True,
    metavar="MEMBER=VALUE",
    help="Pin an input member in every case (repeatable; dotted for nested members), e.g. an InstanceId that "
    "exists. Operations other than UpdateParticipantAuthentication.",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="Check only shard I of N of the selected operations (every N-th by name): for CI matrices; "
    "`connect-contract merge-reports` joins the shards' reports.",
)
@click.option(
    "--jobs",
    metavar="N",
    help="Check the selected operations in N worker processes (default: one per core, "
    f"{default_jobs()} here); 1 checks them one after another in this process. Reports are the same either way.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    callback=endpoint_callback,
    help="Base URL of the implementation (default: start the built-in mock).",
)
@click.option("--region", default="us-east-1", show_default=True, help="Region for SigV4 signing.")
@click.option("--sigv4", is_flag=True, help="Sign every request with botocore (standard AWS credential chain).")
@rate_limit_option
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Fuzzing cases (coverage cases come on top).",
)
@click.option("--seed", type=int, help="Seed for generated cases (printed in the summary; reuse it to replay).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Per-request timeout in seconds.",
)
@report_options(junit_help="Write a JUnit XML report here.")
@click.option(
    "--strict", is_flag=True, help="Also fail on recommended checks, and on required checks that no case exercised."
)
@click.option(
    "--allow-unknown-members",
    is_flag=True,
    help="Success body members or enum values the installed botocore model does not know are a "
    "recommendation, not a failure (a server built on a newer model).",
)
def check(
    operations: tuple[ServiceOperation, ...],
    pins: tuple[str, ...],
    shard: str | None,
    jobs: str | None,
    endpoint: str | None,
    region: str,
    sigv4: bool,
    rate_limit: str | None,
    max_examples: int,
    seed: int | None,
    timeout: float,
    junitxml: Path | None,
    report_path: Path | None,
    strict: bool,
    allow_unknown_members: bool,
) -> None:
    """Check a server implementation of any rest-json operation against the contract
    (default: Amazon Connect UpdateParticipantAuthentication).

    Exit 0 when every required check passed (with --strict: every check, and every required check
    exercised by at least one case), 1 when one failed or the endpoint could not be judged, 2 on a
    usage error.
    """
    try:
        if endpoint is not None:
            endpoint = parse_endpoint(endpoint)
        limit = parse_rate_limit(rate_limit, endpoint or "http://127.0.0.1")
        pinned = split_pins(pins)
        chosen = shard_of(operations, parse_shard(shard))
        workers = min(parse_jobs(jobs), len(chosen))
        for op in chosen if pinned else ():
            parse_model_pins(op, dict(pinned))
        auth = requests_auth(region, endpoint, operations[0].signing_name) if sigv4 else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if pinned and any(op is mission_operation() for op in chosen):
        raise click.UsageError("--set applies to operations other than UpdateParticipantAuthentication")
    console = Console(highlight=False)
    results: list[RunResult] = []
    with private_hypothesis_home(), target(endpoint, tuple(sorted({op.service_name for op in chosen}))) as (url, name):
        settings = Settings(
            endpoint=url,
            timeout=timeout,
            rate_limit=limit,
            max_examples=max_examples,
            seed=seed,
            region=region,
            auth=auth,
            allow_unknown_members=allow_unknown_members,
            pins=pinned,
        )
        extras = f", rate limit {limit}" if limit else ""
        extras += f", SigV4 with {auth.source} credentials" if auth else ""
        many = len(chosen) != 1 or shard is not None
        what = f", {len(chosen)} operation{'s' if len(chosen) != 1 else ''}" if many else ""
        what += f", {workers} worker processes" if workers > 1 else ""
        console.print(f"Checking {name} (timeout {timeout:g} s{extras}{what})")

        def show(result: RunResult, *, heading: bool = False) -> None:
            result.endpoint = name
            results.append(result)
            if many and heading:  # a worker's result: its heading comes with it, in selection order
                console.print(report.operation_label(result), style="bold")
            if many:
                console.print(f"  {report.headline(result, strict=strict)}", soft_wrap=True)

        if workers > 1:
            run_in_workers(
                chosen,
                settings,
                jobs=workers,
                sigv4=auth is not None,
                on_result=lambda result: show(result, heading=True),
            )
        else:
            for op in chosen:
                settings = replace(settings, operation=op)
                if many:
                    console.print(f"{op.service_name}:{op.name}", style="bold")
                vectors = operation_vectors(settings)  # built once: counted for the progress bar, then sent
                with report.live_progress(console, len(vectors)) as listener:
                    show(run(settings, listener=listener, vectors=vectors))
    if len(results) == 1 and shard is None:  # a shard's reports always name their operations (to merge)
        result = results[0]
        write_reports(result, junitxml, report_path, strict=strict)
        report.print_summary(console, result, strict=strict)
        for hint in report.hints(result, endpoint, signed=auth is not None):
            console.print(hint, soft_wrap=True)
    else:
        write_many_reports(results, junitxml, report_path, strict=strict)
        same = run_options(
            endpoint=endpoint,
            sigv4_region=region if sigv4 else None,
            rate_limit=rate_limit,
            pins=pins,
            max_examples=max_examples,
            timeout=timeout,
            strict=strict,
            allow_unknown_members=allow_unknown_members,
        )
        report.print_operations(console, results, strict=strict, rerun=lambda result: rerun_line(result, same))
    sys.exit(0 if all(result.ok(strict=strict) for result in results) else 1)


def run_options(
    *,
    endpoint: str | None,
    sigv4_region: str | None,
    rate_limit: str | None,
    pins: tuple[str, ...],
    max_examples: int,
    timeout: float,
    strict: bool,
    allow_unknown_members: bool,
) -> list[str]:
    """The options of this run that decide what a rerun sends and how it is judged (``sigv4_region``:
    ``None`` for an unsigned run)."""
    options = ["--endpoint", endpoint] if endpoint else []
    options += ["--sigv4", "--region", sigv4_region] if sigv4_region else []
    options += [*(["--rate-limit", rate_limit] if rate_limit else []), *[a for pin in pins for a in ("--set", pin)]]
    if max_examples != DEFAULT_MAX_EXAMPLES or timeout != DEFAULT_TIMEOUT:
        options += ["--max-examples", str(max_examples), "--timeout", f"{timeout:g}"]
    options += ["--strict"] if strict else []
    return options + (["--allow-unknown-members"] if allow_unknown_members else [])


def rerun_line(result: RunResult, options: list[str]) -> str:
    """The command that checks just this operation again with its seed (and the run's other options), so a
    failure seen among many operations is repeated on its own."""
    op = report.judged_operation(result)
    which = ["--service", op.service_name, "--operation", op.name]
    return shlex.join(["connect-contract", "check", *which, "--seed", str(result.seed), *options])


def write_reports(result: RunResult, junitxml: Path | None, markdown: Path | None, *, strict: bool) -> None:
    if junitxml is not None:
        junitxml.write_text(report.junit_xml(result, strict=strict), encoding="utf-8")
    if markdown is not None:
        markdown.write_text(report.markdown(result, strict=strict), encoding="utf-8")


def write_many_reports(results: list[RunResult], junitxml: Path | None, markdown: Path | None, *, strict: bool) -> None:
    """One report for several operations: a JUnit ``testsuites`` document, a Markdown file of sections."""
    if junitxml is not None:
        junitxml.write_text(report.junit_xml_many(results, strict=strict), encoding="utf-8")
    if markdown is not None:
        markdown.write_text(report.markdown_many(results, strict=strict), encoding="utf-8")
