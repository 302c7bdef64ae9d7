"""The command line's front door: clear help, and usage errors that exit 2 in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connect_contract.cli import COMMANDS

CLI = [sys.executable, "-m", "connect_contract"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("CONNECT_CONTRACT_DEBUG", None)
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option"],
        ["no-such-command"],
        ["contracts", "check", "--bogus"],
        ["contracts", "check", "--dir", "/definitely/not/here"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = root / "README.md"
    first_block = readme.read_text().split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("connect-contract check")
    assert "pytest" in commands[1]
    ci = (root / ".ci" / "run").read_text()
    assert 'eval "$test_command"' in ci
