"""How each client under test is started: the four built-in AWS clients, or a user's command."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import connect_contract
from connect_contract.atomic import write_atomic
from connect_contract.client.adapters.awscli_adapter import find_aws
from connect_contract.client.adapters.protocol import Command
from connect_contract.model import load_service_model
from connect_contract.operations import load_raw

BUILTIN = ("boto3", "awscli", "js", "js-v2")
# Run when no client is named (pytest tests/conformance): the ones that pass every required vector.  js-v2,
# the legacy SDK, fails the error-type rules for genuine reasons (docs/client-checks.md, client matrix):
# named explicitly.
DEFAULT_CLIENTS = ("boto3", "awscli", "js")
JS_PACKAGE = "@aws-sdk/client-connect"
JS_ADAPTER = Path(__file__).resolve().parent / "js" / "adapter.cjs"
JS_V2_PACKAGE = "aws-sdk"
JS_V2_ADAPTER = Path(__file__).resolve().parent / "js_v2" / "adapter.cjs"
API_MODEL_VARIABLE = "CONNECT_CONTRACT_API_MODEL"
# botocore's model of the named service, for adapters that need shape types to decode the documented
# encoding (the JS SDK v3 adapter: which strings are timestamps, which are base64 blobs).
SHAPES_VARIABLE = "CONNECT_CONTRACT_SHAPES"


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


def _node_client(name: str, adapter: Path, package: str, env: dict[str, str] | None = None) -> ClientSpec:
    modules = node_modules()
    node = shutil.which("node")
    command = [node or "node", str(adapter)]
    spec = ClientSpec(name, command, env={"NODE_PATH": str(modules), **(env or {})})
    if node is None:
        return ClientSpec(spec.name, command, unavailable="node is not on PATH (install Node.js 18+)")
    if not (modules / package).is_dir():
        return ClientSpec(
            spec.name,
            command,
            env=spec.env,
            unavailable=f"{package} is not installed in {modules}: run `npm ci` in the repository "
            "(or set CONNECT_CONTRACT_NODE_MODULES)",
        )
    return spec


def botocore_model_file(service: str = "connect") -> Path:
    """botocore's model of ``service`` as a JSON file a non-Python client can load.

    Kept in the user's cache directory (like the Hypothesis store), named by a hash of its content: a
    botocore upgrade writes a new file, and concurrent runs never see a half-written one (atomic replace)."""
    model = load_service_model() if service == "connect" else load_raw(service)
    text = json.dumps(model, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "connect-contract" / "models"
    path = cache / f"{service}-service-2-{digest}.json"
    if not path.is_file():
        write_atomic(path, text)
    return path


def _js_v2() -> ClientSpec:
    # The v2 SDK's own Connect model predates the operation: the adapter builds its client from botocore's.
    env = {API_MODEL_VARIABLE: str(botocore_model_file()), "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"}
    return _node_client("js-v2", JS_V2_ADAPTER, JS_V2_PACKAGE, env)


def builtin_client(name: str) -> ClientSpec:
    if name == "boto3":
        return _python_module("boto3", "boto3_adapter")
    if name == "awscli":
        spec = _python_module("awscli", "awscli_adapter")
        if find_aws() is None:
            return ClientSpec(spec.name, spec.command, unavailable="the aws command was not found (pip install awscli)")
        return spec
    if name == "js":
        return _node_client("js", JS_ADAPTER, JS_PACKAGE)
    if name == "js-v2":
        return _js_v2()
    raise ValueError(f"unknown built-in client {name!r} (choose from {', '.join(BUILTIN)})")


def command_client(command: str, *, name: str = "custom", persistent: bool = False) -> ClientSpec:
    return ClientSpec(name, command, persistent=persistent)
