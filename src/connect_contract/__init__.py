"""connect-contract: contract testing and conformance for AWS rest-json APIs (Amazon Connect first).

The public face (everything else is the engine, free to change):

- :func:`check` / :class:`ServerResult` -- a server's verdict (``connect-contract check``);
- :func:`check_client` / :class:`ClientResult` -- clients' verdicts (``connect-contract check-client``);
- :func:`server_check` / :func:`client_rule` -- register checks and rules of your own;
- the pytest plugin (``--endpoint``, ``--client``, the ``connect_contract_server`` /
  ``connect_contract_client`` markers and the ``connect_contract_config`` fixture).

Names are imported on first use, so ``import connect_contract`` costs almost nothing (the pytest
plugin, loaded in every pytest session of an environment where the package is installed, imports it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connect_contract.api import ClientResult, ServerResult, check, check_client
    from connect_contract.registry import client_rule, server_check

__all__ = ["ClientResult", "ServerResult", "__version__", "check", "check_client", "client_rule", "server_check"]

_LAZY = {
    "check": "connect_contract.api",
    "check_client": "connect_contract.api",
    "ServerResult": "connect_contract.api",
    "ClientResult": "connect_contract.api",
    "server_check": "connect_contract.registry",
    "client_rule": "connect_contract.registry",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("connect-contract")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0.0.0"
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'connect_contract' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
