"""The model loader exposes what the wire reference says the installed botocore model holds."""

from __future__ import annotations

import re

from connect_contract.model import build_operation, load_operation, load_service_model


def test_operation_binding() -> None:
    op = load_operation()
    assert (op.http_method, op.request_uri) == ("POST", "/contact/update-participant-authentication")
    assert (op.protocol, op.signing_name) == ("rest-json", "connect")


def test_members_required_and_sensitive_come_from_the_model() -> None:
    op = load_operation()
    assert op.member_names == ("State", "InstanceId", "Code", "Error", "ErrorDescription")
    assert {m.name for m in op.required_members} == {"State", "InstanceId"}
    assert {m.name for m in op.sensitive_members} == {"Code", "Error", "ErrorDescription"}
    error = op.member("Error").shape
    assert (error.min_length, error.max_length) == (1, 2048)
    assert error.pattern is not None
    assert re.fullmatch(error.pattern.strip("^$"), 'no "quote') is None


def test_errors_and_statuses() -> None:
    statuses = {e.name: e.status for e in load_operation().errors}
    assert statuses == {
        "InvalidRequestException": 400,
        "InvalidParameterException": 400,
        "ConflictException": 409,
        "InternalServiceException": 500,
        "ThrottlingException": 429,
        "AccessDeniedException": 403,
    }
    reason = load_operation().error("InvalidRequestException").shape.member("Reason").shape
    assert reason.union and reason.members[0].shape.enum


def test_build_operation_is_pure() -> None:
    assert build_operation(load_service_model()) == load_operation()
