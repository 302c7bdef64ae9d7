"""Users' own server checks and client rules, registered by decorator (as schemathesis' ``@schemathesis.check``).

    import connect_contract

    @connect_contract.server_check(id="no_cookies", level="recommended", rule="our API guide, section 4")
    def no_cookies(exchange):
        if exchange.response is not None and "set-cookie" in exchange.response.headers:
            return "the answer sets a cookie"
        return None  # passed

    @connect_contract.client_rule(id="our.user-agent")
    def user_agent(vector, captured, result):
        if captured and "myapp/" not in captured[0].headers.get("user-agent", ""):
            return "no myapp/ in User-Agent"
        return None

A server check judges one exchange like the built-in ones (:mod:`connect_contract.server.checks`):
it returns a failure message, ``None`` (passed) or :class:`~connect_contract.server.checks.Unjudged`,
and its level decides the exit code as theirs does.  It runs wherever the built-in checks run
(``connect-contract check``, ``pytest --endpoint``, :func:`connect_contract.check`).

A client rule judges one vector from what the client sent (``captured``, the requests the scripted
server received) and what it reported (``result``); it applies to every vector the client answered.
Client verdicts are per vector (each vector is required or recommended), so a rule's failure takes
its vector's level, as the built-in rules' do: a client rule has no level of its own.

Modules named in ``CONNECT_CONTRACT_HOOKS`` (comma-separated) are imported before the first run, so
the command line picks up checks from a module without code of its own (as ``SCHEMATHESIS_HOOKS``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from connect_contract.server.checks import Check, Outcome
    from connect_contract.server.transport import Exchange

__all__ = ["HOOKS_VARIABLE", "client_rule", "client_rules", "server_check", "server_checks"]

HOOKS_VARIABLE = "CONNECT_CONTRACT_HOOKS"
ServerJudge = Callable[["Exchange"], "Outcome"]
ClientJudge = Callable[[Any, list[Any], Any], "str | None"]

_server: dict[str, Check] = {}
_client: dict[str, ClientJudge] = {}
_hooks_loaded: set[str] = set()


def _load_hooks() -> None:
    for name in filter(None, (part.strip() for part in os.environ.get(HOOKS_VARIABLE, "").split(","))):
        if name not in _hooks_loaded:
            _hooks_loaded.add(name)
            importlib.import_module(name)


def _answered(exchange: Exchange) -> bool:
    return exchange.response is not None


def server_check(
    *,
    id: str,  # the word every check table uses
    level: Literal["required", "recommended"] = "required",
    rule: str = "user check",
    catches: str = "",
    applies: Callable[[Exchange], bool] = _answered,
) -> Callable[[ServerJudge], ServerJudge]:
    """Register ``judge`` as server check ``id``; it applies to answered exchanges unless ``applies`` says."""
    from connect_contract.server.checks import CHECK_IDS, Check

    if level not in ("required", "recommended"):
        raise ValueError(f"level must be 'required' or 'recommended', not {level!r}")
    if id in CHECK_IDS:
        raise ValueError(f"{id!r} is a built-in check")

    def register(judge: ServerJudge) -> ServerJudge:
        _server[id] = Check(id, level, rule, catches or (judge.__doc__ or id).strip(), applies, judge)
        return judge

    return register


def client_rule(*, id: str) -> Callable[[ClientJudge], ClientJudge]:
    """Register ``judge(vector, captured, result)`` as client rule ``id`` (a message, or ``None`` when it passed)."""

    def register(judge: ClientJudge) -> ClientJudge:
        _client[id] = judge
        return judge

    return register


def server_checks() -> tuple[Check, ...]:
    """The registered server checks, in registration order (after ``CONNECT_CONTRACT_HOOKS`` is imported)."""
    _load_hooks()
    return tuple(_server.values())


def client_rules() -> dict[str, ClientJudge]:
    _load_hooks()
    return dict(_client)


def unregister(id: str) -> None:
    """Forget a check or rule (tests; a long-lived process that reloads its checks)."""
    _server.pop(id, None)
    _client.pop(id, None)
