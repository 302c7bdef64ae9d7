"""The contracts: generated documents (from the model) and hand-written vectors (data files).

Runtime code asks this module, never the files on disk, for the generated documents: they are
derived from the installed model in memory, and ``connect-contract contracts check`` guarantees
the committed copies under ``contracts/`` are identical.  Vectors and scenarios are data files
that live beside them (``contracts/vectors/``) and are found with :func:`data_dir`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from connect_contract.contracts.generate import (
    ERROR_TYPE_HEADER,
    REQUEST_ID_HEADER,
    Document,
    build_documents,
)
from connect_contract.model import load_operation

__all__ = [
    "ERROR_TYPE_HEADER",
    "REQUEST_ID_HEADER",
    "data_dir",
    "documents",
    "error_validator",
    "load_data",
    "openapi",
    "request_validator",
    "response_validator",
    "sensitive_request_members",
]


@cache
def documents() -> dict[str, Document]:
    return build_documents(load_operation())


def openapi() -> Document:
    return documents()["openapi.json"]


@cache
def request_validator() -> Draft202012Validator:
    return Draft202012Validator(documents()["request.schema.json"])


@cache
def response_validator() -> Draft202012Validator:
    return Draft202012Validator(documents()["response.schema.json"])


@cache
def error_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(documents()[f"errors/{name}.schema.json"])


@cache
def sensitive_request_members() -> frozenset[str]:
    return frozenset(documents()["sensitive.json"]["request"])


def data_dir() -> Path:
    """Where the contract files live: the wheel's bundled copy, else the repository's ``contracts/``."""
    bundled = Path(__file__).resolve().parent.parent / "_contracts"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[3] / "contracts"


def load_data(relative: str) -> Any:
    """A JSON data file from the contracts directory (vectors, scenarios)."""
    with (data_dir() / relative).open(encoding="utf-8") as handle:
        return json.load(handle)
