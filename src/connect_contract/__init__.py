"""connect-contract: contract testing and conformance for Amazon Connect UpdateParticipantAuthentication."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("connect-contract")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
