"""The ``connect_contract_server`` and ``connect_contract_client`` markers: the checks, in another repository.

A repository that wants the conformance checks marks one test and, if it likes, overrides one fixture::

    # conftest.py
    @pytest.fixture(scope="session")
    def connect_contract_config():
        return {"endpoint": "http://127.0.0.1:4566", "strict_recommended": True}

    # test_conformance.py
    @pytest.mark.connect_contract_server
    def test_my_server(connect_contract_case):
        pass  # the plugin runs the case's check first; the body may assert more

    @pytest.mark.connect_contract_client(clients=["boto3"], client_cmd="node adapter.cjs", persistent=False)
    def test_my_client(connect_contract_case):
        pass

The marker's keywords choose what is collected (pytest collects before any fixture runs); the
``connect_contract_config`` fixture says how the cases run: its keys are the plugin's option names
(``endpoint``, ``sigv4``, ``region``, ``rate_limit``, ``max_examples``, ``seed``,
``allow_unknown_members``, ``strict_recommended``); an option given on the command line (or
``CONNECT_CONTRACT_ENDPOINT``) wins.
Loaded by the plugin only when a marked test is collected.
"""

from __future__ import annotations

import os
import shlex
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from connect_contract.pytest_plugin import ENDPOINT_VARIABLE, strict_recommended

__all__ = ["ClientCase", "ServerCase", "case", "parametrize"]

SERVER, CLIENT = "connect_contract_server", "connect_contract_client"
_SERVER_SESSIONS = pytest.StashKey[dict[str, Any]]()
_CLIENT_SESSIONS = pytest.StashKey[dict[tuple[str, ...], Any]]()


@dataclass(frozen=True)
class ServerCase:
    """One deterministic vector (``kind == "vector"``) or one check over the generated cases."""

    kind: str
    id: str
    conformance: Any = None  # the session's ServerConformance, bound when the test runs

    def check(self) -> None:
        if self.kind == "vector":
            from connect_contract.server.vectors import load_vectors

            vector = next(v for v in load_vectors() if v.id == self.id)
            self.conformance.assert_vector(vector)
        else:
            self.conformance.assert_generated(self.id)


@dataclass(frozen=True)
class ClientCase:
    """One (client, vector) pair; its verdict comes from the client's single run this session."""

    client: str
    vector_id: str
    strict: bool = False
    conformance: Any = None

    def check(self) -> None:
        judgement = self.conformance.run(self.client).judgements[self.vector_id]
        if judgement.verdict not in ("fail", "broken"):
            return
        details = "; ".join(f"[{c.rule}] {c.detail}" for c in judgement.failures)
        if not judgement.vector.required and not self.strict:
            pytest.xfail(f"recommendation: {details}")
        pytest.fail(f"{self.client} {self.vector_id}: {details}", pytrace=False)


def _client_specs(config: pytest.Config, marker: pytest.Mark) -> list[Any]:
    from connect_contract.client.adapters.builtin import builtin_client, command_client
    from connect_contract.client.fixtures import client_specs

    names, command = marker.kwargs.get("clients"), marker.kwargs.get("client_cmd")
    if names is None and command is None:
        return client_specs(config)
    try:
        specs = [builtin_client(name) for name in names or ()]
    except ValueError as exc:
        pytest.fail(f"connect-contract: {CLIENT}: {exc}", pytrace=False)
    if command:
        specs.append(command_client(command, persistent=bool(marker.kwargs.get("persistent", False))))
    return specs


MARKER_KEYWORDS = {SERVER: set[str](), CLIENT: {"clients", "client_cmd", "persistent"}}


def _check_keywords(marker: pytest.Mark) -> None:
    unknown = set(marker.kwargs) - MARKER_KEYWORDS[marker.name]
    if unknown or marker.args:
        allowed = ", ".join(sorted(MARKER_KEYWORDS[marker.name])) or "none"
        given = ", ".join(sorted(unknown)) if unknown else "positional arguments"
        pytest.fail(f"connect-contract: @pytest.mark.{marker.name} takes {allowed}, not {given}", pytrace=False)


