"""The broken-client catalogue: every defect is caught by the rule meant for it; the correct client
passes everything (required and recommended)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.client.broken_client import DEFECTS, LEGITIMATE

from connect_contract.client.adapters.builtin import ClientSpec
from connect_contract.client.runner import ClientRun, run_clients
from connect_contract.client.vectors import load_vectors

BROKEN_CLIENT = Path(__file__).with_name("broken_client.py")

# defect -> (a vector it must fail, the rule that must catch it)
CATALOGUE: dict[str, tuple[str, str]] = {
    "null-for-omitted": ("request.required-only", "req.omitted-absent"),
    "empty-for-omitted": ("request.optional-alone.Code", "req.omitted-absent"),
    "camel-case-keys": ("request.required-only", "req.keys"),
    "wrong-path": ("request.required-only", "req.path"),
    "wrong-method": ("request.required-only", "req.method"),
    "no-content-type": ("request.required-only", "req.content-type"),
    "status-only": ("error.InvalidParameterException.header-plain", "resp.error-type"),
    "ignores-header": ("error.AccessDeniedException.header-plain", "resp.error-type"),
    "keeps-uri-suffix": ("error.ConflictException.header-uri", "resp.error-type"),
    "body-code-first": ("error.ThrottlingException.header-beats-body-code", "resp.error-type"),
    "empty-200-error": ("success.empty-body", "resp.outcome"),
    "unsigned": ("request.required-only", "req.sigv4"),
    "wrong-service": ("request.required-only", "req.sigv4"),
    "extra-member": ("request.all-members", "req.keys"),
    "truncates": ("request.max-length.Code", "req.values"),
    "mangles-unicode": ("request.unicode.State", "req.values"),
    "drops-message": ("error.InternalServiceException.body-code", "resp.message"),
    "wrong-region": ("request.required-only", "req.sigv4"),
    "query-string": ("request.required-only", "req.query"),
    "chunked": ("request.required-only", "req.content-length"),
    "no-escaping": ("request.json-escapes.State", "req.body-json-object"),
    "sends-twice": ("request.required-only", "req.single-attempt"),
    "rejects-long": ("request.max-length.State", "client.rejected-valid-input"),
    "rejects-after-sending": ("request.required-only", "client.rejected-after-sending"),
    "crashes": ("request.required-only", "adapter"),
    "retries-conflict": ("retry.409.ConflictException", "retry.attempts"),
    "never-retries": ("retry.429.ThrottlingException", "retry.attempts"),
    "drops-empty": ("request.empty-string.Code", "req.values"),
    "modeled-message-only": ("error.ConflictException.message-lowercase-only", "resp.message"),
}
RECOMMENDED_ONLY = {"retries-conflict", "never-retries", "drops-empty", "modeled-message-only"}


def broken(defect: str, *, persistent: bool = True) -> ClientSpec:
    env = {"BROKEN_CLIENT_DEFECT": defect, "PYTHONPATH": str(BROKEN_CLIENT.parents[2])}
    return ClientSpec(defect, [sys.executable, str(BROKEN_CLIENT)], persistent=persistent, env=env)


@pytest.fixture(scope="module")
def runs() -> dict[str, ClientRun]:
    """The correct client on every vector; each defect on its target vector's group (the same template
    across every error or member), all in parallel lanes."""
    by_id = {v.id: v for v in load_vectors()}

    def run(defect: str) -> ClientRun:
        if defect == "none" or defect in LEGITIMATE:
            return run_clients([broken(defect)])[0]
        group = by_id[CATALOGUE[defect][0]].group
        return run_clients([broken(defect)], [v for v in by_id.values() if v.group == group])[0]

    with ThreadPoolExecutor(max_workers=6) as pool:
        return {run.client: run for run in pool.map(run, ["none", *CATALOGUE, *LEGITIMATE])}


def test_catalogue_covers_every_defect_of_the_client() -> None:
    assert set(CATALOGUE) == set(DEFECTS)


def test_the_correct_client_passes_everything(runs: dict[str, ClientRun]) -> None:
    run = runs["none"]
    bad = {v: sorted(j.rules) for v, j in run.judgements.items() if j.verdict != "pass"}
    assert bad == {}
    assert run.failed(strict=True) == []


@pytest.mark.parametrize("defect", sorted(CATALOGUE))
def test_each_defect_is_caught_by_its_rule(runs: dict[str, ClientRun], defect: str) -> None:
    vector_id, rule = CATALOGUE[defect]
    run = runs[defect]
    judgement = run.judgements[vector_id]
    assert rule in judgement.rules, f"{defect}: {vector_id} failed {sorted(judgement.rules)}, expected {rule}"
    if defect in RECOMMENDED_ONLY:
        assert run.failed() == [] and run.failed(strict=True), "a recommendation fails only under --strict"
    else:
        assert judgement in run.failed(), "a required vector failed, so the run must fail"


@pytest.mark.parametrize("variant", LEGITIMATE)
def test_each_legitimate_variant_passes_everything(runs: dict[str, ClientRun], variant: str) -> None:
    run = runs[variant]
    assert {v: sorted(j.rules) for v, j in run.judgements.items() if j.verdict != "pass"} == {}
    assert run.failed(strict=True) == []
