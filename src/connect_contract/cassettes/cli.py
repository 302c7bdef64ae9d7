"""``connect-contract record | lint | verify``."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from botocore.credentials import Credentials
from rich.console import Console
from rich.table import Table

from connect_contract.cassettes.lint import lint_paths
from connect_contract.cassettes.record import RECORD_MODES, Target, record_scenarios
from connect_contract.cassettes.scenarios import load_scenarios, select
from connect_contract.cassettes.store import CassetteError, cassette_files, load_interactions
from connect_contract.cassettes.verify import Provider, verify_all
from connect_contract.ratelimit import parse_rate_limit, rate_limit_option

KINDS = ("auto", "mock", "loopback", "aws", "other")


def _endpoint(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.UsageError(f"--endpoint must be an http(s) URL, not {value!r}")
    return value


def _credentials(sigv4: bool) -> Credentials | None:
    """The standard AWS credential chain (environment, shared files, SSO, ...), only with --sigv4."""
    if not sigv4:
        return None
    import botocore.session

    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise click.UsageError("--sigv4: no AWS credentials found in the standard credential chain")
    frozen = found.get_frozen_credentials()
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token)


def _stdout() -> Console:
    console = Console(soft_wrap=True, highlight=False)
    if not console.is_terminal:  # piped into a CI log: do not squeeze tables into 80 columns
        console.width = max(console.width, 160)
    return console


@click.command()
@click.option("--endpoint", help="Base URL of the implementation to record from (required unless --list).")
@click.option("--sigv4", is_flag=True, help="Sign requests (credentials from the standard AWS chain).")
@click.option("--region", default="us-east-1", show_default=True, help="Signing region (also in provenance).")
@click.option("--record-mode", type=click.Choice(RECORD_MODES), default="once", show_default=True)
@click.option("--scenarios", "names", default="", help="Comma-separated scenario names (default: all).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("cassettes"), show_default=True)
@click.option("--endpoint-kind", type=click.Choice(KINDS), default="auto", show_default=True, help="For provenance.")
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True, help="Seconds per request.")
@rate_limit_option
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
def record(
    endpoint: str | None,
    sigv4: bool,
    region: str,
    record_mode: str,
    names: str,
    out: Path,
    endpoint_kind: str,
    timeout: float,
    rate_limit: str | None,
    list_only: bool,
) -> None:
    """Record one redacted vcrpy cassette per scenario (contracts/scenarios.json).

    \b
    once          record scenarios without a cassette; never touch an existing one (default)
    new_episodes  add interactions whose requests are not recorded yet
    all           re-record every selected scenario
    """
    if list_only:
        table = Table("scenario", "malformed", "description", title="scenarios (contracts/scenarios.json)")
        for scenario in load_scenarios():
            table.add_row(scenario.name, "yes" if scenario.malformed else "", scenario.description)
        _stdout().print(table)
        return
    if not endpoint:
        raise click.UsageError("--endpoint is required")
    _endpoint(endpoint)
    try:
        chosen = select(load_scenarios(), [n.strip() for n in names.split(",") if n.strip()])
    except KeyError as exc:
        raise click.UsageError(f"--scenarios: unknown scenario(s) {exc.args[0]}") from None
    kind = endpoint_kind if endpoint_kind != "auto" else None
    credentials = _credentials(sigv4)
    limit = parse_rate_limit(rate_limit, endpoint)
    target = Target(endpoint, region=region, credentials=credentials, kind=kind, timeout=timeout, rate_limit=limit)
    outcomes = record_scenarios(target, chosen, out, record_mode)
    table = Table("scenario", "result", "detail", title=f"record -> {out}")
    for outcome in outcomes:
        detail = outcome.detail + "".join(f"\n{finding}" for finding in outcome.findings)
        table.add_row(outcome.scenario, outcome.status, detail)
    _stdout().print(table)
    bad = [o for o in outcomes if o.status in ("refused", "failed")]
    click.echo(f"record: {len(outcomes)} scenarios, {len(bad)} refused or failed", err=True)
    sys.exit(1 if bad else 0)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check every interaction of every cassette against the contracts (default: cassettes/).

    One line per problem: FILE: interaction N: [check] message.  Exit 1 when any.
    """
    targets = list(paths) or [Path("cassettes")]
    if not paths and not targets[0].is_dir():
        raise click.UsageError("no PATHS given and no cassettes/ directory here")
    report = lint_paths(targets)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(
        f"lint: {report.files} cassettes, {report.interactions} interactions, {len(report.problems)} problems",
        err=True,
    )
    if report.files == 0:
        raise click.UsageError("no cassettes (*.yaml) found")
    sys.exit(1 if report.problems else 0)


@click.command()
@click.option(
    "--cassettes",
    "directory",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory of recorded cassettes.",
)
@click.option("--endpoint", required=True, help="Base URL of the live implementation.")
@click.option("--sigv4", is_flag=True, help="Sign requests (credentials from the standard AWS chain).")
@click.option("--region", default="us-east-1", show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True, help="Seconds per request.")
@rate_limit_option
def verify(directory: Path, endpoint: str, sigv4: bool, region: str, timeout: float, rate_limit: str | None) -> None:
    """Replay each recorded request to a live provider: same status, same error type, valid body shape."""
    _endpoint(endpoint)
    if not cassette_files([directory]):
        raise click.UsageError(f"--cassettes {directory}: no *.yaml cassettes found")
    try:
        items = load_interactions([directory])
    except CassetteError as exc:
        raise click.UsageError(f"--cassettes: {exc}") from None
    limit = parse_rate_limit(rate_limit, endpoint)
    provider = Provider(endpoint, region=region, credentials=_credentials(sigv4), timeout=timeout, rate_limit=limit)
    results = verify_all(items, provider)
    failed = [r for r in results if not r.ok]
    for result in failed:
        click.echo("\n".join(["MISMATCH " + result.diff()[0], *result.diff()[1:]]))
    if failed:
        table = Table("cassette", "recorded", "got", title="mismatches")
        for result in failed:
            recorded = f"{result.recorded_status} {result.recorded_type or ''}".strip()
            got = "-" if result.got_status is None else f"{result.got_status} {result.got_type or ''}".strip()
            table.add_row(f"{result.interaction.file.name}#{result.interaction.index}", recorded, got)
        _stdout().print(table)
    click.echo(f"verify: {len(results)} interactions, {len(failed)} mismatches", err=True)
    sys.exit(1 if failed else 0)
