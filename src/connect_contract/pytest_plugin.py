"""The pytest plugin (entry point ``connect_contract``): options, fixtures and markers for conformance runs.

Installed with the package, so another repository can run ``pytest --endpoint URL`` or
``pytest --client-cmd CMD`` against the harness's conformance tests or its own, or mark a test with
``connect_contract_server`` / ``connect_contract_client`` (see :mod:`connect_contract.pytest_markers`).

Loaded by every pytest session in an environment where the package is installed, so it costs nothing
until used: this module imports only pytest and the standard library.  The fixtures are thin
forwarders to the modules beside the capability they serve (``server/fixtures.py`` ...), imported the
first time a test asks for one; ``benchmarks/plugin_overhead.py`` measures what is left.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from connect_contract import _pytest_compat

_pytest_compat.install()
ENDPOINT_VARIABLE = "CONNECT_CONTRACT_ENDPOINT"
TIMEOUT_VARIABLE = "CONNECT_CONTRACT_TIMEOUT"  # read by server/fixtures.py; checked here before collection


class _BuiltinClients(Sequence[str]):
    """``--client``'s choices, read from the adapters module only when ``--client`` or ``--help`` needs them."""

    def _names(self) -> tuple[str, ...]:
        from connect_contract.client.adapters.builtin import BUILTIN

        return BUILTIN

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()


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
        choices=_BuiltinClients(),
        help="A built-in client to check (repeatable).",
    )
    client.addoption("--client-cmd", default=None, help="Adapter command of any client (see docs/adapter-protocol.md).")
    common = parser.getgroup("connect-contract", "connect-contract")
    client.addoption(
        "--covering-set",
        action="store_true",
        help="Client conformance on the covering set of operations (docs/client-checks.md), "
        "not only --service/--operation.",
    )
    for flag, default, text in (
        ("--service", "connect", "botocore's service name (a rest-json service)."),
        ("--operation", "UpdateParticipantAuthentication", "The model's operation name, `all`, or a glob."),
    ):
        with contextlib.suppress(ValueError):  # the server-conformance group may register the same pair
            common.addoption(flag, default=default, help=text)
    # pytest owns --strict (all of its strict_* settings), so the CLIs' --strict is spelled out here,
    # for server and client alike.  The client half once read pytest's --strict: still honoured, deprecated.
    common.addoption(
        "--strict-recommended",
        action="store_true",
        help="Fail on recommended checks too, server and client (the CLIs' --strict).",
    )


class StrictAliasDeprecation(DeprecationWarning):
    """pytest's own ``--strict`` used to make recommended client vectors fail; ``--strict-recommended`` does now."""


def pytest_configure(config: pytest.Config) -> None:
    """A malformed ``--endpoint``, ``--rate-limit`` or timeout, or ``--sigv4`` without credentials, is
    one usage error before anything is collected -- not one error or traceback per test."""
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    endpoint = config.getoption("--endpoint", default=None)
    problem = _endpoint_problem(endpoint) or _settings_problem(config, endpoint)
    if problem:
        raise pytest.UsageError(f"connect-contract: {problem}")


def strict_recommended(config: pytest.Config) -> bool:
    """``--strict-recommended``, or (deprecated, client half only) pytest's ``--strict``."""
    if config.getoption("--strict-recommended", default=False):
        return True
    if not config.getoption("--strict", default=False):
        return False
    if not getattr(config, "_connect_contract_strict_warned", False):
        config._connect_contract_strict_warned = True  # type: ignore[attr-defined]  # say it once per session
        config.issue_config_time_warning(
            StrictAliasDeprecation("connect-contract: use --strict-recommended (pytest's --strict is deprecated here)"),
            stacklevel=2,
        )
    return True


