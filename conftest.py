"""Root conftest: the harness's own pytest plugin is loaded through its entry point
(``connect_contract.pytest_plugin``), so nothing is registered here twice.  ``pytester`` tests the
plugin in temporary projects (tests/test_pytest_plugin.py)."""

pytest_plugins = ["pytester"]
collect_ignore_glob = ["benchmarks/*", "node_modules/*", ".venv/*"]
