"""pytest fixtures for client conformance (imported by the plugin).

``pytest tests/conformance --client boto3`` (repeatable) or ``--client-cmd "COMMAND"`` picks the
clients; with neither, boto3, the AWS CLI and the JS SDK v3 run (``DEFAULT_CLIENTS``).  Each client runs
once per session, in its fast persistent mode (built-ins) or the plain one-shot protocol
(``--client-cmd``); every (client, vector) pair is then its own test item that reads its verdict.
"""

from __future__ import annotations

import os
import threading

import pytest

from connect_contract.client.adapters.builtin import DEFAULT_CLIENTS, ClientSpec, builtin_client, command_client
from connect_contract.client.adapters.protocol import AdapterUnusable
from connect_contract.client.covering import covering_operations
from connect_contract.client.runner import ClientRun, run_clients, vectors_for
from connect_contract.client.vectors import Vector
from connect_contract.operations import OperationLookupError, resolve_operations


def conformance_vectors(config: pytest.Config) -> tuple[Vector, ...]:
    """The vectors of ``--covering-set``, else of ``--service``/``--operation`` (default: the mission operation)."""
    if config.getoption("--covering-set", default=False):
        return vectors_for(covering_operations())
    service = config.getoption("--service", default=None) or "connect"
    operation = config.getoption("--operation", default=None) or "UpdateParticipantAuthentication"
    try:
        return vectors_for(resolve_operations(service, operation))
    except OperationLookupError as error:
        raise pytest.UsageError(f"connect-contract: {error}") from None


def client_specs(config: pytest.Config) -> list[ClientSpec]:
    """The clients named on the command line (built-ins first), or every built-in one."""
    names: list[str] = list(dict.fromkeys(config.getoption("--client") or []))
    command: str | None = config.getoption("--client-cmd")
    specs = [builtin_client(name) for name in names]
    if command:  # one-shot, the documented protocol; CONNECT_CONTRACT_PERSISTENT=1 for JSON lines
        specs.append(command_client(command, persistent=os.environ.get("CONNECT_CONTRACT_PERSISTENT") == "1"))
    return specs or [builtin_client(name) for name in DEFAULT_CLIENTS]


class ClientConformance:
    """Runs every client once, together (in parallel lanes), on first use; keeps the results.

    Only the vectors this session selected run (``-k`` and node ids narrow the work, not just the report).
    A client that cannot run at all (not installed, a one-shot adapter in lines mode) ends the session
    with one line and status 2, as ``check-client`` does, instead of one failure per item.
    """

    def __init__(
        self, specs: list[ClientSpec], vector_ids: set[str] | None = None, vectors: tuple[Vector, ...] = ()
    ) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.vectors = vectors
        self.vector_ids = vector_ids
        self._runs: dict[str, ClientRun] = {}
        self._lock = threading.Lock()

    def run(self, client: str) -> ClientRun:
        with self._lock:
            if not self._runs:
                vectors = self.vectors or vectors_for()
                if self.vector_ids is not None:
                    vectors = tuple(v for v in vectors if v.id in self.vector_ids)
                for spec in self.specs.values():
                    if spec.unavailable:
                        pytest.exit(f"client conformance: {spec.name} cannot run: {spec.unavailable}", returncode=2)
                try:
                    self._runs = {run.client: run for run in run_clients(list(self.specs.values()), vectors)}
                except AdapterUnusable as exc:
                    pytest.exit(f"client conformance: {exc}", returncode=2)
            return self._runs[client]


def _selected_vector_ids(session: pytest.Session) -> set[str] | None:
    ids = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "vector_id" in callspec.params:
            ids.add(str(callspec.params["vector_id"]))
    return ids or None


@pytest.fixture(scope="session")
def client_conformance(request: pytest.FixtureRequest) -> ClientConformance:
    config = request.config
    return ClientConformance(client_specs(config), _selected_vector_ids(request.session), conformance_vectors(config))
