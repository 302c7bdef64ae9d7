"""Server conformance, deterministic part: one test per vector of ``contracts/vectors/server.json``.

``pytest tests/conformance --endpoint URL`` (default: the built-in mock); ``--sigv4``, ``--region``,
``--rate-limit`` and ``--strict-recommended`` as for ``connect-contract check``.
"""

from __future__ import annotations

import pytest

from connect_contract.server.fixtures import ServerConformance
from connect_contract.server.vectors import Vector, load_vectors


@pytest.mark.parametrize("vector", load_vectors(), ids=lambda vector: vector.id)
def test_server_vector(server_conformance: ServerConformance, vector: Vector) -> None:
    server_conformance.assert_vector(vector)
