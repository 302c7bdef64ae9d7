"""Model patterns are read as the service enforces them, so a valid value is never judged invalid."""

from __future__ import annotations

import re

import pytest

from connect_contract.contracts.parts import validator
from connect_contract.operations import load_service_operation
from connect_contract.operations.patterns import intended_pattern


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        # connect Password: a JavaScript regex literal, unsatisfiable as written
        (
            "/^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)[a-zA-Z\\d\\S]{8,64}$/",
            "^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)[a-zA-Z\\d\\S]{8,64}$",
        ),
        (".*/^[\\d]{12}$/.*", "^[\\d]{12}$"),  # dataexchange CatalogId
        ("\\\\+[1-9]\\\\d{1,14}$", "\\+[1-9]\\d{1,14}$"),  # connect PhoneNumber: the backslash escaped twice
        (".*\\\\S.*", ".*\\S.*"),
        ("^[a-zA-Z0-9_-]+$", "^[a-zA-Z0-9_-]+$"),  # an ordinary pattern is itself
        ("^a\\\\\\\\b$", "^a\\\\\\\\b$"),  # an escaped backslash before a plain letter is left as written
    ],
)
def test_patterns_are_read_as_the_service_means_them(written: str, meant: str) -> None:
    assert intended_pattern(written) == meant


def test_an_e164_number_is_a_valid_phone_number_in_the_request_contract() -> None:
    op = load_service_operation("connect", "StartOutboundVoiceContact")
    body = validator(op, "request/body.schema.json")
    valid = {"DestinationPhoneNumber": "+15555550100", "ContactFlowId": "f", "InstanceId": "i"}
    assert not [e.message for e in body.iter_errors(valid)]
    wrong = {**valid, "DestinationPhoneNumber": "\\\\15555550100"}  # what the pattern as written asks for
    assert list(body.iter_errors(wrong))
    assert re.search(intended_pattern("\\\\+[1-9]\\\\d{1,14}$"), "+15555550100")
