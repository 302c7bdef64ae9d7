"""One rate-limit vocabulary (``2/s``, ``100/m``) and one default policy for every command that
sends requests to an endpoint (``check``, ``record``, ``verify``)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

import click

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
REMOTE_DEFAULT_RATE = "2/s"  # the real service's long-standing default quota (wire reference, section 5)
OFF = ("none", "off", "0")


@dataclass
class RateLimit:
    """At most ``count`` requests per ``seconds``, spaced evenly (no bursts), so the limit is never exceeded."""

    count: int
    seconds: float
    _next: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"2/s"``, ``"100/m"``, ``"5000/h"``; raises ``ValueError`` with a readable message."""
        count, _, unit = text.strip().partition("/")
        if not count.isdigit() or unit not in _UNITS:
            raise ValueError(f"rate limit must look like 2/s, 100/m or 5000/h, not {text!r}")
        if int(count) < 1:  # the format is right; zero requests per period would never send anything
            raise ValueError(f"rate limit {text!r} allows no request at all: give at least 1 (or 'none' for no limit)")
        return cls(int(count), _UNITS[unit])

    def __str__(self) -> str:
        unit = {v: k for k, v in _UNITS.items()}[self.seconds]
        return f"{self.count}/{unit}"

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                time.sleep(self._next - now)
                now = self._next
            self._next = now + self.seconds / self.count


def is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def default_rate_limit(endpoint: str) -> RateLimit | None:
    """No limit on loopback (the mock, a local double); the real service's quota anywhere else."""
    return None if is_loopback(endpoint) else RateLimit.parse(REMOTE_DEFAULT_RATE)


def parse_rate_limit(value: str | None, endpoint: str) -> RateLimit | None:
    """The explicit limit (``none`` turns it off), or the default for this endpoint."""
    if value is None:
        return default_rate_limit(endpoint)
    if value.strip().lower() in OFF:
        return None
    return RateLimit.parse(value)


def _validate(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and value.strip().lower() not in OFF:
        try:
            RateLimit.parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


rate_limit_option = click.option(
    "--rate-limit",
    metavar="N/s",
    callback=_validate,
    help="Requests per second/minute (2/s, 100/m; 'none'). Default: none on loopback, 2/s elsewhere.",
)