def _endpoint_problem(endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    from connect_contract.endpoints import validate_endpoint  # imported only when the option is used

    try:
        validate_endpoint(endpoint)
    except ValueError as exc:
        from_environment = endpoint == os.environ.get(ENDPOINT_VARIABLE)
        return f"{exc} (from {ENDPOINT_VARIABLE})" if from_environment else str(exc)
    return None


def _settings_problem(config: pytest.Config, endpoint: str | None) -> str | None:
    rate_limit = config.getoption("--rate-limit", default=None)
    if rate_limit:
        from connect_contract.ratelimit import OFF, RateLimit  # imported only when the option is used

        try:
            if rate_limit.strip().lower() not in OFF:
                RateLimit.parse(rate_limit)
        except ValueError as exc:
            return str(exc)
    timeout = os.environ.get(TIMEOUT_VARIABLE)
    if timeout and not _positive_number(timeout):
        return f"{TIMEOUT_VARIABLE} must be a number of seconds above 0, not {timeout!r}"
    if config.getoption("--sigv4", default=False):
        from connect_contract.sigv4 import chain_credentials

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


MARKERS = {
    "connect_contract_server": "run connect-contract's server checks here, one item per vector and per generated check "
    "(settings: the connect_contract_config fixture, then the command line)",
    "connect_contract_client": "run connect-contract's client checks here, one item per (client, vector) "
    "(clients: the marker's clients=[...], else --client/--client-cmd, else the built-in ones)",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if any(metafunc.definition.get_closest_marker(name) for name in MARKERS):
        from connect_contract import pytest_markers

        pytest_markers.parametrize(metafunc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    case = getattr(item, "funcargs", {}).get("connect_contract_case")
    if case is not None:  # a marked test: the check is the test, the body may add to it
        case.check()
    return (yield)


# Fixtures: declared here so pytest knows them; their modules are imported when a test first uses one.
@pytest.fixture(scope="session")
def connect_contract_config() -> dict[str, Any]:
    """Settings for marked tests, by option name (``endpoint``, ``strict_recommended``, ``client_cmd`` ...).

    Override it in a conftest.py (like pytest-recording's ``vcr_config``); an option given on the
    command line wins over it.
    """
    return {}


@pytest.fixture
def connect_contract_case(request: pytest.FixtureRequest) -> Any:
    """One server or client case of a marked test (parametrized by the marker)."""
    from connect_contract import pytest_markers

    return pytest_markers.case(request)


@pytest.fixture(scope="session")
def server_endpoint(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``--endpoint`` (validated), or a built-in mock for the session."""
    yield from _forward(request, "connect_contract.server.fixtures", "server_endpoint")


@pytest.fixture(scope="session")
def server_conformance(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's :class:`~connect_contract.server.fixtures.ServerConformance`."""
    yield from _forward(request, "connect_contract.server.fixtures", "server_conformance")


@pytest.fixture(scope="session")
def client_conformance(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's :class:`~connect_contract.client.fixtures.ClientConformance`."""
    yield from _forward(request, "connect_contract.client.fixtures", "client_conformance")


@pytest.fixture(scope="session")
def mock_url(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One lenient reference mock per session, on a free 127.0.0.1 port."""
    yield from _forward(request, "connect_contract.mock.fixtures", "mock_url")


@pytest.fixture
def mock_reset(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``mock_url`` with faults, sessions and captured requests cleared first."""
    yield from _forward(request, "connect_contract.mock.fixtures", "mock_reset")


@pytest.fixture
def connect_cassette(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Offline cassette replay: ``with connect_cassette(path): ...``."""
    yield from _forward(request, "connect_contract.cassettes.replay", "connect_cassette")


def _forward(request: pytest.FixtureRequest, module: str, name: str) -> Iterator[Any]:
    """Run fixture ``name`` of ``module`` (a plain ``@pytest.fixture`` there), its arguments resolved by name.

    Keeps ``module`` out of sessions that never ask for the fixture; the fixture there stays the one
    definition (arguments, body, teardown), so changing it needs no change here.
    """
    import importlib
    import inspect

    function = getattr(importlib.import_module(module), name).__wrapped__
    arguments = {
        parameter: request if parameter == "request" else request.getfixturevalue(parameter)
        for parameter in inspect.signature(function).parameters
    }
    value = function(**arguments)
    if inspect.isgenerator(value):
        yield from value
    else:
        yield value
