"""Which request a failure belongs to, when requests share a kept-alive connection.

A server that leaves a request body unread (typically on a 405 for another method) and keeps the
connection answers the *next* request on it from the leftover bytes -- an HTML 400, or a closed
connection.  Blaming that next request would send a team after the wrong bug.  So a failing request
that was sent on a reused connection is tried again:

1. alone, on a fresh connection -- if it still fails, the failure is its own;
2. right after the request before it, on one fresh connection -- if it fails again there, the
   request before it left the connection out of step, and the failure is reported against it.

Step 2 keeps a flaky or stateful server from moving blame on the strength of one lucky retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from connect_contract.server.transport import Exchange, Request, Sender

OUT_OF_STEP = "the connection was left out of step"

# (the failing exchange, the ids of the checks it failed) -> the request to blame instead, or None
Probe = Callable[[Exchange, set[str]], Request | None]


def connection_probe(sender: Sender, failing_checks: Callable[[Exchange], set[str]]) -> Probe:
    """A probe that re-sends through ``sender``; ``failing_checks`` judges an exchange (ids that failed)."""

    def fails_again(exchange: Exchange, again: Exchange, failing: set[str]) -> bool:
        retried = replace(exchange, response=again.response, problem=again.problem)
        return bool(failing_checks(retried) & failing)

    def probe(exchange: Exchange, failing: set[str]) -> Request | None:
        previous = exchange.previous
        if previous is None:
            return None
        (alone,) = sender.resend([exchange.request])
        if alone.response is None or fails_again(exchange, alone, failing):
            return None  # it fails on its own: its own fault
        first, second = sender.resend([previous, exchange.request])
        if second.previous is not first.request or not fails_again(exchange, second, failing):
            return None  # not reproduced after the request before it on one connection: no blame to move
        return previous

    return probe


def blamed(message: str, innocent: Request) -> str:
    """The failure message, as reported against the request that left the connection out of step."""
    return (
        f"{OUT_OF_STEP} by this request: the request after it on the same connection ({innocent.source}) "
        f"got this answer: {message} -- yet, sent alone on a fresh connection, that request passes "
        "(was this request's body left unread?); the curl line sends both on one connection"
    )