def parametrize(metafunc: pytest.Metafunc) -> None:
    """One item per case of the marked test (called from the plugin's ``pytest_generate_tests``)."""
    if "connect_contract_case" not in metafunc.fixturenames:
        metafunc.fixturenames.append("connect_contract_case")
    cases: list[Any] = []
    server = metafunc.definition.get_closest_marker(SERVER)
    if server is not None:
        _check_keywords(server)
        from connect_contract.server.checks import checks_for
        from connect_contract.server.vectors import load_vectors

        cases += [ServerCase("vector", v.id) for v in load_vectors()]
        cases += [ServerCase("generated", c.id) for c in checks_for() if not c.vectors_only]  # users' checks too
    client = metafunc.definition.get_closest_marker(CLIENT)
    if client is not None:
        _check_keywords(client)
        from connect_contract.client.vectors import load_vectors as client_vectors

        specs = _client_specs(metafunc.config, client)
        cases += [ClientCase(spec.name, v.id) for spec in specs for v in client_vectors()]
    metafunc.parametrize("connect_contract_case", cases, ids=[_case_id(c) for c in cases], indirect=True)


def _case_id(case: ServerCase | ClientCase) -> str:
    return f"{case.kind}-{case.id}" if isinstance(case, ServerCase) else f"{case.client}-{case.vector_id}"


class _Options:
    """``config.getoption`` with the ``connect_contract_config`` fixture's values under the command line's."""

    def __init__(self, config: pytest.Config, overrides: dict[str, Any]) -> None:
        self._config, self._overrides = config, overrides
        given = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
        self._given = {str(arg).split("=", 1)[0].lstrip("-").replace("-", "_") for arg in given}
        if os.environ.get(ENDPOINT_VARIABLE):  # --endpoint's default, set on purpose: it wins too
            self._given.add("endpoint")

    def getoption(self, name: str, default: Any = None, skip: bool = False) -> Any:
        dest = name.lstrip("-").replace("-", "_")
        if dest in self._overrides and dest not in self._given:
            return self._overrides[dest]
        return self._config.getoption(name, default, skip)


def _server_conformance(request: pytest.FixtureRequest, options: _Options, overrides: dict[str, Any]) -> Any:
    """One conformance run per distinct ``connect_contract_config`` (a conftest per directory may differ)."""
    config = request.config
    sessions = config.stash.setdefault(_SERVER_SESSIONS, {})
    key = repr(sorted(overrides.items()))
    if key not in sessions:
        from connect_contract.mock import running_mock
        from connect_contract.server.fixtures import ServerConformance, _settings

        stack = ExitStack()
        config.add_cleanup(stack.close)
        endpoint = options.getoption("--endpoint") or stack.enter_context(running_mock())
        try:
            settings = _settings(options, endpoint)  # type: ignore[arg-type]  # duck-typed getoption
        except ValueError as exc:
            raise pytest.UsageError(f"connect-contract: {exc}") from exc
        conformance = ServerConformance(settings, strict=bool(options.getoption("--strict-recommended")))
        stack.callback(conformance.close)
        sessions[key] = conformance
    return sessions[key]


def _client_conformance(request: pytest.FixtureRequest) -> Any:
    from connect_contract.client.fixtures import ClientConformance

    marker = request.node.get_closest_marker(CLIENT)
    assert marker is not None  # only marked tests are parametrized with client cases
    specs = _client_specs(request.config, marker)
    sessions = request.config.stash.setdefault(_CLIENT_SESSIONS, {})
    key = tuple(f"{spec.name}={spec.command}" for spec in specs)
    if key not in sessions:  # like the fixture: only the vectors this session selected run
        calls = [getattr(item, "callspec", None) for item in request.session.items]
        params = [call.params.get("connect_contract_case") for call in calls if call is not None]
        sessions[key] = ClientConformance(specs, {p.vector_id for p in params if isinstance(p, ClientCase)} or None)
    return sessions[key]


def case(request: pytest.FixtureRequest) -> ServerCase | ClientCase:
    """The ``connect_contract_case`` fixture: the item's case, bound to its session's conformance run."""
    param = request.param
    overrides = dict(request.getfixturevalue("connect_contract_config"))
    options = _Options(request.config, overrides)
    if isinstance(param, ServerCase):
        return ServerCase(param.kind, param.id, _server_conformance(request, options, overrides))
    strict = bool(options.getoption("--strict-recommended")) or strict_recommended(request.config)
    return ClientCase(param.client, param.vector_id, strict, _client_conformance(request))
