"""SigV4 signing and verification, both done by botocore's own signer.

Signing is used by the server checks (``--sigv4``) and the cassette recorder; verification by the
reference mock (``--auth sigv4``) and the client checks.  Verification rebuilds the request from
exactly the headers the client says it signed and asks :class:`botocore.auth.SigV4Auth` for the
signature, so the mock and botocore can never disagree about canonicalisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
MISSING = "MissingAuthenticationTokenException"
UNRECOGNIZED = "UnrecognizedClientException"
INVALID = "InvalidSignatureException"

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class AuthorizationHeader:
    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


def parse_authorization(value: str) -> AuthorizationHeader | None:
    """Parse a SigV4 ``Authorization`` header; ``None`` when it is not one."""
    match = _AUTH_RE.match(value.strip())
    if not match:
        return None
    parts = match["credential"].split("/")
    if len(parts) != 5:
        return None
    access_key, date, region, service, terminator = parts
    signed = tuple(match["signed"].split(";"))
    return AuthorizationHeader(access_key, date, region, service, terminator, signed, match["signature"])


@dataclass(frozen=True)
class Verdict:
    """The result of verifying one request.  ``error`` is the AWS error code when it failed."""

    ok: bool
    error: str | None = None
    reason: str = ""
    authorization: AuthorizationHeader | None = None

    @classmethod
    def failed(cls, error: str, reason: str, auth: AuthorizationHeader | None = None) -> Verdict:
        return cls(False, error, reason, auth)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def verify(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    *,
    service: str,
    region: str | None = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """Verify a SigV4-signed request.

    ``headers`` maps each header name to its value (repeated headers already joined with ``,``);
    ``secret_for`` returns the secret key of an access key id, or ``None`` when it is unknown.
    ``region`` pins the scope's region; ``None`` accepts any region.
    """
    lowered = _lower(headers)
    raw = lowered.get("authorization")
    if not raw:
        return Verdict.failed(MISSING, "Missing Authentication Token")
    auth = parse_authorization(raw)
    if auth is None:
        return Verdict.failed(INVALID, "Authorization header is not a well-formed AWS4-HMAC-SHA256 signature")
    secret = secret_for(auth.access_key)
    if secret is None:
        return Verdict.failed(UNRECOGNIZED, "The security token included in the request is invalid.", auth)
    problem = _scope_problem(auth, lowered, service, region, now or dt.datetime.now(dt.UTC))
    if problem:
        return Verdict.failed(INVALID, problem, auth)
    declared_hash = lowered.get("x-amz-content-sha256")
    if declared_hash is not None and declared_hash != hashlib.sha256(body).hexdigest():
        return Verdict.failed(INVALID, "x-amz-content-sha256 does not match the body", auth)
    expected = compute_signature(method, path, query, lowered, body, auth, secret)
    if not hmac.compare_digest(expected, auth.signature):
        return Verdict.failed(
            INVALID,
            "The request signature we calculated does not match the signature you provided.",
            auth,
        )
    return Verdict(True, authorization=auth)


def _scope_problem(
    auth: AuthorizationHeader, headers: Mapping[str, str], service: str, region: str | None, now: dt.datetime
) -> str | None:
    if auth.terminator != "aws4_request":
        return "Credential scope must end with aws4_request"
    if auth.service != service:
        return f"Credential should be scoped to correct service: '{service}'."
    if region is not None and auth.region != region:
        return f"Credential should be scoped to a valid region: '{region}'."
    missing = {"host", "x-amz-date"} - set(auth.signed_headers)
    if missing:
        return f"SignedHeaders must cover {', '.join(sorted(missing))}"
    absent = [name for name in auth.signed_headers if name not in headers]
    if absent:
        return f"Signed header(s) not present in the request: {', '.join(absent)}"
    stamp = headers["x-amz-date"]
    try:
        when = dt.datetime.strptime(stamp, SIGV4_TIMESTAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return "X-Amz-Date is not in YYYYMMDDTHHMMSSZ form"
    if stamp[:8] != auth.date:
        return "Credential scope date does not match X-Amz-Date"
    if abs(now - when) > MAX_CLOCK_SKEW:
        return "Signature expired: X-Amz-Date is outside the 15 minute window"
    return None


def compute_signature(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    auth: AuthorizationHeader,
    secret: str,
) -> str:
    """The signature botocore computes for this request, from the headers ``auth`` says were signed."""
    url = f"http://{headers['host']}{path}" + (f"?{query}" if query else "")
    signed = {name: headers[name] for name in auth.signed_headers}
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(Credentials(auth.access_key, secret), auth.service, auth.region)
    canonical = signer.canonical_request(request)
    result: str = signer.signature(signer.string_to_sign(request, canonical), request)
    return result


def sign(
    method: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    credentials: Credentials,
    *,
    region: str,
    service: str,
) -> dict[str, str]:
    """The headers that sign this request: ``Authorization``, ``X-Amz-Date`` (+ security token)."""
    keep = {k: v for k, v in headers.items() if k.lower() == "content-type" or k.lower().startswith("x-amz-")}
    request = AWSRequest(method=method, url=url, data=body, headers=keep)
    SigV4Auth(credentials, service, region).add_auth(request)
    return {
        name: request.headers[name]
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")
        if name in request.headers
    }


class SigV4RequestsAuth(requests.auth.AuthBase):
    """Signs a final ``requests`` prepared request (what schemathesis and the recorder send)."""

    def __init__(self, credentials: Credentials, *, region: str, service: str, source: str = "") -> None:
        self.credentials = credentials
        self.region = region
        self.service = service
        self.source = source  # which credential provider gave them, for the run's header line

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        assert request.url is not None and request.method is not None
        signed = sign(
            request.method,
            request.url,
            body,
            dict(request.headers),
            self.credentials,
            region=self.region,
            service=self.service,
        )
        request.headers.update(signed)
        return request


def host_of(url: str) -> str:
    return urlsplit(url).netloc


# botocore's names (``CredentialProvider.METHOD``) of the two providers that reach beyond the machine:
# the EC2 instance metadata service (169.254.169.254) and the ECS/EKS container credentials endpoint.
REMOTE_PROVIDERS = ("iam-role", "container-role")


@dataclass(frozen=True)
class ChainCredentials:
    """Credentials from the standard AWS chain, and which provider gave them (never the secret)."""

    credentials: Credentials
    source: str  # botocore's Credentials.method: env, shared-credentials-file, sso, ...


def metadata_allowed(endpoint: str | None) -> bool:
    """Whether the chain may ask the instance metadata / container services.

    Not for a loopback endpoint or the built-in mock (``None``): whoever signs requests to a local
    double has local credentials, and a laptop or a test run must not wait on 169.254.169.254.  Not
    when ``AWS_EC2_METADATA_DISABLED=true`` either (botocore's own switch, which the tests set).
    """
    from connect_contract.ratelimit import is_loopback

    if endpoint is None or is_loopback(endpoint):
        return False
    return os.environ.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() != "true"


def chain_credentials(endpoint: str | None) -> ChainCredentials:
    """The standard AWS credential chain, frozen; ``ValueError`` (one line) when it finds nothing."""
    import botocore.session

    session = botocore.session.get_session()
    resolver = session.get_component("credential_provider")
    local_only = not metadata_allowed(endpoint)
    if local_only:
        for name in REMOTE_PROVIDERS:
            resolver.remove(name)
    found = resolver.load_credentials()
    if found is None:
        where = "environment, shared files, SSO, process" + ("" if local_only else ", container, instance metadata")
        raise ValueError(f"--sigv4: no AWS credentials found in the standard chain ({where})")
    frozen = found.get_frozen_credentials()
    return ChainCredentials(Credentials(frozen.access_key, frozen.secret_key, frozen.token), str(found.method))


def requests_auth(region: str, endpoint: str | None, service: str) -> SigV4RequestsAuth:
    """A ``requests`` signer with the standard AWS credential chain; ``ValueError`` when it finds nothing."""
    found = chain_credentials(endpoint)
    return SigV4RequestsAuth(found.credentials, region=region, service=service, source=found.source)
