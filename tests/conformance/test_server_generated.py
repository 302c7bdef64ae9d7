"""Server conformance, generated part: schemathesis cases (examples, coverage, fuzzing) run once per
session and operation; one test per check reports that check's failures (``--max-examples``, ``--seed``).
``--service``/``--operation`` choose the operations (ids ``Operation:check`` for any but the default)."""

from __future__ import annotations

import pytest

from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.server.checks import CHECKS
from connect_contract.server.fixtures import ServerConformance, selected_operations


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "check_id" in metafunc.fixturenames:
        check_ids = [check.id for check in CHECKS if not check.vectors_only]
        pairs = [
            (None if op is mission_operation() else op, check_id)
            for op in selected_operations(metafunc.config)
            for check_id in check_ids
        ]
        ids = [check_id if op is None else f"{op.name}:{check_id}" for op, check_id in pairs]
        metafunc.parametrize(("operation", "check_id"), pairs, ids=ids)


def test_server_generated(
    server_conformance: ServerConformance, operation: ServiceOperation | None, check_id: str
) -> None:
    server_conformance.assert_generated(check_id, operation)
