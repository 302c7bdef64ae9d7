"""Any operation: the correct multi-operation server passes every operation; each one-defect twin is
caught by the check meant for it, by id (issue 10, proof 1)."""

from __future__ import annotations

import pytest
from anyop_catalogue import CATALOGUE, OPERATIONS, make_app

from connect_contract.operations import ServiceOperation
from connect_contract.server.runner import RunResult, Settings, run
from connect_contract.serving import serve_in_thread

BY_NAME = {op.name: op for op in OPERATIONS}


def fast(url: str, op: ServiceOperation) -> Settings:
    return Settings(endpoint=url, operation=op, max_examples=10, seed=7, timeout=5.0)


def failures(result: RunResult) -> dict[str, list[str]]:
    return {
        r.check.id: [f"{f.message} (from {f.source})" for f in r.failures]
        for r in result.checks.values()
        if not r.passed
    }


@pytest.fixture(scope="module")
def correct_url() -> object:
    with serve_in_thread(make_app()) as url:
        yield url


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_the_correct_server_passes_every_check_of_every_operation(correct_url: str, op: ServiceOperation) -> None:
    result = run(fast(correct_url, op))
    assert failures(result) == {}
    assert result.ok(strict=True), [r.check.id for r in result.unexercised()]
    assert result.valid_accepted > 0


@pytest.mark.parametrize(("defect", "where"), sorted(CATALOGUE.items()), ids=sorted(CATALOGUE))
def test_each_twin_is_caught_by_its_check(defect: str, where: tuple[str, str]) -> None:
    operation, check_id = where
    with serve_in_thread(make_app(defect)) as url:
        result = run(fast(url, BY_NAME[operation]))
    assert check_id in failures(result), failures(result)
    assert not result.ok()
