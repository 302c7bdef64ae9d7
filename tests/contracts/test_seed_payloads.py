"""The seed Dart client's payloads validate against the request schema; their broken variants don't.

The payload keys are read from the seed documentation itself (its ``$payload`` map), so this test
also proves the seed client and botocore's model agree on member names and optionality.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from connect_contract.contracts import request_validator

SEED = Path(__file__).parent / "data" / "update-participant-authentication.dart-client-doc.txt"
ALWAYS = re.compile(r"^\s*'(\w+)': \w+,$", re.M)
WHEN_NOT_NULL = re.compile(r"^\s*if \((\w+) != null\) '(\w+)': \w+,$", re.M)


def seed_keys() -> tuple[list[str], list[str]]:
    text = SEED.read_text(encoding="utf-8")
    return ALWAYS.findall(text), [key for _, key in WHEN_NOT_NULL.findall(text)]


def test_seed_client_matches_the_model() -> None:
    required, optional = seed_keys()
    schema = request_validator().schema
    assert sorted(required) == sorted(schema["required"])
    assert sorted(required + optional) == sorted(schema["properties"])


def _valid(key: str) -> str:
    return {"InstanceId": "12345678-aaaa-bbbb-cccc-123456789012", "State": "state-from-cognito"}.get(
        key, f"{key.lower()}-value"
    )


def seed_payloads() -> dict[str, dict[str, Any]]:
    """What the seed client sends: required members always, each optional member only when given."""
    required, optional = seed_keys()
    base = {key: _valid(key) for key in required}
    payloads = {"required-only": base}
    payloads["with-code"] = {**base, "Code": _valid("Code")}
    payloads["with-error"] = {**base, "Error": "access_denied"}
    payloads["with-error-and-description"] = {**base, "Error": "access_denied", "ErrorDescription": "User said no"}
    assert set().union(*payloads.values()) == set(required + optional)
    return payloads


BROKEN = {
    "null-optional": lambda p: {**p, "Code": None},
    "wrong-casing": lambda p: {("instanceId" if k == "InstanceId" else k): v for k, v in p.items()},
    "extra-key": lambda p: {**p, "Extra": "x"},
    "too-long": lambda p: {**p, "State": "s" * 1001},
    "empty-string": lambda p: {**p, "InstanceId": ""},
    "pattern-violation": lambda p: {**p, "Error": 'has "quote'},
    "non-ascii-in-error": lambda p: {**p, "Error": "café"},
    "wrong-type": lambda p: {**p, "State": 123},
    "missing-required": lambda p: {k: v for k, v in p.items() if k != "State"},
}


@pytest.mark.parametrize("name", sorted(seed_payloads()))
def test_seed_payload_validates(name: str) -> None:
    errors = list(request_validator().iter_errors(seed_payloads()[name]))
    assert errors == []


@pytest.mark.parametrize("payload_name", sorted(seed_payloads()))
@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_broken_variant_is_rejected(payload_name: str, variant: str) -> None:
    broken = BROKEN[variant](seed_payloads()[payload_name])
    assert not request_validator().is_valid(broken)


def test_length_counts_code_points_not_bytes() -> None:
    payload = {**seed_payloads()["required-only"], "Code": "\U0001f600" * 2048}
    assert request_validator().is_valid(payload)
    assert not request_validator().is_valid({**payload, "Code": "\U0001f600" * 2049})
