"""``connect-contract record | lint | verify``."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from botocore.credentials import Credentials
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connect_contract.cassettes.lint import lint_paths
from connect_contract.cassettes.record import RECORD_MODES, Target, record_scenarios
from connect_contract.cassettes.scenarios import scenarios_for, select
from connect_contract.cassettes.store import CassetteError, cassette_files, load_interactions
from connect_contract.cassettes.verify import Comparison, Provider, verify_all
from connect_contract.endpoints import endpoint_callback
from connect_contract.operations import OperationLookupError, ServiceOperation, resolve_operations
from connect_contract.operations.options import operation_options
from connect_contract.ratelimit import parse_rate_limit, rate_limit_option
from connect_contract.sigv4 import MISSING as MISSING_SIGNATURE
from connect_contract.sigv4 import chain_credentials

KINDS = ("auto", "mock", "loopback", "aws", "other")


def _only(service: str | None, operation: str | None) -> Any:
    """A filter on interactions: ``--service``/``--operation`` (name or shell-style glob); none: keep all."""
    if operation is not None and service is None:
        service = "connect"
    if service is not None:
        try:
            chosen = {(op.service_name, op.name) for op in resolve_operations(service, operation or "all")}
        except OperationLookupError as exc:
            raise click.UsageError(str(exc)) from None
        return lambda item: (item.service, item.operation) in chosen
    return lambda _item: True


def filter_options(command: Any) -> Any:
    """``--service``/``--operation`` for commands that read cassettes: which recorded operations to take."""
    command = click.option(
        "--operation",
        default=None,
        metavar="NAME|all|GLOB",
        help="Only interactions of this operation (default: every operation the cassettes hold).",
    )(command)
    return click.option(
        "--service", default=None, metavar="NAME", help="Only interactions of this service (botocore's name)."
    )(command)


OUTCOMES = ("written", "unchanged", "kept", "refused", "rejected", "failed")
BAD_OUTCOMES = ("refused", "rejected", "failed")


def _credentials(sigv4: bool, endpoint: str) -> Credentials | None:
    """The standard AWS credential chain, only with --sigv4 (says which provider answered, never a value)."""
    if not sigv4:
        return None
    try:
        found = chain_credentials(endpoint)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"SigV4: signing with {found.source} credentials from the standard AWS chain", err=True)
    return found.credentials


def _stdout() -> Console:
    console = Console(soft_wrap=True, highlight=False)
    if not console.is_terminal:  # piped into a CI log: do not squeeze tables into 80 columns
        console.width = max(console.width, 160)
    return console


@click.command()
@operation_options()
@click.option(
    "--endpoint",
    callback=endpoint_callback,
    help="Base URL of the implementation to record from (required unless --list).",
)
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
    operations: tuple[ServiceOperation, ...],
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
    """Record one redacted vcrpy cassette per scenario, in OUT/<service>/<Operation>/.

    The default operation's scenarios are contracts/scenarios.json; any other operation's are
    expanded from its model (required members only; every member).

    \b
    once          record scenarios without a cassette; never touch an existing one (default)
    new_episodes  add interactions whose requests are not recorded yet
    all           re-record every selected scenario
    """
    if list_only:
        table = Table("operation", "scenario", "malformed", "description", title="scenarios")
        for op in operations:
            for scenario in scenarios_for(op):
                table.add_row(op.name, scenario.name, "yes" if scenario.malformed else "", scenario.description)
        _stdout().print(table)
        return
    if not endpoint:
        raise click.UsageError("--endpoint is required")
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    try:
        plan = [(op, select(scenarios_for(op), wanted)) for op in operations]
    except KeyError as exc:
        raise click.UsageError(f"--scenarios: unknown scenario(s) {exc.args[0]}") from None
    kind = endpoint_kind if endpoint_kind != "auto" else None
    credentials = _credentials(sigv4, endpoint)
    limit = parse_rate_limit(rate_limit, endpoint)
    target = Target(endpoint, region=region, credentials=credentials, kind=kind, timeout=timeout, rate_limit=limit)
    outcomes = [o for op, chosen in plan for o in record_scenarios(target, chosen, out, record_mode, op)]
    first = outcomes[0].detail if outcomes else ""
    if first.startswith("endpoint unreachable") and all(o.detail == first for o in outcomes):
        where = first.replace("endpoint", f"endpoint at {endpoint}", 1)
        click.echo(f"record: {where}: none of {len(outcomes)} scenarios recorded")
        sys.exit(1)
    table = Table("scenario", "result", "detail", title=f"record -> {out}")
    for outcome in outcomes:
        detail = outcome.detail + "".join(f"\n{finding}" for finding in outcome.findings)
        table.add_row(outcome.scenario, outcome.status, escape(detail))  # "[check]" is not rich markup
    _stdout().print(table)
    counts = Counter(outcome.status for outcome in outcomes)
    tally = ", ".join(f"{counts[status]} {status}" for status in OUTCOMES if counts[status])
    click.echo(f"record: {len(outcomes)} scenarios: {tally}", err=True)
    if counts["rejected"]:
        click.echo(
            f"record: {counts['rejected']} answers break the contract and were not written (see `lint` for the checks)",
            err=True,
        )
    sys.exit(1 if any(counts[status] for status in BAD_OUTCOMES) else 0)


@click.command()
@operation_options(many=False)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def lint(operations: tuple[ServiceOperation, ...], paths: tuple[Path, ...]) -> None:
    """Check every interaction of every cassette against the contracts (default: cassettes/).

    A cassette names its operation in its metadata; --service/--operation say what the cassettes
    that do not (hand-written or older ones) record.  One line per problem: FILE: interaction N:
    [check] message.  Exit 1 when any.
    """
    targets = list(paths) or [Path("cassettes")]
    if not paths and not targets[0].is_dir():
        raise click.UsageError("no PATHS given and no cassettes/ directory here")
    report = lint_paths(targets, operations[0])
    if report.files == 0:
        raise click.UsageError(f"no cassettes (*.yaml, *.yml) found in {', '.join(map(str, targets))}")
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(
        f"lint: {report.files} cassettes, {report.interactions} interactions, {len(report.problems)} problems",
        err=True,
    )
    sys.exit(1 if report.problems else 0)


@click.command()
@click.option(
    "--cassettes",
    "directory",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory of recorded cassettes.",
)
@click.option("--endpoint", required=True, callback=endpoint_callback, help="Base URL of the live implementation.")
@click.option("--sigv4", is_flag=True, help="Sign requests (credentials from the standard AWS chain).")
@click.option("--region", default="us-east-1", show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True, help="Seconds per request.")
@rate_limit_option
@filter_options
def verify(
    directory: Path,
    endpoint: str,
    sigv4: bool,
    region: str,
    timeout: float,
    rate_limit: str | None,
    service: str | None,
    operation: str | None,
) -> None:
    """Replay each recorded request to a live provider: same status, same error type, valid body shape."""
    keep = _only(service, operation)
    if not cassette_files([directory]):
        raise click.UsageError(f"--cassettes {directory}: no *.yaml cassettes found")
    try:
        items = [item for item in load_interactions([directory]) if keep(item)]
    except CassetteError as exc:
        raise click.UsageError(f"--cassettes: {exc}") from None
    if not items:
        raise click.UsageError(f"--cassettes {directory}: no interaction of the chosen operation(s)")
    limit = parse_rate_limit(rate_limit, endpoint)
    credentials = _credentials(sigv4, endpoint)
    provider = Provider(endpoint, region=region, credentials=credentials, timeout=timeout, rate_limit=limit)
    results = verify_all(items, provider)
    sys.exit(report_verify(results, endpoint, signed=credentials is not None))


def report_verify(results: list[Comparison], endpoint: str, *, signed: bool) -> int:
    """Each mismatch once (recorded vs got), one summary line, a hint where one helps; the exit code."""
    failed = [r for r in results if not r.ok]
    if results and all(r.unreachable for r in results):
        reason = results[0].problems[0].removeprefix("no answer: provider unreachable ")
        click.echo(f"verify: provider unreachable at {endpoint} {reason}: none of {len(results)} interactions compared")
        click.echo(f"verify: {len(results)} interactions, provider unreachable", err=True)
        return 1
    for result in failed:
        click.echo("\n".join(["MISMATCH " + result.diff()[0], *result.diff()[1:]]))
    unreachable = sum(r.unreachable for r in results)
    tail = f" ({unreachable} not compared: provider unreachable)" if unreachable else ""
    click.echo(f"verify: {len(results)} interactions, {len(failed)} mismatches{tail}", err=True)
    if not signed and any(r.got_type == MISSING_SIGNATURE for r in failed):
        click.echo(f"hint: the provider answers {MISSING_SIGNATURE}: sign the requests with --sigv4", err=True)
    return 1 if failed else 0
