"""The generated contracts: deterministic, valid documents, and a drift gate that really fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from connect_contract.cli import main
from connect_contract.contracts import data_dir, documents
from connect_contract.contracts.files import check_contracts, expected_files, write_contracts

REPO_CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_data_dir_is_the_repository_contracts() -> None:
    assert data_dir() == REPO_CONTRACTS


def test_committed_contracts_match_the_installed_model() -> None:
    assert check_contracts(REPO_CONTRACTS) == []


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = write_contracts(tmp_path)
    snapshot = {p: (tmp_path / p).read_bytes() for p in first}
    assert write_contracts(tmp_path) == []
    assert {p: (tmp_path / p).read_bytes() for p in first} == snapshot
    assert expected_files() == expected_files()


def test_generate_command_writes_every_document(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["contracts", "generate", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.json"))
    assert written == sorted(expected_files())
    assert len([p for p in written if p.startswith("errors/")]) == 6


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d["properties"]["InstanceId"].update(maxLength=101), id="changed-limit"),
        pytest.param(lambda d: d["required"].remove("State"), id="dropped-required"),
        pytest.param(lambda d: d["properties"].pop("ErrorDescription"), id="dropped-member"),
    ],
)
def test_check_fails_with_a_readable_diff_on_a_tampered_copy(tmp_path: Path, tamper: object) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(REPO_CONTRACTS, copy)
    target = copy / "request.schema.json"
    document = json.loads(target.read_text())
    tamper(document)  # type: ignore[operator]
    target.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")

    result = CliRunner().invoke(main, ["contracts", "check", "--dir", str(copy)])

    assert result.exit_code == 1
    assert "--- committed/request.schema.json" in result.output
    assert "+++ model/request.schema.json" in result.output
    assert "drifted" in result.output


def test_check_reports_a_missing_file(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(REPO_CONTRACTS, copy)
    (copy / "errors" / "ConflictException.schema.json").unlink()
    result = CliRunner().invoke(main, ["contracts", "check", "--dir", str(copy)])
    assert result.exit_code == 1
    assert "/dev/null" in result.output


def test_openapi_fragment_is_valid_openapi_31() -> None:
    validate(documents()["openapi.json"])


def test_openapi_describes_both_400_errors_and_every_status() -> None:
    responses = documents()["openapi.json"]["paths"]["/contact/update-participant-authentication"]["post"]["responses"]
    assert sorted(responses) == ["200", "400", "403", "409", "429", "500"]
    header = responses["400"]["headers"]["X-Amzn-Errortype"]
    assert header["required"] is True
    assert sorted(header["schema"]["enum"]) == ["InvalidParameterException", "InvalidRequestException"]
    assert len(responses["400"]["content"]["application/json"]["schema"]["anyOf"]) == 2


@pytest.mark.parametrize("name", sorted(p for p in documents() if p.endswith(".schema.json")))
def test_every_schema_passes_its_meta_schema(name: str) -> None:
    Draft202012Validator.check_schema(documents()[name])


def test_sensitive_members_listed_as_data() -> None:
    assert documents()["sensitive.json"]["request"] == ["Code", "Error", "ErrorDescription"]
