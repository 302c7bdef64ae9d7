"""How each client under test is started: the three built-in AWS clients, or a user's command."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import connect_contract
from connect_contract.client.adapters.awscli_adapter import find_aws
from connect_contract.client.adapters.protocol import Command

BUILTIN = ("boto3", "awscli", "js")
JS_PACKAGE = "@aws-sdk/client-connect"
JS_ADAPTER = Path(__file__).resolve().parent / "js" / "adapter.cjs"


@dataclass(frozen=True)
class ClientSpec:
    """A client to check.  ``unavailable`` explains why it cannot run (every vector then breaks)."""

    name: str
    command: Command
    persistent: bool = True
    env: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None


def repo_root() -> Path:
    """The repository of an editable install (``src/connect_contract`` -> the repository)."""
    return Path(connect_contract.__file__).resolve().parents[2]


def node_modules() -> Path:
    """CONNECT_CONTRACT_NODE_MODULES, else the repository's node_modules (editable install), else ./node_modules."""
    configured = os.environ.get("CONNECT_CONTRACT_NODE_MODULES")
    if configured:
        return Path(configured)
    candidates = [repo_root() / "node_modules", Path.cwd() / "node_modules"]
    return next((c for c in candidates if (c / JS_PACKAGE).is_dir()), candidates[0])


def _python_module(name: str, module: str) -> ClientSpec:
    return ClientSpec(name, [sys.executable, "-m", f"connect_contract.client.adapters.{module}"])


def _js() -> ClientSpec:
    modules = node_modules()
    node = shutil.which("node")
    command = [node or "node", str(JS_ADAPTER)]
    spec = ClientSpec("js", command, env={"NODE_PATH": str(modules)})
    if node is None:
        return ClientSpec(spec.name, command, unavailable="node is not on PATH (install Node.js 18+)")
    if not (modules / JS_PACKAGE).is_dir():
        return ClientSpec(
            spec.name,
            command,
            env=spec.env,
            unavailable=f"{JS_PACKAGE} is not installed in {modules}: run `npm ci` in the repository "
            "(or set CONNECT_CONTRACT_NODE_MODULES)",
        )
    return spec


def builtin_client(name: str) -> ClientSpec:
    if name == "boto3":
        return _python_module("boto3", "boto3_adapter")
    if name == "awscli":
        spec = _python_module("awscli", "awscli_adapter")
        if find_aws() is None:
            return ClientSpec(spec.name, spec.command, unavailable="the aws command was not found (pip install awscli)")
        return spec
    if name == "js":
        return _js()
    raise ValueError(f"unknown built-in client {name!r} (choose from {', '.join(BUILTIN)})")


def command_client(command: str, *, name: str = "custom", persistent: bool = False) -> ClientSpec:
    return ClientSpec(name, command, persistent=persistent)
