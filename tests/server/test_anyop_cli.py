"""``check --service/--operation/--set/--shard`` and ``merge-reports``, in process (click's runner)
against the multi-operation reference server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyop_catalogue import make_app
from click.testing import CliRunner, Result

from connect_contract.cli import main
from connect_contract.operations import resolve_operations
from connect_contract.server.cli import shard_of
from connect_contract.serving import serve_in_thread

TWO = "[TU]*agResource"  # TagResource and UntagResource, both served by the reference server


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    with serve_in_thread(make_app()) as url:
        yield url


def invoke(*args: str) -> Result:
    # One process (--jobs 1): worker processes cost a cold start each; tests/server/test_jobs.py covers them.
    return CliRunner().invoke(
        main, ["check", "--max-examples", "5", "--seed", "2", "--jobs", "1", *args], env={"NO_COLOR": "1"}
    )


def test_shards_split_the_operations_disjointly_and_completely() -> None:
    everything = resolve_operations("connect", "all")
    shards = [shard_of(everything, (index, 4)) for index in range(1, 5)]
    names = [op.name for shard in shards for op in shard]
    assert sorted(names) == sorted(op.name for op in everything) and len(set(names)) == len(names)
    assert shard_of(everything, (3, 4)) == shards[2]  # deterministic


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--shard", "0/2"), "--shard expects I/N"),
        (("--shard", "3/2"), "--shard expects I/N"),
        (("--operation", "DescribeInstance", "--set", "Nope=1"), "DescribeInstance"),
        (("--operation", "DescribeInstance", "--set", "InstanceId"), "--set expects Member=VALUE"),
        (("--set", "Code=1"), "--set applies to operations other than UpdateParticipantAuthentication"),
        (("--operation", "NoSuchOperation"), "has no operation 'NoSuchOperation'"),
        (("--service", "sqs"), "not 'rest-json'"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    result = invoke("--endpoint", "http://127.0.0.1:9", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_several_operations_get_one_verdict_each_and_one_table(reference_url: str, tmp_path: Path) -> None:
    junit, markdown = tmp_path / "all.xml", tmp_path / "all.md"
    result = invoke(
        "--endpoint", reference_url, "--operation", TWO, "--junitxml", str(junit), "--report", str(markdown)
    )
    assert result.exit_code == 0, result.output
    assert "2 operations" in result.output and "PASSED: 2 of 2 operations passed" in result.output
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name", "").rsplit(":", 1)[1] for s in suites] == ["TagResource", "UntagResource"]
    text = markdown.read_text()
    assert "| `connect:TagResource` |" in text and "## connect:UntagResource" in text


def test_shard_reports_merge_into_one(reference_url: str, tmp_path: Path) -> None:
    for index in (1, 2):
        prefix = str(tmp_path / f"shard-{index}")
        shard = invoke(
            "--endpoint", reference_url, "--operation", TWO, "--shard", f"{index}/2",
            "--junitxml", prefix + ".xml", "--report", prefix + ".md",
        )  # fmt: skip
        assert shard.exit_code == 0, shard.output
    inputs = sorted(str(p) for p in tmp_path.glob("shard-*"))
    merged_xml, merged_md = tmp_path / "merged.xml", tmp_path / "merged.md"
    merged = CliRunner().invoke(
        main, ["merge-reports", *inputs, "--junitxml", str(merged_xml), "--report", str(merged_md)]
    )
    assert merged.exit_code == 0, merged.output
    root = ET.parse(merged_xml).getroot()
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == 2
    assert root.get("failures") == "0" and int(root.get("tests", "0")) > 10
    text = merged_md.read_text()
    assert "| `connect:TagResource` |" in text and "| `connect:UntagResource` |" in text
    assert "TagResource" in text.split("## connect:UntagResource")[0]


def test_a_failing_operation_fails_the_run(tmp_path: Path) -> None:
    with serve_in_thread(make_app("repeated_query_keys_read_as_one")) as url:
        result = invoke("--endpoint", url, "--operation", TWO)
    assert result.exit_code == 1
    assert "1 of 2 operations passed" in result.output and "rejects_invalid" in result.output


def test_pytest_front_door_takes_the_operation_and_pins(tmp_path: Path) -> None:
    """``pytest tests/conformance --operation ... --set ...``: one test per model vector and per check."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    tests = [
        str(root / "tests/conformance/test_server_vectors.py"),
        str(root / "tests/conformance/test_server_generated.py"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONNECT_CONTRACT_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    with serve_in_thread(make_app("repeating_next_token")) as url:
        command = [str(Path(sys.executable).parent / "pytest"), "-q", "-p", "no:cacheprovider", *tests]
        command += ["--endpoint", url, "--operation", "ListInstances", "--set", "MaxResults=1", "--max-examples", "5"]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, timeout=120, check=False)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "test_server_pagination[ListInstances]" in result.stdout  # the repeating token, caught
    assert "the same next token" in result.stdout
    assert "test_server_vector[ListInstances:query-MaxResults-above-max]" not in result.stdout  # passed
    assert "passed" in result.stdout


def test_without_an_endpoint_the_built_in_mock_serves_the_service_being_checked() -> None:
    """`check --service mediastore-data` once judged a mock that served only connect (404 to every case)."""
    result = invoke("--service", "mediastore-data", "--operation", "DescribeObject", "--strict")
    assert result.exit_code == 0, result.output
    assert "UnknownOperationException" not in result.output
