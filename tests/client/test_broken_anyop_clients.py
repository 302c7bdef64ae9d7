"""The broken-client catalogue on the covering set's bindings: one defect per binding kind and per
output-parsing rule, each caught by its rule id on the vector meant for it; the same client without a
defect passes every vector of those operations."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
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
    "query-drops-float-zero": ("geo-maps:GetStaticMap/zero.Zoom", "req.query"),
    "query-float-truncated": ("geo-maps:GetStaticMap/number-fraction.Zoom", "req.query"),
    # on the AWS CLI's geo-maps model (/static/..., /v2 in its endpoint rules): see SPLIT below
    "endpoint-path-dropped": ("geo-maps:GetStaticMap/required-only", "req.path"),
    "output-ignores-headers": ("lambda:Invoke/output.all-members", "resp.output"),
    "output-ignores-status": ("lambda:DeleteFunction/output.status-code", "resp.output"),
    "output-truncates-fraction": ("connect:DescribeInstance/output.epoch-fractions", "resp.output"),
    "output-keeps-unknown": ("connect:DescribeInstance/output.unknown-members", "resp.output-unknown"),
    "output-drops-payload": ("mediastore-data:GetObject/output.all-members", "resp.output"),
    "output-empty-body-error": ("lambda:DeleteFunction/output.empty-body", "resp.outcome"),
    "output-drops-false": ("connect:DescribeInstance/output.false-and-zero", "resp.output"),
}


# Defects (and the correct client "split") run with the AWS CLI's own geo-maps model files, whose requestUri
# leaves out the /v2 its endpoint rules put in front (botocore 1.44.8 has /v2/static/{FileName}, no base path).
SPLIT = ("endpoint-path-dropped", "split")
# the path with a label (decoded, and byte for byte), the query floats, a parsed output, an error
SPLIT_VECTORS = (
    "required-only",
    "label-encoding.FileName",
    "label-exact-bytes.FileName",
    "zero.Zoom",
    "number-fraction.Zoom",
    "output.all-members",
    "error.ValidationException.header-plain",
)


@pytest.fixture(scope="module")
def cli_geo_maps(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """An AWS_DATA_PATH holding the AWS CLI's geo-maps model and endpoint rules (its other services: botocore's);
    None without awscli (pip install -e '.[test]'), and the tests that need it are skipped."""
    spec = importlib.util.find_spec("awscli")  # found, not imported: the harness never imports awscli
    if spec is None or not spec.submodule_search_locations:
        return None
    source = Path(spec.submodule_search_locations[0]) / "botocore" / "data" / "geo-maps"
    # laid out as a home's ~/.aws/models, which botocore's loader reads too (the harness's own, below)
    target = tmp_path_factory.mktemp("home") / ".aws" / "models" / "geo-maps"
    shutil.copytree(source, target)
    return target.parent


def _operation(vector_id: str) -> tuple[str, str]:
    service, _, rest = vector_id.partition(":")
    return service, rest.split("/", 1)[0]


def broken(defect: str, models: Path | None = None, name: str | None = None) -> ClientSpec:
    env = {"BROKEN_CLIENT_DEFECT": defect, "PYTHONPATH": str(BROKEN_CLIENT.parents[2])}
    if models is not None:
        env["AWS_DATA_PATH"] = str(models)
    return ClientSpec(name or defect, [sys.executable, str(BROKEN_CLIENT)], persistent=True, env=env)


@pytest.fixture(scope="module")
def runs(cli_geo_maps: Path | None) -> dict[str, ClientRun]:
    """Each defect on its target vector; the correct client on every vector of the targets' operations, and on
    a sample of geo-maps:GetStaticMap's with the AWS CLI's model ("split")."""
    operations = sorted({_operation(vector_id) for vector_id, _ in CATALOGUE.values()})
    every = vectors_for([load_service_operation(s, o) for s, o in operations])
    by_id = {v.id: v for v in every}

    def run(defect: str) -> ClientRun:
        if defect == "none":
            return run_clients([broken("none")], every)[0]
        if defect == "split":
            static_map = [by_id[f"geo-maps:GetStaticMap/{name}"] for name in SPLIT_VECTORS]
            return run_clients([broken("none", cli_geo_maps, name="split")], static_map)[0]
        models = cli_geo_maps if defect in SPLIT else None
        return run_clients([broken(defect, models)], [by_id[CATALOGUE[defect][0]]])[0]

    names = ["none", "split", *CATALOGUE] if cli_geo_maps else ["none", *(d for d in CATALOGUE if d not in SPLIT)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return {run.client: run for run in pool.map(run, names)}


def _needs_cli(runs: dict[str, ClientRun], name: str) -> ClientRun:
    if name not in runs:
        pytest.skip("awscli is not installed: no AWS CLI geo-maps model to run on")
    return runs[name]


def test_catalogue_covers_every_defect() -> None:
    assert set(CATALOGUE) == set(DEFECTS)


def test_the_correct_client_passes_every_vector_of_those_operations(runs: dict[str, ClientRun]) -> None:
    run = runs["none"]
    assert len(run.judgements) > 200
    assert {v: sorted(j.rules) for v, j in run.judgements.items() if j.verdict in ("fail", "broken")} == {}


def test_a_client_whose_rules_carry_the_base_path_passes(runs: dict[str, ClientRun]) -> None:
    """The AWS CLI's geo-maps model (/static/{FileName}, /v2 in its endpoint rules) on an endpoint with its
    rules' base path adds up to botocore's /v2/static/{FileName}: no false req.path on any vector."""
    run = _needs_cli(runs, "split")
    assert len(run.judgements) == len(SPLIT_VECTORS)
    assert {v: sorted(j.rules) for v, j in run.judgements.items() if j.verdict in ("fail", "broken")} == {}


@pytest.mark.parametrize("defect", sorted(CATALOGUE))
def test_each_binding_defect_is_caught_by_its_rule(runs: dict[str, ClientRun], defect: str) -> None:
    vector_id, rule = CATALOGUE[defect]
    judgement = _needs_cli(runs, defect).judgements[vector_id]
    assert rule in judgement.rules, f"{defect}: {vector_id} failed {sorted(judgement.rules)}, expected {rule}"
    assert judgement.vector.required and judgement in runs[defect].failed()


def test_sensitive_values_never_reach_a_detail(runs: dict[str, ClientRun]) -> None:
    """lambda:CreateFunction's Code.ZipFile is sensitive: the blob defect is reported without its value."""
    judgement = runs["blob-not-base64"].judgements["lambda:CreateFunction/nested-full.Code"]
    details = " ".join(check.detail for check in judgement.failures)
    assert "<sensitive>" in details
    assert "hello, world" not in details and "aGVsbG8sIHdvcmxk" not in details


