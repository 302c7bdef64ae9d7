"""One check of an ``--endpoint`` URL, shared by every command and the pytest front door.

A mistyped endpoint must be one clear line before anything is sent: ``requests`` would otherwise
raise ``InvalidURL`` once per request (a port above 65535, a space in the host) and every vector or
scenario would report it separately.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click

EXAMPLE = "http://127.0.0.1:4566"


def endpoint_problem(value: str) -> str | None:
    """Why ``value`` is not a usable base URL, or ``None`` when it is."""
    if not value.strip():
        return "is empty"
    if any(character.isspace() for character in value):
        return "contains whitespace (a stray space or newline?)"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return "must be an http(s) URL (starting with http:// or https://)"
    if not parts.hostname:
        return "has no host"
    try:
        port = parts.port
    except ValueError:  # urlsplit's message: "Port out of range 0-65535" or "Port could not be cast..."
        return "has a port that is not a number from 1 to 65535"
    if port == 0:
        return "has port 0 (nothing can be reached there)"
    if parts.query or parts.fragment:
        return "is a base URL: it takes no ?query or #fragment"
    if parts.username or parts.password:
        return "must not carry credentials (user:password@)"
    return None


def validate_endpoint(value: str) -> str:
    """``value`` without a trailing ``/``; ``ValueError`` with one readable line when it is unusable."""
    problem = endpoint_problem(value)
    if problem is not None:
        raise ValueError(f"--endpoint {value!r} {problem}; expected a base URL such as {EXAMPLE}")
    return value.rstrip("/")


def endpoint_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click option callback: a bad URL is a usage error (one line, exit 2)."""
    if value is None:
        return None
    problem = endpoint_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{value!r} {problem}; expected a base URL such as {EXAMPLE}", param=param)
    return value.rstrip("/")
