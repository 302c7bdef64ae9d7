"""``contracts generate|openapi`` with ``--service``/``--operation``: any operation, one-line usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from connect_contract.cli import main
from connect_contract.contracts.ondemand import CACHE_ENV, operation_files
from connect_contract.operations import ServiceOperation, load_service_operation
from connect_contract.operations.options import operation_options


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_generate_writes_any_operation_to_out(tmp_path: Path) -> None:
    code, out, _ = invoke(
        "contracts", "generate", "--service", "lambda", "--operation", "Invoke", "--out", str(tmp_path)
    )
    assert code == 0, out
    directory = tmp_path / "lambda" / "Invoke"
    written = {str(p.relative_to(directory)): p.read_text() for p in directory.rglob("*.json")}
    assert written == operation_files(load_service_operation("lambda", "Invoke"))
    # Regenerating changes nothing.
    code, out, _ = invoke(
        "contracts", "generate", "--service", "lambda", "--operation", "Invoke", "--out", str(tmp_path)
    )
    assert code == 0 and "(0 file(s) changed)" in out


def test_generate_with_a_glob_fills_the_cache(tmp_path: Path) -> None:
    code, out, _ = invoke(
        "contracts",
        "generate",
        "--service",
        "mediastore-data",
        "--operation",
        "*Object",
        env={CACHE_ENV: str(tmp_path)},
    )
    assert code == 0, out
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "mediastore-data:DeleteObject",
        "mediastore-data:DescribeObject",
        "mediastore-data:GetObject",
        "mediastore-data:PutObject",
    ]
    assert all(Path(line.split()[1]).is_relative_to(tmp_path) for line in lines)
    assert (Path(lines[2].split()[1]) / "request" / "path.schema.json").is_file()


def test_openapi_prints_the_service_document(tmp_path: Path) -> None:
    code, out, _ = invoke("contracts", "openapi", "--service", "mediastore-data")
    assert code == 0
    document = json.loads(out)
    validate(document)
    assert len([m for path in document["paths"].values() for m in path]) == 5
    target = tmp_path / "one.json"
    code, _, err = invoke(
        "contracts", "openapi", "--service", "connect", "--operation", "DescribeInstance", "--out", str(target)
    )
    assert code == 0 and "1 operation(s)" in err
    assert list(json.loads(target.read_text())["paths"]) == ["/instance/{InstanceId}"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service", "s3"], "speaks 'rest-xml'"),
        (["--service", "dynamodb"], "speaks 'json'"),
        (["--service", "nope"], "unknown service 'nope'"),
        (["--operation", "DescribeInstanc"], "did you mean DescribeInstance"),
        (["--operation", "Zzz*"], "matches 'Zzz*'"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "openapi"])
def test_bad_selection_is_a_usage_error(command: str, args: list[str], message: str) -> None:
    code, _, err = invoke("contracts", command, *args)
    assert code == 2
    error_lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and message in error_lines[0]
    assert "Traceback" not in err


def test_option_pair_can_insist_on_one_operation() -> None:
    @click.command()
    @operation_options(many=False)
    def show(operations: tuple[ServiceOperation, ...]) -> None:
        click.echo(operations[0].name)

    runner = CliRunner()
    assert runner.invoke(show, []).output.strip() == "UpdateParticipantAuthentication"
    assert runner.invoke(show, ["--service", "lambda", "--operation", "Invoke"]).output.strip() == "Invoke"
    refused = runner.invoke(show, ["--operation", "List*"])
    assert refused.exit_code == 2 and "name one" in refused.output
