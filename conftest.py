"""Root conftest: the harness's own pytest plugin is loaded through its entry point
(``connect_contract.pytest_plugin``), so nothing is registered here twice.  ``pytester`` tests the
plugin in temporary projects (tests/test_pytest_plugin.py)."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]
collect_ignore_glob = ["benchmarks/*", "node_modules/*", ".venv/*"]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (addopts) means one worker per core (xdist's own count), except where workers cannot pay:

    - in a pytest that a test started from inside an xdist worker (the front-door tests run
      ``pytest tests/conformance`` in this repository): it stays serial, as it was, rather than spawning
      workers of its own on cores already busy;
    - for one test file (``pytest tests/x.py -x``): ``--dist loadfile`` keeps a file on one worker, so
      workers would only add their start-up.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return 0
    files = {arg.split("::", 1)[0] for arg in config.args}
    if len(files) == 1 and next(iter(files)).endswith(".py"):
        return 0
    return None
