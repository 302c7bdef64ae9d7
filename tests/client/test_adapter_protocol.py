"""The adapter protocol itself: both modes of the built-in adapters, and every way an adapter can break
(each reported as an adapter failure in bounded time, never as a client verdict)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from connect_contract.client.adapters.awscli_adapter import interpret
from connect_contract.client.adapters.builtin import ClientSpec, builtin_client
from connect_contract.client.adapters.protocol import PersistentAdapter, adapter_env, parse_result, run_one_shot
from connect_contract.client.runner import run_clients, select_vectors
from connect_contract.client.scripted_server import Script, running_scripted_server
from connect_contract.client.vectors import settings
from connect_contract.model import load_operation

SMALL = (
    "request.all-members",
    "request.optional-null.Code",
    "error.ConflictException.header-uri",
    "success.empty-body",
)
PY = sys.executable


def test_builtin_adapters_in_one_shot_mode_pass_the_same_vectors() -> None:
    """The documented one-shot protocol, through the real executables (aws, node), not just the fast mode."""
    specs = [builtin_client(name) for name in ("boto3", "awscli", "js")]
    one_shot = [ClientSpec(s.name, s.command, False, s.env, s.unavailable) for s in specs]
    for run in run_clients(one_shot, select_vectors(SMALL)):
        verdicts = {v: j.verdict for v, j in run.judgements.items()}
        assert all(v in ("pass", "rejected") for v in verdicts.values()), (run.client, verdicts)
        assert run.failed() == []


BROKEN_ADAPTERS = {
    "exits non-zero": f"{PY} -c 'import sys; sys.exit(3)'",
    "prints nothing": f"{PY} -c 'import sys; sys.stdin.read()'",
    "prints garbage": f"{PY} -c 'print(\"<html>not json</html>\")'",
    "unknown outcome": f'{PY} -c \'print("{{\\"outcome\\": \\"maybe\\"}}")\'',
    "error without code": f'{PY} -c \'print("{{\\"outcome\\": \\"error\\"}}")\'',
    "hangs": f"{PY} -c 'import time; time.sleep(60)'",
    "not a command": "/definitely/not/an/adapter",
}


@pytest.mark.parametrize("persistent", [False, True], ids=["one-shot", "persistent"])
def test_every_broken_adapter_is_reported_as_an_adapter_failure(persistent: bool) -> None:
    specs = [ClientSpec(name, command, persistent=persistent) for name, command in BROKEN_ADAPTERS.items()]
    vectors = select_vectors(["request.required-only", "success.empty-object"])
    for run in run_clients(specs, vectors, timeout=1.0, workers=len(specs)):
        for judgement in run.judgements.values():
            assert judgement.verdict == "broken", (run.client, judgement)
            assert judgement.rules == {"adapter"}
        assert run.failed(), f"{run.client}: a broken adapter must fail the run"


def test_a_persistent_adapter_that_dies_is_restarted_for_the_next_vector(tmp_path: Path) -> None:
    # Dies on the first input, then (a fresh process, marker present) answers success to everything.
    marker = tmp_path / "died-once"
    script = tmp_path / "flaky.py"
    script.write_text(
        "import os, sys, json, pathlib\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "for line in sys.stdin:\n"
        "    if not m.exists():\n"
        "        m.write_text('x'); sys.exit(1)\n"
        "    print(json.dumps({'outcome': 'success'}), flush=True)\n"
    )
    spec = ClientSpec("flaky", [sys.executable, str(script)], persistent=True)
    run = run_clients([spec], select_vectors(["success.*"]), timeout=5)[0]
    verdicts = [j.verdict for j in run.judgements.values()]
    assert verdicts[0] == "broken"
    # the request was never sent by this fake adapter, so later vectors fail on req.sent, not on the adapter
    assert all(j.rules == {"req.sent"} for j in list(run.judgements.values())[1:])


def test_unavailable_builtin_client_breaks_every_vector_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECT_CONTRACT_NODE_MODULES", "/nonexistent/node_modules")
    spec = builtin_client("js")
    assert spec.unavailable and "npm ci" in spec.unavailable
    run = run_clients([spec], select_vectors(["success.empty-object"]))[0]
    judgement = run.judgements["success.empty-object"]
    assert judgement.verdict == "broken" and "npm ci" in judgement.failures[0].detail


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"outcome": "success"}', ("success", None, None)),
        ('{"outcome": "error", "code": "X", "message": null}', ("error", "X", None)),
        ('{"outcome": "rejected", "message": "no"}', ("rejected", None, "no")),
        ('{"outcome": "error", "message": "m"}', 'an "error" result needs a string "code"'),
        ('{"outcome": "success", "message": 5}', '"message" must be a string or null'),
        ("[1]", "the result is not a JSON object"),
        ("oops", "the last stdout line is not JSON"),
    ],
)
def test_result_lines_are_parsed_strictly(line: str, expected: object) -> None:
    parsed = parse_result(line)
    if isinstance(expected, str):
        assert parsed == expected
    else:
        assert not isinstance(parsed, str)
        assert (parsed.outcome, parsed.code, parsed.message) == expected


@pytest.mark.parametrize(
    ("returncode", "stderr", "expected"),
    [
        (0, "", {"outcome": "success"}),
        (
            255,
            "\nAn error occurred (ConflictException) when calling the UpdateParticipantAuthentication operation: m\n",
            {"outcome": "error", "code": "ConflictException", "message": "m"},
        ),
        (
            255,
            "An error occurred (500) when calling the X operation (reached max retries: 4): Internal Server Error",
            {"outcome": "error", "code": "500", "message": "Internal Server Error"},
        ),
        (
            255,
            "\nAn error occurred (E) when calling the X operation: \n",
            {"outcome": "error", "code": "E", "message": ""},
        ),
        (255, "\nParameter validation failed:\nInvalid type for parameter Code", {"outcome": "rejected"}),
        (252, "usage: aws ...", {"outcome": "rejected"}),
        (2, "usage: aws ...", {"outcome": "rejected"}),
        (255, "Could not connect to the endpoint URL", {"outcome": "error", "code": "aws-exit-255"}),
    ],
)
def test_aws_cli_exit_status_and_stderr_map_back_to_results(
    returncode: int, stderr: str, expected: dict[str, str]
) -> None:
    result = interpret(returncode, stderr)
    assert {k: result[k] for k in expected} == expected


def test_awscli_persistent_mode_runs_the_same_cli_as_the_aws_command(tmp_path: Path) -> None:
    """In-process, the CLI must run on its own vendored botocore, exactly as the ``aws`` script does.
    Its User-Agent names the botocore version and the retry mode it resolved, so compare them."""
    s, spec = settings(), builtin_client("awscli")
    (tmp_path / "empty").write_text("")
    agents = {}
    with running_scripted_server() as (server, url):
        env = adapter_env(
            url,
            region=s.region,
            access_key_id=s.access_key_id,
            secret_access_key=s.secret_access_key,
            single_attempt=False,
            empty_file=tmp_path / "empty",
        )
        payload = {m.name: "sample" for m in load_operation().required_members}
        for persistent in (False, True):
            token = server.arm(Script())
            if persistent:
                adapter = PersistentAdapter(spec.command, env, timeout=30)
                result = adapter.call(payload)
                adapter.close()
            else:
                result = run_one_shot(spec.command, payload, env, timeout=30)
            (request,) = server.disarm(token)
            assert result.outcome == "success"
            # the m/ token lists features used, in no fixed order
            agents[persistent] = [t for t in request.header_values("user-agent")[0].split() if not t.startswith("m/")]
    assert agents[True] == agents[False]
