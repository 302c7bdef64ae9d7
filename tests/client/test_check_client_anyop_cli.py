"""``check-client`` on other operations: --service/--operation, --covering-set --list, usage errors, an
adapter written for the mission operation (no CONNECT_CONTRACT_* naming) still working, and the adapter
protocol's output fields."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from connect_contract.client.adapters.protocol import AdapterResult, parse_result
from connect_contract.client.covering import COVERING_SET, UNCOVERED

ROOT = Path(__file__).resolve().parents[2]
BROKEN_ANYOP = f"{sys.executable} {ROOT / 'tests' / 'client' / 'broken_anyop_client.py'}"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    command = [sys.executable, "-m", "connect_contract", "check-client", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=full_env, cwd=ROOT, check=False)


def test_covering_set_list_prints_the_operations_and_the_pairs() -> None:
    done = cli("--covering-set", "--list")
    assert done.returncode == 0, done.stderr
    for service, operation in COVERING_SET:
        assert f"{service}:{operation}\t" in done.stdout
    assert "in\tlabel\tgreedy\tmediastore-data:PutObject" in done.stdout
    assert "out\tprefix-headers\tmap\tdataexchange:SendApiAsset" in done.stdout
    assert "out\tbody\tblob\tamp:GetDefaultScraperConfiguration" in done.stdout
    assert "out\tpayload\tstructure\tcodeguruprofiler:DescribeProfilingGroup" in done.stdout
    assert "out\tpayload\tdocument\tbedrock-agentcore:GetAgentCard" in done.stdout
    assert done.stdout.count("not covered:") == len(UNCOVERED)


def test_operation_vectors_are_listed_with_their_smithy_source() -> None:
    done = cli("--service", "mediastore-data", "--operation", "GetObject", "--list")
    assert done.returncode == 0, done.stderr
    assert "mediastore-data:GetObject/greedy-label.Path\trequired" in done.stdout
    assert "RestJsonHttpRequestWithGreedyLabelInPath" in done.stdout


def test_unknown_operation_and_other_protocols_are_usage_errors() -> None:
    for args in (["--service", "lambda", "--operation", "Nope"], ["--service", "sqs"]):
        done = cli(*args, "--client", "boto3")
        assert done.returncode == 2
        assert "Error:" in done.stderr and "Traceback" not in done.stderr


def test_a_custom_adapter_runs_any_operation_one_shot() -> None:
    done = cli(
        "--service", "dataexchange", "--operation", "SendApiAsset", "--client-cmd", BROKEN_ANYOP,
        "--vector", "*prefix-headers*", "--vector", "*output.all-members",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    broken = cli(
        "--service", "dataexchange", "--operation", "SendApiAsset", "--client-cmd", BROKEN_ANYOP,
        "--vector", "*prefix-headers*", env={"BROKEN_CLIENT_DEFECT": "prefix-headers-dropped"},
    )  # fmt: skip
    assert broken.returncode == 1
    assert "req.prefix-headers" in broken.stdout


def test_result_lines_carry_output_and_unmodeled() -> None:
    parsed = parse_result('{"outcome": "success", "output": {"A": 1}, "unmodeled": ["B.C"]}')
    assert isinstance(parsed, AdapterResult)
    assert parsed.output == {"A": 1} and parsed.unmodeled == ("B.C",)
    assert isinstance(parse_result('{"outcome": "success", "output": [1]}'), str)
    assert isinstance(parse_result('{"outcome": "success", "unmodeled": "B"}'), str)
    legacy = parse_result('{"outcome": "success"}')  # an adapter written for the mission operation
    assert isinstance(legacy, AdapterResult) and legacy.output is None
