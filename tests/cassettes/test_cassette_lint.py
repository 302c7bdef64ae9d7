"""lint: a catalogue of broken cassettes, each caught by the check meant for it, at the right place."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cassette_support import COMMITTED

from connect_contract.cassettes.lint import FRAMEWORK_ERRORS, lint_paths
from connect_contract.cassettes.persister import load_yaml
from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.model import load_operation

OP = load_operation()
FRAMEWORK = next(iter(FRAMEWORK_ERRORS))  # a protocol-level error, accepted only for malformed requests
MODELED = {e.name for e in OP.errors}


def _committed() -> list[dict[str, Any]]:
    return [load_yaml(p.read_text()) for p in sorted(COMMITTED.rglob("*.yaml"))]


def _pick(success: bool) -> dict[str, Any]:
    """A committed, well-formed cassette whose answer is a 200 (or a modeled error)."""
    for data in _committed():
        if data["metadata"]["scenario"]["malformed"]:
            continue
        status = data["interactions"][0]["response"]["status"]["code"]
        if (status == 200) == success:
            return data
    raise AssertionError("the committed cassettes lack a needed example")


SUCCESS, FAILURE = _pick(True), _pick(False)
Mutation = Callable[[dict[str, Any]], None]


def _request(d: dict[str, Any]) -> dict[str, Any]:
    return d["interactions"][0]["request"]  # type: ignore[no-any-return]


def _response(d: dict[str, Any]) -> dict[str, Any]:
    return d["interactions"][0]["response"]  # type: ignore[no-any-return]


def _set_error_header(value: str | None) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        headers = _response(d)["headers"]
        for name in [n for n in headers if n.lower() == ERROR_TYPE_HEADER.lower()]:
            del headers[name]
        if value is not None:
            headers[ERROR_TYPE_HEADER] = [value]

    return mutate


def _request_body(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        body = json.loads(_request(d)["body"])
        change(body)
        _request(d)["body"] = json.dumps(body)

    return mutate


# (id, base cassette, mutation, expected check)
CATALOGUE: list[tuple[str, dict[str, Any], Mutation, str]] = [
    ("wrong-status-for-type", FAILURE, lambda d: _response(d)["status"].update(code=500), "status-mismatch"),
    ("unknown-error-type", FAILURE, _set_error_header("NoSuchThingException"), "unknown-error-type"),
    ("framework-error-unmarked", FAILURE, _set_error_header(FRAMEWORK), "unknown-error-type"),
    ("no-error-type", FAILURE, _set_error_header(None), "error-type-missing"),
    (
        "error-body-invalid",
        FAILURE,
        lambda d: _response(d)["body"].update(string='{"Message": 42}'),
        "error-body-invalid",
    ),
    ("success-body-invalid", SUCCESS, lambda d: _response(d)["body"].update(string="[]"), "success-body-invalid"),
    (
        "invalid-request-unmarked",
        SUCCESS,
        _request_body(lambda b: b.update({OP.required_members[0].name: ""})),
        "request-invalid",
    ),
    (
        "text-plain-unmarked",
        SUCCESS,
        lambda d: _request(d)["headers"].update({"Content-Type": ["text/plain"]}),
        "request-content-type",
    ),
    ("wrong-operation", SUCCESS, lambda d: _request(d).update(uri="http://127.0.0.1/other"), "wrong-operation"),
    (
        "access-key-in-message",
        FAILURE,
        lambda d: _response(d)["body"].update(string='{"Message": "key AKIAIOSFODNN7EXAMPLE"}'),
        "secret",
    ),
    (
        "sensitive-member-in-clear",
        SUCCESS,
        _request_body(lambda b: b.update({OP.sensitive_members[0].name: "plain-text-value"})),
        "secret",
    ),
    (
        "raw-authorization",
        SUCCESS,
        lambda d: _request(d)["headers"].update(
            {
                "Authorization": [
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/connect/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=" + "3d" * 32
                ]
            }
        ),
        "secret",
    ),
]


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("name", "base", "mutate", "check"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_each_broken_cassette_is_caught_by_its_check(
    tmp_path: Path, name: str, base: dict[str, Any], mutate: Mutation, check: str
) -> None:
    good = _write(tmp_path, "good", base)
    assert lint_paths([good]).problems == []
    broken = copy.deepcopy(base)
    # a second, good interaction first: the problem must be reported at index 1, not 0
    broken["interactions"] = [copy.deepcopy(base["interactions"][0]), broken["interactions"][0]]
    mutate({"interactions": broken["interactions"][1:]})
    path = _write(tmp_path, name, broken)
    problems = lint_paths([path]).problems
    assert {p.check for p in problems} == {check}, [str(p) for p in problems]
    assert {p.index for p in problems} == {1}
    assert all(str(p).startswith(f"{path}: interaction 1: [{check}]") for p in problems)
    assert not [p for p in problems if "AKIAIOSFODNN7EXAMPLE" in str(p) or "plain-text-value" in str(p)]


def test_a_malformed_marked_scenario_may_carry_an_invalid_request(tmp_path: Path) -> None:
    data = copy.deepcopy(SUCCESS)
    _request_body(lambda b: b.update({OP.required_members[0].name: ""}))(data)
    data["metadata"]["scenario"]["malformed"] = True
    _set_error_header(FRAMEWORK)(data)
    _response(data)["status"]["code"] = FRAMEWORK_ERRORS[FRAMEWORK]
    assert lint_paths([_write(tmp_path, "marked", data)]).problems == []


def test_a_file_that_is_not_a_cassette_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("just: some yaml\n")
    (problem,) = lint_paths([tmp_path]).problems
    assert problem.check == "not-a-cassette" and str(problem).startswith(f"{path}: [not-a-cassette]")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_contract", "lint", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    for name, base, mutate, _check in CATALOGUE[:3]:
        data = copy.deepcopy(base)
        mutate(data)
        _write(tmp_path, name, data)
    result = _cli(str(tmp_path))
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 3 and "3 problems" in result.stderr


def test_the_committed_cassettes_lint_clean_as_ci_runs_it() -> None:
    result = _cli(str(COMMITTED))
    assert result.returncode == 0, result.stdout
    count = len(list(COMMITTED.rglob("*.yaml")))
    assert f"{count} cassettes, {count} interactions, 0 problems" in result.stderr


def _type_in_body_only(member: str, value: str) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        _set_error_header(None)(d)
        body = json.loads(_response(d)["body"]["string"])
        _response(d)["body"]["string"] = json.dumps({**body, member: value})

    return mutate


@pytest.mark.parametrize("member", ["code", "Code", "__type"])
def test_an_error_type_in_the_body_is_read_as_clients_read_it(tmp_path: Path, member: str) -> None:
    """botocore reads ``code``, then ``Code`` (``RestJSONParser._inject_error_code``), then ``__type``.

    lint once had its own resolver that skipped ``Code`` and so called such an answer untyped.
    """
    name = _error_header(FAILURE)
    typed = copy.deepcopy(FAILURE)
    _type_in_body_only(member, f"com.amazonaws.connect#{name}:http://internal.amazon.com/")(typed)
    assert lint_paths([_write(tmp_path, "typed", typed)]).problems == []
    unknown = copy.deepcopy(FAILURE)
    _type_in_body_only(member, "NoSuchThingException")(unknown)
    assert {p.check for p in lint_paths([_write(tmp_path, "unknown", unknown)]).problems} == {"unknown-error-type"}


def _error_header(d: dict[str, Any]) -> str:
    headers = _response(d)["headers"]
    return next(str(v[0]) for n, v in headers.items() if n.lower() == ERROR_TYPE_HEADER.lower())
