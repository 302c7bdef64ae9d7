"""The public face: a cheap ``import connect_contract``, typed results, users' own checks, no CLI in the library."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import connect_contract
from connect_contract import registry
from connect_contract.client.scripted_server import Captured
from connect_contract.server.transport import Exchange

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "connect_contract"
HEAVY = ("vcr", "uvicorn", "botocore", "boto3", "schemathesis", "hypothesis", "rich", "starlette", "jsonschema")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_cli(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("cli", "__main__")


LIBRARY = sorted(
    name
    for name in map(_module_name, PACKAGE.rglob("*.py"))
    if not _is_cli(name) and ".client.adapters." not in f"{name}."  # adapters are separate programs
)


def test_import_connect_contract_loads_nothing_heavy() -> None:
    probe = "import sys; import connect_contract; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert not set(loaded) & set(HEAVY), loaded


def test_public_modules_declare_all_and_every_name_resolves() -> None:
    for module in ("connect_contract", "connect_contract.api", "connect_contract.registry"):
        imported = importlib.import_module(module)
        assert imported.__all__, module
        for name in imported.__all__:
            assert getattr(imported, name) is not None, f"{module}.{name}"
    assert connect_contract.check is connect_contract.api.check
    assert isinstance(connect_contract.__version__, str)


def test_no_library_module_imports_a_cli_module_anywhere() -> None:
    """Not at import time and not inside a function: the library works without click's front end."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        if name not in LIBRARY:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            offenders += [f"{name} imports {t}" for t in targets if t.startswith("connect_contract") and _is_cli(t)]
    assert not offenders


def test_importing_every_library_module_loads_no_cli_module() -> None:
    probe = (
        "import importlib, sys\n"
        f"for name in {LIBRARY!r}:\n"
        "    importlib.import_module(name)\n"
        "    cli = [m for m in sys.modules if m.startswith('connect_contract') and m.rsplit('.', 1)[-1] == 'cli']\n"
        "    assert not cli, (name, cli)\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=ROOT)


def test_the_wheel_ships_the_py_typed_marker(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (the build backend)")
    assert (PACKAGE / "py.typed").is_file()
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*command, "-w", str(tmp_path)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("connect_contract-*.whl")
    assert "connect_contract/py.typed" in zipfile.ZipFile(wheel).namelist()


class _AlwaysFiveHundred(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def broken_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AlwaysFiveHundred)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_passes_the_built_in_mock_with_a_typed_result() -> None:
    """Vectors only: the generated phase is the engine's, proven by the check command's own tests."""
    result = connect_contract.check(generated=False)
    assert isinstance(result, connect_contract.ServerResult)
    assert result.ok and result.failed == () and result.stopped is None
    assert result.details.vector_cases == 98 and result.details.generated_cases == 0


def test_check_fails_a_server_that_answers_500(broken_endpoint: str) -> None:
    result = connect_contract.check(broken_endpoint, generated=False)
    assert not result.ok
    assert {"no_server_error", "rejects_invalid", "accepts_valid"} <= set(result.failed)


def test_check_refuses_bad_input_with_one_clear_error() -> None:
    with pytest.raises(ValueError, match="port"):
        connect_contract.check("http://127.0.0.1:99999")
    with pytest.raises(ValueError, match="ListUserz"):
        connect_contract.check("http://127.0.0.1:4566", operation="ListUserz")


@pytest.fixture
def clean_registry() -> Iterator[None]:
    yield
    for name in ("x_amz_apigw_id", "soft_x_amz_apigw_id", "our.user-agent"):
        registry.unregister(name)


def _no_apigw_header(exchange: Exchange) -> str | None:
    """Answers carry x-amz-apigw-id (an API Gateway front end; the reference mock has none)."""
    assert exchange.response is not None  # applies only to answered exchanges
    return None if "x-amz-apigw-id" in exchange.response.headers else "no x-amz-apigw-id header"


def test_a_user_server_check_runs_and_fails_the_run(clean_registry: None) -> None:
    connect_contract.server_check(id="x_amz_apigw_id", level="required")(_no_apigw_header)
    result = connect_contract.check(generated=False)
    assert not result.ok and result.failed == ("x_amz_apigw_id",)
    assert result.details.checks["x_amz_apigw_id"].failure_count == 98


def test_a_recommended_user_check_fails_only_a_strict_run(clean_registry: None) -> None:
    connect_contract.server_check(id="soft_x_amz_apigw_id", level="recommended")(_no_apigw_header)
    assert connect_contract.check(generated=False).ok
    assert connect_contract.check(generated=False, strict=True).failed == ("soft_x_amz_apigw_id",)


def test_user_checks_must_not_shadow_built_in_ones() -> None:
    with pytest.raises(ValueError, match="built-in"):
        connect_contract.server_check(id="no_server_error")
    with pytest.raises(ValueError, match="level"):
        connect_contract.server_check(id="mine", level="optional")  # type: ignore[arg-type]


HOOKS_MODULE = """
import connect_contract

@connect_contract.server_check(id="x_amz_apigw_id")
def x_amz_apigw_id(exchange):
    return None if "x-amz-apigw-id" in exchange.response.headers else "no x-amz-apigw-id header"
"""


def test_the_command_line_loads_user_checks_from_connect_contract_hooks(tmp_path: Path) -> None:
    (tmp_path / "my_checks.py").write_text(HOOKS_MODULE)
    env = {**os.environ, "CONNECT_CONTRACT_HOOKS": "my_checks", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "connect_contract", "check", "--max-examples", "1"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "x_amz_apigw_id" in done.stdout


def _user_agent(vector: object, captured: list[Captured], result: object) -> str | None:
    agents = [value for name, value in captured[0].headers if name.lower() == "user-agent"] if captured else []
    return None if any("myapp/" in agent for agent in agents) else "no myapp/ in User-Agent"


def test_a_user_client_rule_runs_and_fails_the_client(clean_registry: None) -> None:
    passing = connect_contract.check_client("boto3", vectors=["request.required-only"])
    assert isinstance(passing, connect_contract.ClientResult) and passing.ok
    connect_contract.client_rule(id="our.user-agent")(_user_agent)
    failing = connect_contract.check_client("boto3", vectors=["request.required-only"])
    assert not failing.ok and failing.failed == {"boto3": ("request.required-only",)}
    (judgement,) = failing.judgements("boto3").values()
    assert [check.rule for check in judgement.failures] == ["our.user-agent"]


def test_check_client_refuses_an_unknown_client_or_none() -> None:
    with pytest.raises(ValueError, match="unknown built-in client"):
        connect_contract.check_client("nope")
    with pytest.raises(ValueError, match="name a client"):
        connect_contract.check_client()
