"""How one reference-mock instance behaves: mode, authentication, limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["lenient", "stateful"]
Auth = Literal["none", "sigv4"]
MODES: tuple[Mode, ...] = ("lenient", "stateful")
AUTHS: tuple[Auth, ...] = ("none", "sigv4")
DEFAULT_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class MockConfig:
    """``credentials`` maps access key id -> secret access key (only used with ``auth="sigv4"``);
    ``region`` pins the SigV4 scope's region (``None`` accepts any)."""

    mode: Mode = "lenient"
    auth: Auth = "none"
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)  # secrets: never in a repr
    region: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # The capture log and the lenient-mode session log keep only the newest entries, so a long run (or a
    # benchmark) cannot grow them forever.
    capture_limit: int = 1000
    capture_max_bytes: int = 8 * 1024 * 1024  # ... and about this many bytes of them (large values are cut)
    # botocore's names of the rest-json services served, every operation of each (connect: all 405).
    services: tuple[str, ...] = ("connect",)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.auth not in AUTHS:
            raise ValueError(f"auth must be one of {', '.join(AUTHS)}, not {self.auth!r}")
        if self.auth == "sigv4" and not self.credentials:
            raise ValueError("auth='sigv4' needs at least one access key id -> secret in credentials")
        if not self.services or not all(isinstance(name, str) and name for name in self.services):
            raise ValueError("services must be a non-empty tuple of botocore service names")
        if self.max_body_bytes < 1 or self.capture_limit < 0 or self.capture_max_bytes < 0:
            raise ValueError("max_body_bytes must be >= 1, capture_limit and capture_max_bytes >= 0")
