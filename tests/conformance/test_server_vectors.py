"""Server conformance, deterministic part: one test per vector.

``pytest tests/conformance --endpoint URL`` (default: the built-in mock); ``--sigv4``, ``--region``,
``--rate-limit`` and ``--strict-recommended`` as for ``connect-contract check``.  ``--service`` and
``--operation NAME|all|GLOB`` choose the operations (default UpdateParticipantAuthentication, whose
vectors are ``contracts/vectors/server.json``; any other's are expanded from the model, with
``--set Member=VALUE`` pins); a paginated operation also gets its pages followed.
"""

from __future__ import annotations

import pytest

from connect_contract.operations import ServiceOperation
from connect_contract.server.fixtures import ServerConformance, selected_operations, selected_vectors, vector_test_id
from connect_contract.server.vectors import Vector


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "vector" in metafunc.fixturenames:
        metafunc.parametrize("vector", selected_vectors(metafunc.config), ids=vector_test_id)
    if "paginated" in metafunc.fixturenames:
        paginated = [op for op in selected_operations(metafunc.config) if op.paginator is not None]
        metafunc.parametrize("paginated", paginated, ids=lambda op: op.name)


def test_server_vector(server_conformance: ServerConformance, vector: Vector) -> None:
    server_conformance.assert_vector(vector)


def test_server_pagination(server_conformance: ServerConformance, paginated: ServiceOperation) -> None:
    server_conformance.assert_pagination(paginated)
