"""Shared mocks for the reference-mock tests: one server per configuration per session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from mock_support import ACCESS_KEY, SECRET_KEY, Mock

from connect_contract.mock import MockConfig, running_mock


def _mock(config: MockConfig | None) -> Callable[[], Iterator[Mock]]:
    def fixture() -> Iterator[Mock]:
        with running_mock(config) as url:
            yield Mock(url)

    return fixture


lenient_server = pytest.fixture(scope="session")(_mock(None))
stateful_server = pytest.fixture(scope="session")(_mock(MockConfig(mode="stateful")))
sigv4_server = pytest.fixture(scope="session")(_mock(MockConfig(auth="sigv4", credentials={ACCESS_KEY: SECRET_KEY})))
sigv4_pinned_server = pytest.fixture(scope="session")(
    _mock(MockConfig(auth="sigv4", credentials={ACCESS_KEY: SECRET_KEY}, region="eu-west-2"))
)


@pytest.fixture
def lenient(lenient_server: Mock) -> Mock:
    lenient_server.reset()
    return lenient_server


@pytest.fixture
def stateful(stateful_server: Mock) -> Mock:
    stateful_server.reset()
    return stateful_server


@pytest.fixture
def signed(sigv4_server: Mock) -> Mock:
    sigv4_server.reset()
    return sigv4_server
