"""The pytest plugin (entry point ``connect_contract``): options and fixtures for conformance runs.

Installed with the package, so another repository can run ``pytest --endpoint URL`` or
``pytest --client-cmd CMD`` against the harness's conformance tests or its own.
Fixtures live beside the capability they serve and are imported here so pytest finds them.
"""

from __future__ import annotations

import os

import pytest

from connect_contract import _pytest_compat
from connect_contract.cassettes.replay import connect_cassette  # noqa: F401  (offline cassette replay)
from connect_contract.client.adapters.builtin import BUILTIN
from connect_contract.client.fixtures import client_conformance  # noqa: F401  (client conformance runs)
from connect_contract.mock.fixtures import mock_reset, mock_url  # noqa: F401  (reference-mock fixtures)
from connect_contract.server.fixtures import server_conformance, server_endpoint  # noqa: F401  (server conformance)

_pytest_compat.install()
ENDPOINT_VARIABLE = "CONNECT_CONTRACT_ENDPOINT"


def pytest_addoption(parser: pytest.Parser) -> None:
    server = parser.getgroup("connect-contract server", "connect-contract: server conformance")
    server.addoption(
        "--endpoint",
        default=os.environ.get(ENDPOINT_VARIABLE),
        help="Base URL of the implementation under test (default: start the built-in mock).",
    )
    server.addoption("--sigv4", action="store_true", help="Sign every request (standard AWS credential chain).")
    server.addoption("--region", default="us-east-1", help="Region for signing and scopes (default us-east-1).")
    server.addoption("--max-examples", type=int, default=None, help="Generated cases per phase.")
    server.addoption("--seed", type=int, default=None, help="Seed for generated cases.")
    server.addoption("--rate-limit", default=None, help="Request rate limit, e.g. 2/s.")
    server.addoption("--service", default=None, help="botocore's service name (default connect).")
    server.addoption(
        "--operation",
        default=None,
        help="Operation name, `all` or a glob (default UpdateParticipantAuthentication).",
    )
    server.addoption("--set", action="append", default=None, help="Pin an input member: Member=VALUE (repeatable).")
    server.addoption(
        "--allow-unknown-members",
        action="store_true",
        help="Unknown success members / enum values are a recommendation (a server on a newer model).",
    )
    client = parser.getgroup("connect-contract client", "connect-contract: client conformance")
    client.addoption(
        "--client",
        action="append",
        default=None,
        choices=list(BUILTIN),
        help="A built-in client to check (repeatable).",
    )
    client.addoption("--client-cmd", default=None, help="Adapter command of any client (see README).")
    common = parser.getgroup("connect-contract", "connect-contract")
    # pytest owns --strict (an alias of --strict-markers), so the CLI's --strict is spelled out here.
    common.addoption(
        "--strict-recommended",
        action="store_true",
        help="Fail on recommended checks too (the CLI's --strict).",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A malformed ``--endpoint``, ``--rate-limit`` or timeout, or ``--sigv4`` without credentials, is
    one usage error before anything is collected -- not one error or traceback per test."""
    endpoint = config.getoption("--endpoint", default=None)
    problem = _endpoint_problem(endpoint) or _settings_problem(config, endpoint)
    if problem:
        raise pytest.UsageError(f"connect-contract: {problem}")


def _endpoint_problem(endpoint: str | None) -> str | None:
    from connect_contract.endpoints import validate_endpoint

    if not endpoint:
        return None
    try:
        validate_endpoint(endpoint)
    except ValueError as exc:
        from_environment = endpoint == os.environ.get(ENDPOINT_VARIABLE)
        return f"{exc} (from {ENDPOINT_VARIABLE})" if from_environment else str(exc)
    return None


def _settings_problem(config: pytest.Config, endpoint: str | None) -> str | None:
    from connect_contract.ratelimit import OFF, RateLimit
    from connect_contract.server.fixtures import TIMEOUT_VARIABLE
    from connect_contract.sigv4 import chain_credentials

    rate_limit = config.getoption("--rate-limit", default=None)
    if rate_limit and rate_limit.strip().lower() not in OFF:
        try:
            RateLimit.parse(rate_limit)
        except ValueError as exc:
            return str(exc)
    timeout = os.environ.get(TIMEOUT_VARIABLE)
    if timeout and not _positive_number(timeout):
        return f"{TIMEOUT_VARIABLE} must be a number of seconds above 0, not {timeout!r}"
    if config.getoption("--sigv4", default=False):
        try:
            chain_credentials(endpoint)
        except ValueError as exc:
            return str(exc)
    return None


def _positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _pytest_compat.unique_parametrized_ids(items)
