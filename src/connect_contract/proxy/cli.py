"""``connect-contract proxy --upstream URL``: a validating (and optionally recording) HTTP proxy."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click
import uvicorn

from connect_contract.endpoints import endpoint_callback
from connect_contract.mock.cli import _bind, _Server
from connect_contract.operations import ServiceOperation
from connect_contract.operations.options import operation_options
from connect_contract.proxy.app import ExchangeRecord, ProxyApp, ProxySettings
from connect_contract.proxy.recorder import Recorder
from connect_contract.proxy.report import live_line, summary, write_reports
from connect_contract.report_paths import report_options
from connect_contract.serving import LOOPBACK
from connect_contract.sigv4 import chain_credentials


def _upstream_kind(upstream: str) -> str:
    from connect_contract.cassettes.record import endpoint_kind

    return endpoint_kind(upstream, timeout=1.0)


@click.command()
@operation_options(default_operation="all")
@click.option("--upstream", required=True, callback=endpoint_callback, help="Base URL requests are forwarded to.")
@click.option(
    "--record",
    "record_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Append each exchange, redacted and lint-clean, to DIR/<service>/<Operation>/proxy.yaml.",
)
@click.option(
    "--sigv4-resign", is_flag=True, help="Sign forwarded requests again (standard credential chain) for the upstream."
)
@click.option("--region", default="us-east-1", show_default=True, help="Signing region when re-signing.")
@click.option("--host", default=LOOPBACK, show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8081, show_default=True, help="0 picks a free port.")
@report_options(markdown_help="Markdown report.", junit_help="JUnit XML report.")
@click.option(
    "--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True, help="Seconds per upstream answer."
)
@click.option(
    "--allow-unknown-members", is_flag=True, help="Unknown output members are a recommendation, not a failure."
)
@click.option("--quiet", is_flag=True, help="No live line per passing exchange (failures are still printed).")
def proxy(
    operations: tuple[ServiceOperation, ...],
    upstream: str,
    record_dir: Path | None,
    sigv4_resign: bool,
    region: str,
    host: str,
    port: int,
    report_path: Path | None,
    junitxml: Path | None,
    timeout: float,
    allow_unknown_members: bool,
    quiet: bool,
) -> None:
    """Forward a client's requests to --upstream and judge every exchange as it passes.

    \b
    Point the client's endpoint at the printed URL.  Each request is judged with check-client's rules
    for a request's form (labels, query, headers, body, signature scope), each answer with the server
    checks of check; one line
    per exchange.  Ctrl-C or SIGTERM stops it: the reports are written, and the exit code is 1 when
    any exchange failed a required rule, else 0.
    """
    service = operations[0].service_name
    credentials = None
    known: tuple[str, ...] = ()
    if sigv4_resign:
        try:
            found = chain_credentials(upstream)
        except ValueError as exc:
            raise click.UsageError(str(exc).replace("--sigv4", "--sigv4-resign")) from None
        credentials = found.credentials
        known = tuple(v for v in (credentials.access_key, credentials.secret_key, credentials.token) if v)
        click.echo(f"proxy: re-signing with {found.source} credentials from the standard AWS chain", err=True)
    kind = _upstream_kind(upstream)
    recorder = None
    if record_dir is not None:
        recorder = Recorder(record_dir, kind=kind, region=region, signed=credentials is not None)
    settings = ProxySettings(
        upstream=upstream,
        service=service,
        operations=operations,
        timeout=timeout,
        region=region,
        resign=credentials,
        recorder=recorder,
        allow_unknown_members=allow_unknown_members,
        known_secrets=known,
    )

    def show(record: ExchangeRecord) -> None:
        if not (quiet and record.verdict in ("PASS", "SKIP")):
            click.echo(live_line(record))
            sys.stdout.flush()

    app = ProxyApp(settings, show)
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))

    def stop_early(sig: int, frame: FrameType | None) -> None:  # a stop before uvicorn took over the signals
        server.should_exit = True

    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, stop_early)
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    what = f"{len(operations)} operation(s) of {service}"
    url = f"http://{shown}:{sock.getsockname()[1]}"
    click.echo(f"connect-contract proxy for {what} -> {kind} upstream, listening on {url}", err=True)
    click.echo(url)
    sys.stdout.flush()
    server.run(sockets=[sock])  # the pooled upstream client dies with the process: nothing to flush
    records = list(app.records)
    write_reports(records, markdown_path=report_path, junit_path=junitxml, upstream_kind=kind)
    click.echo(summary(records), err=True)
    sys.exit(1 if any(r.failed for r in records) else 0)
