"""Server conformance, generated part: schemathesis cases (examples, coverage, fuzzing) run once per
session; one test per check reports that check's failures (``--max-examples``, ``--seed``)."""

from __future__ import annotations

import pytest

from connect_contract.server.checks import CHECKS
from connect_contract.server.fixtures import ServerConformance


@pytest.mark.parametrize("check_id", [check.id for check in CHECKS if not check.vectors_only])
def test_server_generated(server_conformance: ServerConformance, check_id: str) -> None:
    server_conformance.assert_generated(check_id)
