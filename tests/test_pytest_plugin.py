"""The pytest plugin costs nothing until used, and its fixtures, markers and flags work in another project.

Projects are made by ``pytester`` (pytest's own plugin-testing fixture) in a temporary directory and
run in-process, so they load the installed plugin through its entry point, as another repository would.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import connect_contract.client.fixtures
import connect_contract.mock
import connect_contract.pytest_markers
import connect_contract.server.fixtures  # noqa: F401  (these four: see _runpytest)
from connect_contract import pytest_plugin

HEAVY = ("vcr", "uvicorn", "botocore", "boto3", "schemathesis", "hypothesis", "rich", "starlette", "jsonschema", "yaml")
FIXTURE_MODULES = (
    "connect_contract.server.fixtures",
    "connect_contract.client.fixtures",
    "connect_contract.mock.fixtures",
    "connect_contract.cassettes.replay",
)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    probe = (
        "import sys, pytest; before = set(sys.modules); import connect_contract.pytest_plugin; "
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert not set(loaded) & set(HEAVY), loaded


def test_a_session_that_does_not_use_the_plugin_loads_only_the_plugin(pytester: pytest.Pytester) -> None:
    """The whole session (options, configure, collection, run) in a fresh process, not just the import.

    (schemathesis and hypothesis are loaded by schemathesis' own pytest plugin in this environment;
    ``benchmarks/plugin_overhead.py`` compares whole sessions with and without ours.)
    """
    pytester.makeconftest(
        "import sys\n\ndef pytest_sessionfinish(session):\n    print('LOADED', *sorted(sys.modules))\n"
    )
    pytester.makepyfile(test_trivial="def test_one():\n    assert 1\n")
    result = pytester.runpytest_subprocess("-q", "-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    (line,) = [line for line in result.outlines if "LOADED" in line]
    loaded = set(line.split("LOADED", 1)[1].split())
    ours = {module for module in loaded if module.split(".")[0] == "connect_contract"}
    assert ours == {"connect_contract", "connect_contract._pytest_compat", "connect_contract.pytest_plugin"}
    not_from_schemathesis = set(HEAVY) - {"schemathesis", "hypothesis"}
    assert not {module.split(".")[0] for module in loaded} & {*not_from_schemathesis, "click"}


def test_the_timeout_variable_the_plugin_checks_is_the_one_the_fixtures_read() -> None:
    from connect_contract.server import fixtures

    assert pytest_plugin.TIMEOUT_VARIABLE == fixtures.TIMEOUT_VARIABLE


@pytest.mark.parametrize("module", FIXTURE_MODULES)
def test_every_fixture_has_a_light_forwarder_of_the_same_scope(module: str) -> None:
    """A fixture added in a fixtures module must be declared in the plugin too, or no project sees it."""
    imported = __import__(module, fromlist=["*"])
    for name, definition in vars(imported).items():
        marker = getattr(definition, "_fixture_function_marker", None)
        if marker is None:
            continue
        forwarder = getattr(pytest_plugin, name, None)
        assert forwarder is not None, f"{module}.{name} has no forwarder in pytest_plugin.py"
        assert forwarder._fixture_function_marker.scope == marker.scope, name
        assert "_forward" in inspect.getsource(forwarder.__wrapped__), name


def _runpytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """In-process, without schemathesis' own pytest plugin (as this repository's addopts).

    pytester drops the modules a run imported once it ends, so every run would import schemathesis and
    Hypothesis again, and the engine too: the engine is imported by this module, before any run.
    (Which modules a session loads is proven in a fresh process, above.)
    """
    return pytester.runpytest("-p", "no:schemathesis", *args)


class _AlwaysFiveHundred(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def broken_endpoint() -> Iterator[str]:
    """A real server on 127.0.0.1 that answers every request with a 500: every required vector must fail."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AlwaysFiveHundred)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SERVER_TEST = """
import pytest

@pytest.mark.connect_contract_server
def test_my_server(connect_contract_case):
    assert connect_contract_case.kind in ("vector", "generated")
