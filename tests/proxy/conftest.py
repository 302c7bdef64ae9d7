"""Upstreams shared by the proxy tests: the reference mock and the any-operation upstream."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # proxy_support, anyop_upstream

from anyop_upstream import AnyOperationUpstream

from connect_contract.mock import running_mock
from connect_contract.serving import serve_in_thread


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    with running_mock() as url:
        yield url


@pytest.fixture(scope="session")
def anyop_url() -> Iterator[str]:
    with serve_in_thread(AnyOperationUpstream()) as url:
        yield url
