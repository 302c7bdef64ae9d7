"""The mock through real boto3 over 127.0.0.1: success, and every modeled error via fault injection."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from mock_support import Mock

from connect_contract.model import load_operation

OP = load_operation()


def test_success_answers_200_with_request_id(lenient: Mock) -> None:
    result = lenient.client().update_participant_authentication(InstanceId="i-1", State="s", Code="c")
    meta = result["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"]
    assert meta["HTTPHeaders"]["content-type"] == "application/json"


@pytest.mark.parametrize("error", OP.errors, ids=lambda e: e.name)
def test_injected_modeled_error_maps_to_its_boto3_class(lenient: Mock, error: object) -> None:
    name, status = error.name, error.status  # type: ignore[attr-defined]
    assert lenient.control("POST", "faults", {"error": name, "message": f"boom {name}"}).status_code == 201
    client = lenient.client()
    with pytest.raises(ClientError) as caught:
        client.update_participant_authentication(InstanceId="i-1", State="s", Code="c")
    exc = caught.value
    assert type(exc) is getattr(client.exceptions, name)
    assert exc.response["Error"]["Code"] == name
    assert exc.response["Error"]["Message"] == f"boom {name}"
    assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert exc.response["ResponseMetadata"]["RequestId"]
    # the fault was consumed: the next call succeeds
    assert client.update_participant_authentication(InstanceId="i-1", State="s", Code="c")
