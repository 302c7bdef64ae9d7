"""Servers shared by the cassette tests: one per configuration per session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.credentials import Credentials
from cassette_support import ACCESS_KEY, SECRET_KEY

from connect_contract.mock import MockConfig, running_mock


@pytest.fixture(scope="session")
def credentials() -> Credentials:
    return Credentials(ACCESS_KEY, SECRET_KEY)


@pytest.fixture(scope="session")
def sigv4_mock() -> Iterator[str]:
    """The reference mock, verifying SigV4 signatures: recording really exercises signing."""
    with running_mock(MockConfig(auth="sigv4", credentials={ACCESS_KEY: SECRET_KEY})) as url:
        yield url


@pytest.fixture(scope="session")
def plain_mock() -> Iterator[str]:
    with running_mock() as url:
        yield url


@pytest.fixture
def isolated_aws_env(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user AWS configuration or instance metadata may leak into a test."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
