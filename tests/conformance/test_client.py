"""Client conformance as pytest tests: one item per (client, vector), driven by the vector data.

``pytest tests/conformance --client boto3 --client js``; ``--client-cmd "COMMAND"`` for any client;
``--strict-recommended`` makes recommended vectors fail too (pytest's ``--strict``: deprecated).
Without options the three built-in clients run on the mission operation; ``--service S --operation OP``
picks other operations, ``--covering-set`` the covering set (opt-in: 695 items per client).
"""

from __future__ import annotations

import pytest

from connect_contract.client.fixtures import ClientConformance, client_specs, conformance_vectors
from connect_contract.pytest_plugin import strict_recommended


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if {"client", "vector_id"} <= set(metafunc.fixturenames):
        clients = [spec.name for spec in client_specs(metafunc.config)]
        pairs = [(c, v.id) for c in clients for v in conformance_vectors(metafunc.config)]
        metafunc.parametrize(("client", "vector_id"), pairs, ids=[f"{c}-{v}" for c, v in pairs])


def test_client(
    client_conformance: ClientConformance, client: str, vector_id: str, pytestconfig: pytest.Config
) -> None:
    judgement = client_conformance.run(client).judgements[vector_id]
    details = "; ".join(f"[{c.rule}] {c.detail}" for c in judgement.failures)
    if judgement.verdict in ("fail", "broken"):
        if not judgement.vector.required and not strict_recommended(pytestconfig):
            pytest.xfail(f"recommendation: {details}")
        pytest.fail(f"{client} {vector_id}: {details}", pytrace=False)
