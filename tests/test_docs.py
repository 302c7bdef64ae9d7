"""The manual (docs/, mkdocs.yml) and the README: the site builds with warnings as errors, and the examples
in them are held to the real thing -- every `connect-contract` option shown in a shell block exists on that
command, every Python block compiles, every JSON/YAML block parses, every repository path named exists.

(Examples that run end to end are run where they are documented: the replay example in
tests/cassettes/test_cassette_replay.py, the `st run` line in tests/test_cli.py, the adapters in
tests/client/test_check_client_cli.py.)"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
DOCUMENTS = [ROOT / "README.md", *PAGES]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Backticked repository paths the manual names (placeholders such as <Name> or globs are not paths).
_PATH = re.compile(r"`((?:src|tests|benchmarks|examples|contracts|tools|\.github)/[^`\s<>*{}…]+)`")


def blocks(language: str) -> Iterator[tuple[str, str]]:
    """(where, code) of every fenced block in that language, in every document."""
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if match[1] == language:
                line = text.count("\n", 0, match.start()) + 1
                yield f"{document.relative_to(ROOT)}:{line}", match[2]


def test_the_manual_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")]
    result = subprocess.run(
        [*command, "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,  # pymdownx.snippets reads docs/generated/ relative to the working directory
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "WARNING" not in result.stderr, result.stderr[-4000:]
    html = {page: page.read_text(encoding="utf-8") for page in site.rglob("*.html")}
    unresolved = [page for page, text in html.items() if "--8&lt;--" in text or "--8<--" in text]
    assert not unresolved  # every snippet was included
    moto = (site / "moto" / "index.html").read_text(encoding="utf-8")
    assert "first failure of each" in moto and "DescribeInstance" in moto  # the generated table is in the page
    clients = (site / "client-checks" / "index.html").read_text(encoding="utf-8")
    assert "Per (side, location, type) pair" in clients and "header-beats-body-code" in clients


def _logical_lines(code: str) -> Iterator[str]:
    """Shell lines with backslash continuations joined."""
    yield from code.replace("\\\n", " ").splitlines()


def _calls(line: str, program: str) -> Iterator[list[str]]:
    """The words after ``program`` of each call of it on a shell line (pipes, &&, ; and & end a command)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token and set(token) <= set("();<>|&"):
            while words and "=" in words[0] and not words[0].startswith("-"):
                words.pop(0)  # VARIABLE=value prefixes
            if words and (words[0] == program or words[0].endswith("/" + program)):
                yield words[1:]
            words = []
        else:
            words.append(token)


def _command_for(words: list[str]) -> tuple[click.Command, list[str]]:
    from connect_contract.cli import main

    command: click.Command = main
    rest = list(words)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(click.Context(command), rest[0])
        assert sub is not None, f"no command {rest[0]!r} under {command.name}"
        command, rest = sub, rest[1:]
    return command, rest


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names |= {*param.opts, *param.secondary_opts}
    return names


def test_every_connect_contract_option_shown_in_a_shell_block_exists() -> None:
    checked = 0
    for where, code in [*blocks("bash")]:
        for line in _logical_lines(code):
            for words in _calls(line, "connect-contract"):
                command, rest = _command_for(words)
                known = _options(command)
                for word in rest:
                    option = word.strip("[]").split("=", 1)[0]
                    if option.startswith("--"):
                        assert option in known, f"{where}: `connect-contract {' '.join(words)}`: {option} is no option"
                        checked += 1
    assert checked > 80  # the manual shows that many options: a parser that found none would prove nothing


def test_every_python_block_compiles() -> None:
    found = list(blocks("python"))
    assert len(found) >= 8
    for where, code in found:
        compile(code, where, "exec")


def test_every_json_and_yaml_block_parses() -> None:
    for where, code in blocks("json"):
        for line in code.splitlines():  # the adapter protocol's block: one JSON object per line
            assert isinstance(json.loads(line), dict), where
    yamls = list(blocks("yaml"))
    assert yamls
    for where, code in yamls:
        assert yaml.safe_load(code), where


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_repository_path_a_page_names_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    named = {p.rstrip(".,;:)") for p in _PATH.findall(text)}
    # a module may be named from the package (`contracts/parts.py` is src/connect_contract/contracts/parts.py)
    missing = [p for p in named if not (ROOT / p).exists() and not (ROOT / "src" / "connect_contract" / p).exists()]
    assert not missing, missing


def test_the_readme_links_into_the_manual() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme) if "://" not in t]
    assert {f"docs/{page.name}" for page in PAGES if page.parent.name == "docs"} <= {*targets, "docs/index.md"}
    assert all((ROOT / target).exists() for target in targets), targets


def test_every_pytest_option_shown_in_a_shell_block_exists(pytestconfig: pytest.Config) -> None:
    """The pytest front door's lines: each option is pytest's or the installed plugin's (loaded in this session)."""
    checked = 0
    for where, code in blocks("bash"):
        for line in _logical_lines(code):
            for words in _calls(line, "pytest"):
                for option in (w.split("=", 1)[0] for w in words if w.startswith("--")):
                    try:
                        pytestconfig.getoption(option)
                    except ValueError:
                        pytest.fail(f"{where}: `pytest {' '.join(words)}`: {option} is no option")
                    checked += 1
    assert checked > 8