"""


def _config(settings: str) -> str:
    return f"import pytest\n\n@pytest.fixture(scope='session')\ndef connect_contract_config():\n    return {settings}\n"


def test_server_marker_runs_every_vector_against_the_built_in_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_conformance=SERVER_TEST)
    result = _runpytest(pytester, "-q", "-k", "vector")
    result.assert_outcomes(passed=98, deselected=16)


def test_server_marker_fails_a_broken_server_named_by_the_config_fixture(
    pytester: pytest.Pytester, broken_endpoint: str
) -> None:
    pytester.makeconftest(_config(f"{{'endpoint': {broken_endpoint!r}}}"))
    pytester.makepyfile(test_conformance=SERVER_TEST)
    result = _runpytest(pytester, "-q", "-k", "vector and (json-empty-body or json-comment)")
    result.assert_outcomes(failed=2, deselected=112)
    result.stdout.fnmatch_lines(["*no_server_error (required)*"])


def test_an_endpoint_on_the_command_line_wins_over_the_config_fixture(
    pytester: pytest.Pytester, broken_endpoint: str
) -> None:
    pytester.makeconftest(_config("{'endpoint': 'http://127.0.0.1:9'}"))  # nothing listens on port 9
    pytester.makepyfile(test_conformance=SERVER_TEST)
    result = _runpytest(pytester, "-q", "-k", "vector and json-empty-body", f"--endpoint={broken_endpoint}")
    result.assert_outcomes(failed=1, deselected=113)
    result.stdout.fnmatch_lines(["*no_server_error (required)*"])


USER_CHECK_CONFTEST = """
import connect_contract
from connect_contract import registry


def apigw_id(exchange):
    return None if "x-amz-apigw-id" in exchange.response.headers else "no x-amz-apigw-id header"


def pytest_configure(config):  # (a module-level decorator would do; in-process runs need it per session)
    connect_contract.server_check(id="apigw_id")(apigw_id)


def pytest_unconfigure(config):
    registry.unregister("apigw_id")  # leave the outer session's registry as it was
"""


def test_a_users_check_registered_in_a_conftest_judges_the_marked_cases(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(USER_CHECK_CONFTEST)
    pytester.makepyfile(test_conformance=SERVER_TEST)
    result = _runpytest(pytester, "-q", "-k", "vector-json-empty-body")
    result.assert_outcomes(failed=1, deselected=114)  # 98 vectors + 16 built-in generated checks + its own
    result.stdout.fnmatch_lines(["*apigw_id (required): no x-amz-apigw-id header*"])


CLIENT_TEST = """
import pytest

@pytest.mark.connect_contract_client(clients=["boto3"])
def test_my_client(connect_contract_case):
    assert connect_contract_case.client == "boto3"
"""


def test_client_marker_recommendations_are_xfail_unless_strict_recommended(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked_client=CLIENT_TEST)
    subset = ("-k", "request.required-only or multi-value-header-repeated")  # boto3 misses these 6 recommendations
    lenient = _runpytest(pytester, "-q", *subset)
    lenient.assert_outcomes(passed=1, xfailed=6, deselected=140)
    pytester.makeconftest(_config("{'strict_recommended': True}"))
    strict = _runpytest(pytester, "-q", *subset)
    strict.assert_outcomes(passed=1, failed=6, deselected=140)


def test_pytest_strict_is_a_deprecated_alias_on_the_client_side(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked_client=CLIENT_TEST)
    result = _runpytest(pytester, "-q", "--strict", "-k", "multi-value-header-repeated")
    result.assert_outcomes(failed=6, deselected=141, warnings=1)
    result.stdout.fnmatch_lines(["*StrictAliasDeprecation: connect-contract: use --strict-recommended*"])


def test_unknown_builtin_client_is_a_usage_error_listing_the_choices(pytester: pytest.Pytester) -> None:
    result = _runpytest(pytester, "--client", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid choice: 'nope'*boto3*awscli*"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "connect_contract_client(client=['boto3'])",
            "*connect_contract_client takes client_cmd, clients, persistent, not client",
        ),
        ("connect_contract_client(clients=['nope'])", "*unknown built-in client 'nope'*"),
        ("connect_contract_server(endpoint='x')", "*connect_contract_server takes none, not endpoint"),
    ],
)
def test_a_mistyped_marker_is_one_collection_error(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        test_x=f"import pytest\n\n@pytest.mark.{marker}\ndef test_x(connect_contract_case):\n    pass\n"
    )
    result = _runpytest(pytester, "-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])
    assert "Traceback" not in result.stdout.str()
