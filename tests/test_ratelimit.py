"""Every command that sends requests speaks the same rate-limit vocabulary and default policy."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from connect_contract.cli import main
from connect_contract.ratelimit import default_rate_limit, parse_rate_limit


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--endpoint", "http://127.0.0.1:9"],
        ["record", "--endpoint", "http://127.0.0.1:9"],
        ["verify", "--cassettes", "cassettes", "--endpoint", "http://127.0.0.1:9"],
    ],
    ids=["check", "record", "verify"],
)
@pytest.mark.parametrize("bad", ["fast", "-1/s", "2/d"])
def test_a_malformed_rate_limit_is_a_usage_error(command: list[str], bad: str) -> None:
    result = CliRunner().invoke(main, [*command, "--rate-limit", bad])
    assert result.exit_code == 2
    assert "rate limit must look like 2/s" in result.output


def test_default_policy_limits_everything_but_loopback() -> None:
    assert default_rate_limit("http://127.0.0.1:4566") is None
    assert default_rate_limit("http://[::1]:4566") is None
    for remote in ("https://connect.eu-west-2.amazonaws.com", "http://double.internal:8080"):
        assert str(default_rate_limit(remote)) == "2/s"
    assert parse_rate_limit("none", "https://connect.eu-west-2.amazonaws.com") is None
    assert str(parse_rate_limit("100/m", "http://127.0.0.1")) == "100/m"


@pytest.mark.parametrize("zero", ["0/s", "0/m"])
def test_a_zero_rate_says_what_is_wrong_not_that_the_format_is(zero: str) -> None:
    result = CliRunner().invoke(main, ["check", "--endpoint", "http://127.0.0.1:9", "--rate-limit", zero])
    assert result.exit_code == 2
    assert "must look like" not in result.output  # 0/s does look like 2/s
    assert f"rate limit '{zero}' allows no request at all: give at least 1 (or 'none' for no limit)" in result.output
