"""lint takes the operation that cassettes without ``metadata.operation`` record as a parameter (the CLI's
--service/--operation, default the mission operation); a cassette that names its operation keeps it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from connect_contract.cassettes.lint import lint_file, lint_paths
from connect_contract.cli import main
from connect_contract.operations import load_service_operation

DESCRIBE_INSTANCE = load_service_operation("connect", "DescribeInstance")
INSTANCE = {"Id": "contract-instance-id", "CreatedTime": 1576540098.5, "InstanceStatus": "ACTIVE"}


def cassette(tmp_path: Path, name: str, output: Any, metadata: dict[str, Any] | None = None) -> Path:
    """A DescribeInstance exchange, hand-written the way vcrpy stores it (no ``metadata.operation``)."""
    data: dict[str, Any] = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "GET",
                    "uri": "http://127.0.0.1:4566/instance/contract-instance-id",
                    "body": None,
                    "headers": {},
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"string": json.dumps(output)},
                },
            }
        ],
    }
    if metadata is not None:
        data["metadata"] = metadata
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def checks(problems: list[Any]) -> list[str]:
    return [problem.check for problem in problems]


def test_a_cassette_without_metadata_is_judged_as_the_operation_given(tmp_path: Path) -> None:
    path = cassette(tmp_path, "describe", {"Instance": INSTANCE})
    assert lint_file(path, DESCRIBE_INSTANCE)[0] == []
    assert checks(lint_file(path)[0]) == ["wrong-operation"]  # read as the mission operation: a POST elsewhere


def test_the_given_operation_s_output_contract_is_applied(tmp_path: Path) -> None:
    path = cassette(tmp_path, "wrong-type", {"Instance": {**INSTANCE, "InboundCallsEnabled": "yes"}})
    problems, _ = lint_file(path, DESCRIBE_INSTANCE)
    assert checks(problems) == ["success-body-invalid"]
    assert "Instance/InboundCallsEnabled" in problems[0].message


def test_a_cassette_s_own_metadata_wins_over_the_operation_given(tmp_path: Path) -> None:
    metadata = {"operation": {"service": "connect", "name": "ListInstances"}}
    path = cassette(tmp_path, "named", {"Instance": INSTANCE}, metadata)
    assert checks(lint_paths([path], DESCRIBE_INSTANCE).problems) == ["wrong-operation"]


def test_the_lint_command_takes_service_and_operation(tmp_path: Path) -> None:
    cassette(tmp_path, "describe", {"Instance": INSTANCE})
    runner = CliRunner()
    given = runner.invoke(main, ["lint", "--operation", "DescribeInstance", str(tmp_path)])
    assert given.exit_code == 0, given.output
    default = runner.invoke(main, ["lint", str(tmp_path)])
    assert default.exit_code == 1 and "[wrong-operation]" in default.output
    glob = runner.invoke(main, ["lint", "--operation", "Describe*", str(tmp_path)])
    assert glob.exit_code == 2 and "name one" in glob.output
