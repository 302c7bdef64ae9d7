"""What the verdict and the summary say about a run, beyond pass/fail per check.

- a failure caused by the request before it on a kept-alive connection is reported against that
  request, "the connection was left out of step" (a real raw-socket server that leaves bodies unread);
- valid requests are counted as answered 2xx, refused with a modeled error, or other;
- an endpoint that does not speak restJson1 at all (``python3 -m http.server``) is named in one line;
- a wrong base path gets a hint; required checks that never ran show in the verdict, and fail ``--strict``;
- a case a check cannot judge (a throttled answer) is shown with its reason, not counted as a pass.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from out_of_step_server import serve_out_of_step, serve_unrelated_web_server
from rich.console import Console
from server_catalogue import make_app
from test_server_cli import check, clean_env  # noqa: F401 (a fixture)

from connect_contract.mock import MockConfig, running_mock
from connect_contract.model import load_operation
from connect_contract.server import report
from connect_contract.server.attribution import OUT_OF_STEP
from connect_contract.server.checks import checks_for
from connect_contract.server.runner import RunResult, Settings, run
from connect_contract.server.transport import Sender
from connect_contract.server.vectors import Vector, load_vectors
from connect_contract.serving import serve_in_thread

OP = load_operation()


def vector(vector_id: str) -> Vector:
    return next(v for v in load_vectors() if v.id == vector_id)


def vectors_only(url: str) -> Settings:
    return Settings(endpoint=url, generated=False, seed=1, timeout=5.0)


def printed(result: RunResult, *, strict: bool = False) -> str:
    out = io.StringIO()
    report.print_summary(Console(file=out, width=400), result, strict=strict)
    return out.getvalue()


# --- attribution -----------------------------------------------------------------------------------


def test_transport_knows_the_request_before_on_the_same_connection() -> None:
    valid = vector("only-required-members")
    with serve_in_thread(make_app()) as url:
        sender = Sender(timeout=5)
        first, second = (
            sender.send(OP.http_method, url + valid.path, valid.headers(), valid.body, intent="valid", source=source)
            for source in ("first", "second")
        )
        (again,) = sender.resend([second.request])
        pair = sender.resend([first.request, second.request])
        sender.close()
    assert first.previous is None and second.previous is first.request  # uvicorn keeps the connection alive
    assert again.previous is None and again.response is not None and again.response.status == 200
    assert pair[0].previous is None and pair[1].previous is first.request


@pytest.mark.parametrize(
    ("silent", "symptoms"),
    [(False, {"accepts_valid", "error_body"}), (True, {"responds"})],  # an HTML 400, or the connection closed
    ids=["html-400", "closed"],
)
def test_a_connection_left_out_of_step_is_blamed_on_the_request_that_left_it(silent: bool, symptoms: set[str]) -> None:
    valid = vector("only-required-members")
    unread = replace(valid, id="other-method-with-body", method="GET", expect="foreign")
    innocent = replace(valid, id="innocent")
    with serve_out_of_step(silent=silent) as url:
        result = run(vectors_only(url), vectors=[valid, unread, innocent])
    assert not result.ok()
    failing = [r for r in result.checks.values() if r.failures]
    assert {r.check.id for r in failing} >= symptoms  # what the innocent request got
    for entry in failing:
        failure = entry.failures[0]
        assert failure.source == "vector other-method-with-body", failure
        assert failure.request.startswith(f"GET {url}")
        assert OUT_OF_STEP in failure.message and "vector innocent" in failure.message
        assert " --next " in failure.curl and failure.curl.startswith("curl -sS -i -X GET ")
    assert OUT_OF_STEP in printed(result)


def test_out_of_step_found_among_generated_cases() -> None:
    """schemathesis' coverage phase sends other methods with a body: the defect shows in a normal run."""
    with serve_out_of_step() as url:
        result = run(Settings(endpoint=url, seed=1, max_examples=5, timeout=5.0))
    kept = [f for r in result.checks.values() for f in r.failures]
    assert kept, "the out-of-step server must fail"
    for failure in kept:
        assert OUT_OF_STEP in failure.message, failure.message
        assert not failure.request.startswith(f"{OP.http_method} "), failure.request  # the other-method request


def test_a_request_that_fails_on_its_own_keeps_the_blame() -> None:
    """The control: on a kept-alive connection, a genuinely refused request is not blamed on its neighbour."""
    full, bare = vector("all-members"), vector("only-required-members")
    with serve_in_thread(make_app("unmodeled_error_for_valid_input")) as url:
        result = run(vectors_only(url), vectors=[full, bare])
    failure = result.checks["accepts_valid"].failures[0]
    assert failure.source == "vector only-required-members"
    assert OUT_OF_STEP not in failure.message and "--next" not in failure.curl


def test_a_failure_that_does_not_come_back_after_the_request_before_keeps_the_blame() -> None:
    """A server that fails one request once (and never again): the retry alone passes, but the pair
    does not fail again either, so there is no evidence against the request before it."""
    inner, seen = make_app(), {"requests": 0}

    async def once_flaky(scope: Any, receive: Any, send: Any) -> None:
        seen["requests"] += 1
        if seen["requests"] != 2:
            return await inner(scope, receive, send)
        await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<html>busy</html>"})

    first, second = vector("all-members"), vector("only-required-members")
    with serve_in_thread(once_flaky) as url:
        result = run(vectors_only(url), vectors=[first, second])
    failure = result.checks["error_body"].failures[0]
    assert seen["requests"] == 5  # the two vectors, the retry alone, the pair
    assert failure.source == "vector only-required-members" and OUT_OF_STEP not in failure.message


