"""Harness fixes found by ``check --service glacier --operation all --strict`` on the built-in mock.

- A structure payload (glacier InitiateJob's ``jobParameters``) is a JSON body like body members are
  (restJson1 "Content-Type": structure, union and document payloads are ``application/json``): the same
  body sent as ``text/plain``, not JSON, or the JSON text ``null`` is invalid input, so a server that
  rejects it is right (classify_operation called these "valid" and failed the mock's 415/400).
- A paginator whose page-size member is a string (glacier ListJobs' ``limit``) is followed with a string
  (the run crashed with botocore's "Invalid type for parameter limit").
"""

from __future__ import annotations

import json

import pytest

from connect_contract.mock import MockConfig, running_mock
from connect_contract.operations import load_service_operation
from connect_contract.server.classify import classify_operation
from connect_contract.server.runner import Settings, run

INITIATE_JOB = load_service_operation("glacier", "InitiateJob")
URL = "http://127.0.0.1:9/-/vaults/v1/jobs"
JSON = {"Content-Type": "application/json"}
PARAMETERS = json.dumps({"Type": "inventory-retrieval", "Description": "d"}).encode()


@pytest.mark.parametrize(
    ("headers", "body", "intent"),
    [
        (JSON, PARAMETERS, "valid"),
        (JSON, b"{}", "valid"),
        ({}, b"", "valid"),  # the payload is optional: no body at all
        ({"Content-Type": "text/plain"}, PARAMETERS, "invalid"),  # RestJsonWithBodyExpectsApplicationJsonContentType
        ({"Content-Type": "multipart/form-data"}, PARAMETERS, "invalid"),
        (JSON, b"null", "invalid"),  # not an object, as for body members
        (JSON, b"[1]", "invalid"),
        (JSON, b"{not json", "invalid"),
        (JSON, b"   ", "either"),
    ],
)
def test_a_structure_payload_is_judged_as_a_json_body(headers: dict[str, str], body: bytes, intent: str) -> None:
    assert classify_operation(INITIATE_JOB, "POST", URL, headers, body) == intent


def test_a_string_page_size_is_followed_as_a_string() -> None:
    list_jobs = load_service_operation("glacier", "ListJobs")
    with running_mock(MockConfig(services=("glacier",))) as url:
        result = run(Settings(endpoint=url, generated=False, operation=list_jobs))
    assert result.stopped is None
    assert result.checks["pagination_token"].cases > 0 and result.ok(strict=True)
