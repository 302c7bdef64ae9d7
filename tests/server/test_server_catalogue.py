"""Every check is shown to fail on a server with exactly that defect; the correct server passes all.

Each broken server is the reference server of ``server_catalogue`` plus one defect.  The test
asserts that the check *meant* for the defect failed (other checks may fail too: a 5xx on bad JSON
is also not a 4xx), and that the correct server passes every check, recommended ones included.
"""

from __future__ import annotations

import pytest
from server_catalogue import CATALOGUE, LEGITIMATE, RAW_CATALOGUE, make_app, serve_raw

from connect_contract.server.checks import CHECK_IDS
from connect_contract.server.runner import RunResult, Settings, run
from connect_contract.serving import serve_in_thread


def fast(url: str) -> Settings:
    return Settings(endpoint=url, max_examples=25, seed=4, timeout=5.0)


def failed_checks(result: RunResult) -> set[str]:
    return {r.check.id for r in result.checks.values() if not r.passed}


def test_the_correct_server_passes_every_check_including_recommended() -> None:
    with serve_in_thread(make_app()) as url:
        result = run(fast(url))
    assert failed_checks(result) == set(), [f.message for r in result.checks.values() for f in r.failures]
    assert result.ok(strict=True)
    assert all(r.cases > 0 for r in result.checks.values()), "every check must have been exercised"
    assert result.valid_accepted > 0 and result.valid_refused == 0  # it has no semantics beyond the schema


def test_every_check_has_a_broken_server_that_it_catches() -> None:
    from anyop_catalogue import CATALOGUE as ANYOP_CATALOGUE  # the checks of other operations' bindings

    anyop = {check_id for _, check_id in ANYOP_CATALOGUE.values()}
    assert set(CATALOGUE.values()) | set(RAW_CATALOGUE.values()) | anyop == set(CHECK_IDS)


@pytest.mark.parametrize(("defect", "check_id"), sorted(CATALOGUE.items()))
def test_broken_server_is_caught_by_its_check(defect: str, check_id: str) -> None:
    with serve_in_thread(make_app(defect)) as url:
        result = run(fast(url))
    assert check_id in failed_checks(result)
    caught = result.checks[check_id]
    assert caught.failures and caught.failures[0].curl.startswith("curl ")
    assert not result.ok(strict=True)


@pytest.mark.parametrize(("behaviour", "check_id"), sorted(RAW_CATALOGUE.items()))
def test_endpoint_that_cannot_speak_http_gets_a_verdict_in_bounded_time(behaviour: str, check_id: str) -> None:
    with serve_raw(behaviour) as url:
        result = run(Settings(endpoint=url, max_examples=5, seed=1, timeout=0.5))
    assert check_id in failed_checks(result)
    assert result.stopped is not None and "could not be judged" in result.stopped
    assert result.cases <= 3 and result.wall_seconds < 10
    assert not result.ok()


@pytest.mark.parametrize("mode", ["lenient", "stateful"])
def test_the_built_in_mock_passes_every_check_including_recommended(mode: str) -> None:
    from connect_contract.mock import MockConfig, running_mock

    with running_mock(MockConfig(mode=mode)) as url:  # type: ignore[arg-type]
        result = run(fast(url))
    # No check fails; --strict still fails the stateful mode (no 2xx: see test_server_verdicts.py).
    assert not result.failed(strict=True) and not result.stopped, [
        f.message for r in result.checks.values() for f in r.failures
    ]


@pytest.mark.parametrize(("variant", "recommendations"), sorted(LEGITIMATE.items()))
def test_legitimate_variant_passes_every_required_check(variant: str, recommendations: frozenset[str]) -> None:
    """The mirror of the broken catalogue: a correct server with one legitimate difference.

    Both halves: exit 0 on the required checks, and under ``--strict`` exactly the recommended checks
    its difference is a matter of (none: it passes ``--strict`` too).
    """
    with serve_in_thread(make_app(variant=variant)) as url:
        result = run(fast(url))
    messages = [f.message for r in result.checks.values() for f in r.failures]
    assert result.ok(), messages
    assert failed_checks(result) == set(recommendations), messages
    assert all(result.checks[c].check.level == "recommended" for c in recommendations)
    assert result.ok(strict=True) == (not recommendations)
    assert result.checks["error_type"].cases > 0 and result.checks["error_status"].cases > 0
    if variant == "throttles_every_nth_request":  # the throttled pairs are shown as unjudged, never blamed
        unjudged = result.checks["code_point_length"]
        assert unjudged.unjudged > 0 and "throttled" in unjudged.unjudged_reasons[0]
        assert unjudged.cases > 0  # the pairs without a throttled answer were judged


@pytest.mark.parametrize(
    ("extra", "exit_code"), [([], 1), (["--allow-unknown-members"], 0), (["--allow-unknown-members", "--strict"], 1)]
)
def test_allow_unknown_members_makes_an_unknown_success_member_a_recommendation(
    extra: list[str], exit_code: int
) -> None:
    import botocore
    from click.testing import CliRunner

    from connect_contract.server.cli import check

    with serve_in_thread(make_app("unknown_success_member")) as url:
        outcome = CliRunner().invoke(check, ["--endpoint", url, "--max-examples", "5", "--seed", "3", *extra])
    assert outcome.exit_code == exit_code, outcome.output
    assert "success_members" in outcome.output and "newer model" in outcome.output
    assert botocore.__version__ in outcome.output


def test_a_server_answering_every_valid_request_with_html_501_fails_accepts_valid() -> None:
    with serve_in_thread(make_app("answers_501_html_to_valid")) as url:
        result = run(fast(url))
    accepts = result.checks["accepts_valid"]
    assert accepts.failure_count == accepts.cases > 0  # every valid request: a 5xx is never a refusal
    assert "501" in accepts.failures[0].message
