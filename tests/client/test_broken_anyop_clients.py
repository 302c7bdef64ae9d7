"""The broken-client catalogue on the covering set's bindings: one defect per binding kind and per
output-parsing rule, each caught by its rule id on the vector meant for it; the same client without a
defect passes every vector of those operations."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.client.broken_anyop_client import DEFECTS

from connect_contract.client.adapters.builtin import ClientSpec
from connect_contract.client.runner import ClientRun, run_clients, vectors_for
from connect_contract.operations import load_service_operation

BROKEN_CLIENT = Path(__file__).with_name("broken_anyop_client.py")

# defect -> (the vector it must fail, the rule that must catch it)
CATALOGUE: dict[str, tuple[str, str]] = {
    "label-plus-for-space": ("lambda:Invoke/label-encoding.FunctionName", "req.label"),
    "greedy-slash-encoded": ("mediastore-data:GetObject/greedy-label.Path", "req.label"),
    "query-list-comma-joined": ("connect:UntagResource/query-list-2.tagKeys", "req.query"),
    "query-drops-false": ("lambda:ListDurableExecutionsByFunction/false.ReverseOrder", "req.query"),
    "body-drops-zero": ("lambda:CreateEventSourceMapping/zero.MaximumBatchingWindowInSeconds", "req.values"),
    "body-empty-list-omitted": ("lambda:CreateEventSourceMapping/nested-empty.FilterCriteria", "req.values"),
    "body-null-sent": ("entityresolution:CreateIdNamespace/null.description", "req.omitted-absent"),
    "body-timestamp-iso": (
        "lambda:CreateEventSourceMapping/timestamp-fraction.StartingPositionTimestamp",
        "req.timestamp-format",
    ),
    "header-timestamp-iso": ("connect:CreateTestCase/timestamp-fraction.LastModifiedTime", "req.timestamp-format"),
    "query-timestamp-epoch": (
        "lambda:ListDurableExecutionsByFunction/timestamp-fraction.StartedAfter",
        "req.timestamp-format",
    ),
    "blob-not-base64": ("lambda:CreateFunction/nested-full.Code", "req.values"),
    "no-idempotency-token": ("connect:DeleteInstance/idempotency-omitted.ClientToken", "req.idempotency-token"),
    "header-list-unquoted": ("entityresolution:BatchDeleteUniqueId/header-list.uniqueIds", "req.header-list"),
    "prefix-headers-dropped": ("dataexchange:SendApiAsset/prefix-headers.RequestHeaders", "req.prefix-headers"),
    "query-map-dropped": ("dataexchange:SendApiAsset/query-map.QueryStringParameters", "req.query"),
    "output-ignores-headers": ("lambda:Invoke/output.all-members", "resp.output"),
    "output-ignores-status": ("lambda:DeleteFunction/output.status-code", "resp.output"),
    "output-truncates-fraction": ("connect:DescribeInstance/output.epoch-fractions", "resp.output"),
    "output-keeps-unknown": ("connect:DescribeInstance/output.unknown-members", "resp.output-unknown"),
    "output-drops-payload": ("mediastore-data:GetObject/output.all-members", "resp.output"),
    "output-empty-body-error": ("lambda:DeleteFunction/output.empty-body", "resp.outcome"),
    "output-drops-false": ("connect:DescribeInstance/output.false-and-zero", "resp.output"),
}


def _operation(vector_id: str) -> tuple[str, str]:
    service, _, rest = vector_id.partition(":")
    return service, rest.split("/", 1)[0]


def broken(defect: str) -> ClientSpec:
    env = {"BROKEN_CLIENT_DEFECT": defect, "PYTHONPATH": str(BROKEN_CLIENT.parents[2])}
    return ClientSpec(defect, [sys.executable, str(BROKEN_CLIENT)], persistent=True, env=env)


@pytest.fixture(scope="module")
def runs() -> dict[str, ClientRun]:
    """Each defect on its target vector; the correct client on every vector of the targets' operations."""
    operations = sorted({_operation(vector_id) for vector_id, _ in CATALOGUE.values()})
    every = vectors_for([load_service_operation(s, o) for s, o in operations])
    by_id = {v.id: v for v in every}

    def run(defect: str) -> ClientRun:
        if defect == "none":
            return run_clients([broken("none")], every)[0]
        return run_clients([broken(defect)], [by_id[CATALOGUE[defect][0]]])[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {run.client: run for run in pool.map(run, ["none", *CATALOGUE])}


def test_catalogue_covers_every_defect() -> None:
    assert set(CATALOGUE) == set(DEFECTS)


def test_the_correct_client_passes_every_vector_of_those_operations(runs: dict[str, ClientRun]) -> None:
    run = runs["none"]
    assert len(run.judgements) > 200
    assert {v: sorted(j.rules) for v, j in run.judgements.items() if j.verdict in ("fail", "broken")} == {}


@pytest.mark.parametrize("defect", sorted(CATALOGUE))
def test_each_binding_defect_is_caught_by_its_rule(runs: dict[str, ClientRun], defect: str) -> None:
    vector_id, rule = CATALOGUE[defect]
    judgement = runs[defect].judgements[vector_id]
    assert rule in judgement.rules, f"{defect}: {vector_id} failed {sorted(judgement.rules)}, expected {rule}"
    assert judgement.vector.required and judgement in runs[defect].failed()


def test_sensitive_values_never_reach_a_detail(runs: dict[str, ClientRun]) -> None:
    """lambda:CreateFunction's Code.ZipFile is sensitive: the blob defect is reported without its value."""
    judgement = runs["blob-not-base64"].judgements["lambda:CreateFunction/nested-full.Code"]
    details = " ".join(check.detail for check in judgement.failures)
    assert "<sensitive>" in details
    assert "hello, world" not in details and "aGVsbG8sIHdvcmxk" not in details
