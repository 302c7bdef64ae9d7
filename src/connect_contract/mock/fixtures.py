"""pytest fixtures for any test that needs the reference mock (loaded by connect_contract.pytest_plugin).

``mock_url``: one lenient, unauthenticated mock per test session (per xdist worker), on a free port.
``mock_reset``: the same URL, with faults, sessions and captured requests cleared before the test.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    from connect_contract.mock import running_mock

    with running_mock() as url:
        yield url


@pytest.fixture
def mock_reset(mock_url: str) -> str:
    request = urllib.request.Request(f"{mock_url}/_mock/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    return mock_url
