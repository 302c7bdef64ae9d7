"""The client vectors are data expanded from the model: every modeled error and member is covered, and
the data file itself names none of them."""

from __future__ import annotations

import json
import re

import pytest

from connect_contract.client.adapters.protocol import AdapterResult
from connect_contract.client.judge import judge_response
from connect_contract.client.vectors import VECTORS_FILE, load_vectors
from connect_contract.contracts import data_dir, request_validator
from connect_contract.model import load_operation


def test_vectors_cover_every_error_encoding_and_member_from_the_model() -> None:
    op = load_operation()
    data = json.loads((data_dir() / VECTORS_FILE).read_text())
    ids = {v.id for v in load_vectors()}
    for error in op.errors:
        for encoding in data["error_encodings"]:
            assert f"error.{error.name}.{encoding}" in ids
        assert f"error.{error.name}.header-beats-body-code" in ids
    for member in op.optional_members:
        assert {f"request.optional-alone.{member.name}", f"request.optional-null.{member.name}"} <= ids
    for member in op.input_members:
        assert f"request.max-length.{member.name}" in ids


def test_the_data_file_types_no_operation_fact() -> None:
    op = load_operation()
    text = (data_dir() / VECTORS_FILE).read_text()
    for name in (*op.error_names, *op.member_names, op.request_uri):
        assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} is typed in {VECTORS_FILE}; use the model"


def test_request_vectors_are_valid_inputs_except_explicit_nulls_and_empty_strings() -> None:
    for vector in load_vectors():
        odd = None in vector.input.values() or "" in vector.input.values()
        assert vector.input_valid == (not odd), vector.id
        present = {k: v for k, v in vector.input.items() if v not in (None, "")}
        assert request_validator().is_valid(present), vector.id


def test_every_response_status_comes_from_the_model() -> None:
    statuses = {e.name: e.status for e in load_operation().errors}
    for vector in load_vectors():
        code = vector.expect.code
        if vector.kind == "response" and code in statuses and not vector.id.startswith("error.unknown"):
            assert vector.script.status == statuses[code], vector.id


def test_every_vector_names_the_rule_it_stands_on_and_a_group_shares_one() -> None:
    sources: dict[str, set[str]] = {}
    for vector in load_vectors():
        assert vector.source.strip(), vector.id
        sources.setdefault(vector.group, set()).add(vector.source)
    assert {group: found for group, found in sources.items() if len(found) > 1} == {}


@pytest.mark.parametrize(
    ("encoding", "smithy_test"),
    [
        ("header-namespace-uri", "RestJsonFooErrorUsingXAmznErrorTypeWithUriAndNamespace"),
        ("body-code-namespace-uri", "RestJsonFooErrorUsingCodeUriAndNamespace"),
        ("body-type-namespace-uri", "RestJsonFooErrorWithDunderTypeUriAndNamespace"),
    ],
)
def test_the_uri_and_namespace_encodings_stay_required_and_name_their_smithy_test(
    encoding: str, smithy_test: str
) -> None:
    vectors = [v for v in load_vectors() if v.id.endswith(f".{encoding}")]
    assert len(vectors) == len(load_operation().errors)
    for vector in vectors:
        assert vector.required and vector.source.endswith(f"errors.smithy {smithy_test}"), vector.id


def _error_result(message: str | None) -> AdapterResult:
    return AdapterResult("error", "ConflictException", message)


def test_conflicting_message_members_accept_either_value_and_nothing_else() -> None:
    vector = next(v for v in load_vectors() if v.id == "error.ConflictException.message-both-spellings")
    body = json.loads(vector.script.body)
    assert {"message", "Message"} <= set(body) and body["message"] != body["Message"]
    for served in (body["message"], body["Message"]):
        assert judge_response(vector, _error_result(served), 1) == []
    for other in ("something else", None):
        assert [c.rule for c in judge_response(vector, _error_result(other), 1)] == ["resp.message"]


def test_a_lowercase_only_message_keeps_its_expectation() -> None:
    vector = next(v for v in load_vectors() if v.id == "error.ConflictException.message-lowercase-only")
    body = json.loads(vector.script.body)
    assert set(body) == {"message"}
    assert judge_response(vector, _error_result(body["message"]), 1) == []
    assert [c.rule for c in judge_response(vector, _error_result(None), 1)] == ["resp.message"]
