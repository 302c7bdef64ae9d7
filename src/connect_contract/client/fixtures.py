"""pytest fixtures for client conformance (imported by the plugin).

``pytest tests/conformance --client boto3`` (repeatable) or ``--client-cmd "COMMAND"`` picks the
clients; with neither, the three built-in AWS clients run.  Each client runs once per session, in its
fast persistent mode (built-ins) or the plain one-shot protocol (``--client-cmd``); every
(client, vector) pair is then its own test item that reads its verdict.
"""

from __future__ import annotations

import threading

import pytest

from connect_contract.client.adapters.builtin import BUILTIN, ClientSpec, builtin_client, command_client
from connect_contract.client.runner import ClientRun, run_clients


def client_specs(config: pytest.Config) -> list[ClientSpec]:
    """The clients named on the command line (built-ins first), or every built-in one."""
    names: list[str] = list(dict.fromkeys(config.getoption("--client") or []))
    command: str | None = config.getoption("--client-cmd")
    specs = [builtin_client(name) for name in names]
    if command:
        specs.append(command_client(command))
    return specs or [builtin_client(name) for name in BUILTIN]


class ClientConformance:
    """Runs every client once, together (in parallel lanes), on first use; keeps the results."""

    def __init__(self, specs: list[ClientSpec]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self._runs: dict[str, ClientRun] = {}
        self._lock = threading.Lock()

    def run(self, client: str) -> ClientRun:
        with self._lock:
            if not self._runs:
                self._runs = {run.client: run for run in run_clients(list(self.specs.values()))}
            return self._runs[client]


@pytest.fixture(scope="session")
def client_conformance(pytestconfig: pytest.Config) -> ClientConformance:
    return ClientConformance(client_specs(pytestconfig))
