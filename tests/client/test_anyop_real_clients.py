"""Real boto3, the AWS CLI and the JS SDK v3 on a reduced but representative part of the covering set
(one operation per binding family); the whole set runs with ``pytest tests/conformance --covering-set``
(docs/client-checks.md, "Any operation")."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from connect_contract.client.adapters import awscli_adapter
from connect_contract.client.adapters.awscli_adapter import find_aws
from connect_contract.client.adapters.base_path import rules_base_path
from connect_contract.client.adapters.builtin import DEFAULT_CLIENTS, builtin_client
from connect_contract.client.covering import COVERING_SET, UNCOVERED, coverage
from connect_contract.client.runner import ClientRun, run_clients, vectors_for
from connect_contract.operations import load_service_operation

REPRESENTATIVE = (
    ("lambda", "Invoke"),  # blob payload, headers in and out, statusCode
    ("mediastore-data", "GetObject"),  # greedy label, header outputs (long, http-date), streaming payload
    ("dataexchange", "SendApiAsset"),  # query map, prefix headers, string payload
    ("connect", "ListAgentStatuses"),  # query lists, integers; output body timestamps
    ("entityresolution", "CreateIdNamespace"),  # documents, nested structures, empty vs omitted
    ("amp", "GetDefaultScraperConfiguration"),  # blob in the output body
    ("codeguruprofiler", "DescribeProfilingGroup"),  # structure payload out
    ("bedrock-agentcore", "GetAgentCard"),  # document payload out
    # float query; /static/{FileName} in the AWS CLI's and the JS SDK's models, /v2 in their endpoint rules
    ("geo-maps", "GetStaticMap"),
)


@pytest.fixture(scope="module")
def runs() -> list[ClientRun]:
    operations = [load_service_operation(service, name) for service, name in REPRESENTATIVE]
    specs = [builtin_client(name) for name in DEFAULT_CLIENTS]
    missing = [f"{s.name}: {s.unavailable}" for s in specs if s.unavailable]
    if missing:
        pytest.fail(f"a built-in client cannot run: {'; '.join(missing)}")
    return run_clients(specs, vectors_for(operations))


def test_representative_operations_are_in_the_covering_set() -> None:
    assert set(REPRESENTATIVE) <= set(COVERING_SET)


def test_the_covering_set_exercises_every_binding_location() -> None:
    locations = {(side, location) for side, location, _ in coverage()}
    for side, location in [("in", "label"), ("in", "query"), ("in", "query-map"), ("in", "header")]:
        assert (side, location) in locations
    for location in ("prefix-headers", "payload", "body"):
        assert ("in", location) in locations and ("out", location) in locations
    assert ("out", "status") in locations and ("out", "header") in locations
    covered = coverage()
    for kind in ("blob", "document"):
        assert ("in", "body", kind) in covered and ("out", "body", kind) in covered
    for kind in ("blob", "string", "structure", "document"):
        assert ("out", "payload", kind) in covered
    # the last pair botocore's models hold, on one operation only (geo-maps:GetStaticMap's Zoom)
    assert ("in", "query", "float") in covered and UNCOVERED == {}


@pytest.mark.parametrize("client", DEFAULT_CLIENTS)
def test_real_client_passes_every_required_vector(runs: list[ClientRun], client: str) -> None:
    run = next(r for r in runs if r.client == client)
    assert len(run.judgements) > 100
    failed = {j.vector.id: [f"[{c.rule}] {c.detail}" for c in j.failures] for j in run.failed()}
    assert failed == {}
    # the parsed outputs were judged, not skipped: every success vector carried an output
    judged = [j for j in run.judgements.values() if j.vector.expect.output is not None and j.verdict == "pass"]
    assert len(judged) >= 10


def test_the_aws_cli_model_and_rules_add_up_to_botocores_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's own rules' base path (read by the interpreter of an ``aws`` that is not beside this one, as the
    adapter does for a CLI of another interpreter) + the CLI's own requestUri = botocore's path, for the one
    operation where the two models split it differently."""
    spec = importlib.util.find_spec("awscli")  # found, not imported: the harness never imports awscli
    aws = find_aws()
    if spec is None or not spec.submodule_search_locations or aws is None:
        pytest.skip("awscli is not installed (pip install -e '.[test]')")
    model_file = Path(spec.submodule_search_locations[0]) / "botocore/data/geo-maps/2020-11-19/service-2.json"
    cli_uri = json.loads(model_file.read_text(encoding="utf-8"))["operations"]["GetStaticMap"]["http"]["requestUri"]
    elsewhere = tmp_path / "aws"
    shutil.copy(aws, elsewhere)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    base = awscli_adapter._foreign(str(elsewhere), "geo-maps", "GetStaticMap")
    botocore_base = rules_base_path("geo-maps", "GetStaticMap", "us-east-1", plain_loader=True)
    assert base + cli_uri == botocore_base + load_service_operation("geo-maps", "GetStaticMap").request_uri
