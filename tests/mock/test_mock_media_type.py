"""The mock judges a request's Content-Type by the one protocol fact (protocol.is_json_request_media_type):
``application/json`` exactly, parameters and case aside; other JSON types are 415
(RestJsonWithBodyExpectsApplicationJsonContentType)."""

from __future__ import annotations

import json

import pytest
from mock_support import Mock

from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.mock import responses
from connect_contract.model import load_operation

OP = load_operation()
VALID = json.dumps({m.name: f"sample-{m.name}" for m in OP.required_members} | {"Code": "sample-code"})


@pytest.mark.parametrize("content_type", ["application/hal+json", "application/x-amz-json-1.1", "application/json+x"])
def test_another_json_media_type_is_unsupported(lenient: Mock, content_type: str) -> None:
    response = lenient.post(VALID, {"Content-Type": content_type})
    assert response.status_code == 415
    assert response.headers[ERROR_TYPE_HEADER] == responses.UNSUPPORTED_MEDIA_TYPE


@pytest.mark.parametrize("content_type", ["application/json ; charset=UTF-8", "APPLICATION/json"])
def test_application_json_with_parameters_or_in_any_case_is_accepted(lenient: Mock, content_type: str) -> None:
    response = lenient.post(VALID, {"Content-Type": content_type})
    assert response.status_code == 200, response.text