# --- the summary of valid requests, and an endpoint that is not restJson1 ------------------------------


def test_valid_requests_refused_only_with_a_modeled_error() -> None:
    with running_mock(MockConfig(mode="stateful")) as url:
        stateful = run(vectors_only(url))
    with serve_in_thread(make_app("unmodeled_error_for_valid_input")) as url:
        unmodeled = run(vectors_only(url))
    valid = sum(v.expect == "valid" for v in load_vectors())
    assert (stateful.valid_accepted, stateful.valid_refused, stateful.valid_other) == (0, valid, 0)
    assert unmodeled.valid_refused == 0 and unmodeled.valid_other > 0
    assert unmodeled.valid_accepted + unmodeled.valid_other == valid
    assert "most often 400 ValidationException" in report.valid_line(unmodeled)
    assert stateful.speaks_protocol() and unmodeled.speaks_protocol()


def test_an_unrelated_web_server_is_named_in_one_line_at_the_top(
    clean_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    markdown = tmp_path / "report.md"
    with serve_unrelated_web_server(tmp_path) as url:
        result = check(clean_env, "--endpoint", url, "--report", str(markdown))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Checking ")
    assert lines[1].startswith("This endpoint does not speak the AWS restJson1 protocol: ")
    assert "501 text/html" in lines[1]
    assert result.stdout.count("does not speak") == 1
    assert " 0 answered 2xx, 0 refused with a modeled error, " in result.stdout  # 501 pages are never "refused"
    assert "does not speak the AWS restJson1 protocol" in markdown.read_text().splitlines()[2]


# --- hints --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "needle"),
    [("/contct", "is --endpoint's base path (/contct) right?"), (OP.request_uri, "ends with the operation's path")],
)
def test_a_wrong_base_path_gets_a_hint(
    clean_env: dict[str, str],  # noqa: F811
    suffix: str,
    needle: str,
) -> None:
    with running_mock() as url:
        result = check(clean_env, "--endpoint", url + suffix, "--max-examples", "1")
    assert result.returncode == 1
    hint = next(line for line in result.stdout.splitlines() if line.startswith("hint: "))
    assert "valid requests were answered 404" in hint and needle in hint
    assert "does not speak" not in result.stdout  # 404 UnknownOperationException is restJson1


def test_no_base_path_hint_for_a_correct_endpoint() -> None:
    with serve_in_thread(make_app()) as url:
        result = run(vectors_only(url))
    assert report.hints(result, url, signed=False) == []
    assert report.protocol_line(result) is None


# --- required checks never exercised --------------------------------------------------------------


def test_required_checks_never_exercised_show_in_the_verdict_and_fail_strict(
    clean_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The stateful mock refuses every unknown State with a modeled error: no 2xx, so no success check ran."""
    reports = {name: tmp_path / name for name in ("lenient.md", "lenient.xml", "strict.md", "strict.xml")}
    with running_mock(MockConfig(mode="stateful")) as url:
        lenient = check(
            clean_env,
            "--endpoint",
            url,
            "--report",
            str(reports["lenient.md"]),
            "--junitxml",
            str(reports["lenient.xml"]),
        )
        strict = check(
            clean_env,
            *("--endpoint", url, "--strict"),
            *("--report", str(reports["strict.md"]), "--junitxml", str(reports["strict.xml"])),
        )
    # the checks a 2xx answer feeds, among those that concern this operation
    success_checks = [c.id for c in checks_for() if c.id.startswith("success_")]
    verdict = f"{len(success_checks)} required checks were not exercised: {', '.join(success_checks)}"
    assert lenient.returncode == 0, lenient.stdout
    assert f"PASSED, but {verdict}" in lenient.stdout
    assert strict.returncode == 1 and f"FAILED (--strict): {verdict}" in strict.stdout
    assert f"PASSED, but {verdict}" in reports["lenient.md"].read_text()
    assert f"FAILED (--strict): {verdict}" in reports["strict.md"].read_text()
    for name, node in (("lenient.xml", "skipped"), ("strict.xml", "failure")):
        suite = ET.parse(reports[name]).getroot()
        case = suite.find("testcase[@name='success_status']")
        assert case is not None and case.find(node) is not None, name
        assert "not exercised" in (case.find(node).get("message") or "")  # type: ignore[union-attr]


def test_a_fully_exercised_pass_says_so_plainly() -> None:
    with serve_in_thread(make_app()) as url:
        result = run(Settings(endpoint=url, seed=4, max_examples=10))
    assert result.unexercised() == [] and result.ok(strict=True)
    assert report.headline(result, strict=True) == "PASSED: every required and recommended check passed"


# --- unjudged cases --------------------------------------------------------------------------------


def test_a_case_a_check_cannot_judge_is_shown_not_counted_as_a_pass() -> None:
    """A server that throttles every few requests: pairs with a throttled answer are not judged, and
    every report says so, with the reason."""
    with serve_in_thread(make_app(variant="throttles_every_nth_request")) as url:
        result = run(vectors_only(url))
    entry = result.checks["code_point_length"]
    assert entry.unjudged > 0 and entry.unjudged_reasons
    assert report.status_of(entry).endswith(f" ({entry.unjudged} unjudged)")
    reason = f"not judged: {entry.unjudged_reasons[0]}"
    assert "throttled" in reason
    assert reason in printed(result)
    assert reason in report.markdown(result, strict=False)
    assert reason in report.junit_xml(result, strict=False).replace("&gt;", ">").replace("&lt;", "<")
