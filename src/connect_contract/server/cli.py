"""``connect-contract check``: judge a server (default: the built-in mock) against the contract."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from rich.console import Console

from connect_contract.endpoints import endpoint_callback, validate_endpoint
from connect_contract.model import load_operation
from connect_contract.ratelimit import parse_rate_limit, rate_limit_option
from connect_contract.report_paths import report_path_callback
from connect_contract.server import report
from connect_contract.server.runner import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    RunResult,
    Settings,
    run,
)
from connect_contract.server.vectors import load_vectors
from connect_contract.sigv4 import SigV4RequestsAuth, chain_credentials


def parse_endpoint(value: str) -> str:
    return validate_endpoint(value)


def sigv4_auth(region: str, endpoint: str | None = None) -> SigV4RequestsAuth:
    """A signer using the standard AWS credential chain; ``ValueError`` when it finds nothing."""
    found = chain_credentials(endpoint)
    service = load_operation().signing_name
    return SigV4RequestsAuth(found.credentials, region=region, service=service, source=found.source)


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


@contextmanager
def target(endpoint: str | None) -> Iterator[tuple[str, str]]:
    """Yields (base URL, how to name it): the given endpoint, or a built-in mock on a free loopback port."""
    if endpoint is not None:
        yield endpoint, endpoint
        return
    from connect_contract.mock import running_mock

    with running_mock() as url:
        yield url, f"built-in mock at {url}"


def _epilog() -> str:
    from connect_contract.server.checks import CHECKS

    lines = [f"{check.id} ({check.level}): {check.catches}" for check in CHECKS]
    return "\b\nChecks:\n" + "\n".join(lines)


@click.command("check", epilog=_epilog())
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
@click.option(
    "--junitxml",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_path_callback,
    help="Write a JUnit XML report here.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_path_callback,
    help="Write a Markdown report.",
)
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
    """Check a server implementation of UpdateParticipantAuthentication against the contract.

    Exit 0 when every required check passed (with --strict: every check, and every required check
    exercised by at least one case), 1 when one failed or the endpoint could not be judged, 2 on a
    usage error.
    """
    try:
        if endpoint is not None:
            endpoint = parse_endpoint(endpoint)
        limit = parse_rate_limit(rate_limit, endpoint or "http://127.0.0.1")
        auth = sigv4_auth(region, endpoint) if sigv4 else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    console = Console(highlight=False)
    with private_hypothesis_home(), target(endpoint) as (url, name):
        settings = Settings(
            endpoint=url,
            timeout=timeout,
            rate_limit=limit,
            max_examples=max_examples,
            seed=seed,
            region=region,
            auth=auth,
            allow_unknown_members=allow_unknown_members,
        )
        extras = f", rate limit {limit}" if limit else ""
        extras += f", SigV4 with {auth.source} credentials" if auth else ""
        console.print(f"Checking {name} (timeout {timeout:g} s{extras})")
        with report.live_progress(console, len(load_vectors())) as listener:
            result = run(settings, listener=listener)
    result.endpoint = name
    write_reports(result, junitxml, report_path, strict=strict)
    report.print_summary(console, result, strict=strict)
    for hint in report.hints(result, endpoint, signed=auth is not None):
        console.print(hint, soft_wrap=True)
    sys.exit(0 if result.ok(strict=strict) else 1)


def write_reports(result: RunResult, junitxml: Path | None, markdown: Path | None, *, strict: bool) -> None:
    if junitxml is not None:
        junitxml.write_text(report.junit_xml(result, strict=strict), encoding="utf-8")
    if markdown is not None:
        markdown.write_text(report.markdown(result, strict=strict), encoding="utf-8")