def test_the_judge_expects_botocores_base_path_when_its_rules_carry_one(cli_geo_maps: Path | None) -> None:
    """The harness itself on the AWS CLI's geo-maps model (read from ~/.aws/models, as botocore reads a user's):
    botocore's path is then /v2 (its rules) + /static/{FileName}.  boto3 on the same model passes; the client
    that drops its endpoint's path fails req.path on the base path, not on the requestUri."""
    if cli_geo_maps is None:
        pytest.skip("awscli is not installed: no AWS CLI geo-maps model to run on")
    home = cli_geo_maps.parents[1]
    env = {**os.environ, "HOME": str(home), "COLUMNS": "200", "BROKEN_CLIENT_DEFECT": "endpoint-path-dropped"}
    env["PYTHONPATH"] = str(BROKEN_CLIENT.parents[2])
    command = [sys.executable, "-m", "connect_contract", "check-client", "--service", "geo-maps"]
    command += ["--operation", "GetStaticMap", "--vector", "*/required-only", "--client", "boto3", "--persistent"]
    command += ["--client-cmd", f"{sys.executable} {BROKEN_CLIENT}", "--client-name", "dropped"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "boto3: PASS — required 1/1" in done.stdout
    assert "dropped: FAIL — required 0/1" in done.stdout
    assert "req.path │ the path does not start with /v2/" in done.stdout
