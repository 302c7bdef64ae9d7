"""``connect-contract serve``: run the reference mock (or a cassette replay server) on uvicorn."""

from __future__ import annotations

import importlib
import signal
import socket
from pathlib import Path
from types import FrameType
from typing import Any

import click
import uvicorn

from connect_contract.mock.config import AUTHS, MODES, MockConfig
from connect_contract.mock.http11 import ConnectionLimits
from connect_contract.operations import DEFAULT_SERVICE, OperationLookupError, load_service
from connect_contract.serving import LOOPBACK

REPLAY_MODULE = "connect_contract.cassettes.replay_server"
DEFAULT_LIMITS = ConnectionLimits()


def _replay_app(directory: Path) -> Any:
    try:
        module = importlib.import_module(REPLAY_MODULE)
    except ImportError as exc:
        raise click.ClickException(f"cassette replay is not available in this installation ({exc})") from None
    return module.create_app(directory)


def _bind(host: str, port: int) -> socket.socket:
    """Bind and listen before printing the URL, so a client that reads it can connect at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


def _on_command_line(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


class _Server(uvicorn.Server):
    """uvicorn re-raises the SIGINT/SIGTERM it handled once it has shut down, which turns a clean
    Ctrl-C into "Aborted!" and exit 1 (or death by SIGTERM).  A stop request is the normal end here."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list):
            captured.clear()


@click.command()
@click.option("--host", default=LOOPBACK, show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0 picks a free port.")
@click.option("--mode", type=click.Choice(MODES), default="lenient", show_default=True, help="State handling.")
@click.option("--auth", type=click.Choice(AUTHS), default="none", show_default=True, help="Require SigV4.")
@click.option("--access-key-id", envvar="CONNECT_CONTRACT_MOCK_ACCESS_KEY_ID", help="Accepted key id (sigv4).")
@click.option(
    "--secret-access-key",
    envvar="CONNECT_CONTRACT_MOCK_SECRET_ACCESS_KEY",
    help="Its secret (sigv4; prefer the environment variable CONNECT_CONTRACT_MOCK_SECRET_ACCESS_KEY).",
)
@click.option("--region", default=None, help="Pin the SigV4 scope's region (default: any).")
@click.option(
    "--cassettes",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Serve recorded cassettes from this directory instead of the mock.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    default=(DEFAULT_SERVICE,),
    show_default=True,
    metavar="NAME",
    help="A rest-json service to serve, every operation of it (botocore's name; repeatable).",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_LIMITS.read_timeout,
    show_default=True,
    help="Seconds for a whole request to arrive (408 after).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_connections,
    show_default=True,
    help="Open connections (503 beyond).",
)
def serve(
    host: str,
    port: int,
    mode: str,
    auth: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    region: str | None,
    cassettes: Path | None,
    services: tuple[str, ...],
    read_timeout: float,
    max_connections: int,
) -> None:
    """Run the reference mock of every operation of the chosen services (Ctrl-C stops it).

    \b
    every operation of each --service (default connect), routed by method and URI
    POST /contact/update-participant-authentication   the mission operation (stateful mode)
    POST /_mock/sessions {"InstanceId": ...}          issue a State (stateful mode)
    GET  /_mock/sessions                              sessions and what completed them (redacted)
    POST /_mock/faults {"error": NAME, "count": N}    inject errors, raw responses, delays
    GET  /_mock/requests                              captured requests (redacted)
    POST /_mock/reset                                 clear everything
    """
    if auth == "sigv4" and not (access_key_id and secret_access_key):
        raise click.UsageError(
            "--auth sigv4 needs a key id and its secret: --access-key-id (or CONNECT_CONTRACT_MOCK_ACCESS_KEY_ID) and "
            "CONNECT_CONTRACT_MOCK_SECRET_ACCESS_KEY (or --secret-access-key)"
        )
    ctx = click.get_current_context()
    typed = [name for name in ("access_key_id", "secret_access_key", "region") if _on_command_line(ctx, name)]
    if auth != "sigv4" and typed:  # (credentials exported in the environment are simply unused)
        raise click.UsageError("--access-key-id, --secret-access-key and --region only apply with --auth sigv4")
    if cassettes is not None and (mode != "lenient" or auth != "none" or _on_command_line(ctx, "services")):
        raise click.UsageError("--cassettes replays recordings; it cannot be combined with --mode, --auth or --service")
    for service in services:
        try:
            load_service(service)
        except OperationLookupError as exc:
            raise click.UsageError(str(exc)) from None
    if cassettes is not None:
        app = _replay_app(cassettes)
        what = f"cassette replay of {cassettes}"
    else:
        from connect_contract.mock.app import create_app

        credentials = {access_key_id: secret_access_key} if access_key_id and secret_access_key else {}
        config = MockConfig(
            mode=mode,  # type: ignore[arg-type]
            auth=auth,  # type: ignore[arg-type]
            credentials=credentials,
            region=region,
            services=tuple(dict.fromkeys(services)),
        )
        app = create_app(config)
        served = ", ".join(f"{name} ({len(app.operations_of(name))} operations)" for name in config.services)
        what = f"reference mock of {served} (mode={mode}, auth={auth}{f', region={region}' if region else ''})"
    settings = ConnectionLimits(read_timeout=read_timeout, max_connections=max_connections).uvicorn_settings()
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **settings))

    def stop_early(sig: int, frame: FrameType | None) -> None:  # a stop before uvicorn took over the signals
        server.should_exit = True

    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, stop_early)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"connect-contract {what} listening on http://{shown}:{bound_port}", err=True)
    click.echo(f"http://{shown}:{bound_port}")
    server.run(sockets=[sock])
    click.echo("connect-contract: stopped", err=True)
