"""Recording: run scenarios against an endpoint through vcrpy, one redacted cassette per scenario.

Everything that reaches disk passed through :mod:`.redact` (vcrpy's record hooks) and :mod:`.scan`
(the persister), and is written atomically.  :func:`recording` is the same machinery for any other
Python code -- e.g. a boto3 session -- that should be recorded safely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore
import requests
import vcr
from botocore.credentials import Credentials

from connect_contract import __version__
from connect_contract.cassettes.lint import Problem, lint_data
from connect_contract.cassettes.match import Matcher
from connect_contract.cassettes.persister import AtomicPersister, load_yaml
from connect_contract.cassettes.redact import LOOPBACK_HOSTS, hooks_for
from connect_contract.cassettes.routing import Router
from connect_contract.cassettes.scan import Finding
from connect_contract.cassettes.scenarios import Scenario
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.ratelimit import RateLimit
from connect_contract.sigv4 import SigV4RequestsAuth

RECORD_MODES = ("once", "new_episodes", "all")
MATCH_ON = ("method", "contract_body")  # contract_body: path, query, media type and body (see .match)
GIVE_UP_AFTER_TIMEOUTS = 2


class SecretRefused(RuntimeError):
    """The cassette would still contain a secret; nothing was written."""

    def __init__(self, path: Path, findings: Sequence[Finding]) -> None:
        self.path = path
        self.findings = list(findings)
        super().__init__(f"{path}: refused, nothing written: " + "; ".join(str(f) for f in findings))


class AnswerRejected(RuntimeError):
    """The endpoint's answer is one ``lint`` would reject (not the protocol, not the model); nothing was written."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: rejected, nothing written: " + "; ".join(str(p) for p in problems))


class JudgingPersister(AtomicPersister):
    """Judges what is about to be written with the cassette lint rules (:mod:`.lint`) first, so a
    recording can never produce a cassette that ``lint`` rejects: an HTML 501 from an unrelated
    server, an error without a modeled type, a body of the wrong shape.  Secrets stay the base
    class's business (a refusal, reported as such)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rejected: list[Problem] = []

    def save_cassette(self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        data = load_yaml(self.render(cassette_dict, serializer))
        problems, _ = lint_data(Path(cassette_path), data)
        self.rejected = [problem for problem in problems if problem.check != "secret"]
        if not self.rejected:
            super().save_cassette(cassette_path, cassette_dict, serializer)


def is_aws(endpoint: str) -> bool:
    return (urlsplit(endpoint).hostname or "").endswith((".amazonaws.com", ".api.aws"))


def endpoint_kind(endpoint: str, timeout: float = 2.0) -> str:
    """``aws`` for AWS hosts, ``mock`` for the reference mock on loopback, else ``loopback``/``other``."""
    host = urlsplit(endpoint).hostname or ""
    if is_aws(endpoint):
        return "aws"
    if host not in LOOPBACK_HOSTS:
        return "other"
    try:  # the reference mock answers its control plane; any other loopback server does not
        answer = requests.get(endpoint.rstrip("/") + "/_mock/sessions", timeout=timeout)
        return "mock" if answer.status_code == 200 and isinstance(answer.json(), dict | list) else "loopback"
    except (requests.RequestException, ValueError):
        return "loopback"


def provenance(*, kind: str, region: str, signed: bool, record_mode: str) -> dict[str, Any]:
    """Where a cassette came from -- never an account id, a key or the endpoint's address."""
    return {
        "endpoint_kind": kind,
        "source": "the connect-contract reference mock" if kind == "mock" else f"an endpoint of kind {kind}",
        "region": region,
        "signed": signed,
        "record_mode": record_mode,
        "recorded_on": dt.datetime.now(dt.UTC).date().isoformat(),
        "botocore": botocore.__version__,
        "vcrpy": vcr.__version__,
        "connect_contract": __version__,
    }


def cassette_dir(out: Path, op: ServiceOperation) -> Path:
    """Where one operation's cassettes live under a root: ``<root>/<service>/<Operation>/``."""
    return out / op.service_name / op.name


def operation_metadata(op: ServiceOperation) -> dict[str, str]:
    return {"service": op.service_name, "name": op.name}


def make_vcr(persister: AtomicPersister, record_mode: str, op: ServiceOperation | None = None) -> vcr.VCR:
    op = op or mission_operation()
    redact_request, redact_response = hooks_for(op)
    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=redact_request,
        before_record_response=redact_response,
        decode_compressed_response=True,
        record_on_exception=False,  # an exception or Ctrl-C mid-recording leaves the old cassette
    )
    recorder.register_matcher("contract_body", Matcher(Router([op])).vcr_matcher)
    recorder.register_persister(persister)
    return recorder


def remove_stale_temporaries(path: Path) -> None:
    """A process killed between writing its temporary file and renaming it leaves one behind."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def recording(
    path: Path,
    *,
    metadata: dict[str, Any],
    record_mode: str = "once",
    known_secrets: Iterable[str] = (),
    judge: bool = True,
    op: ServiceOperation | None = None,
) -> Iterator[Any]:
    """Record whatever HTTP the block does (requests, urllib3, boto3) into ``path``, redacted.

    Create boto3 clients *inside* the block (vcrpy patches connection classes).  Raises
    :class:`SecretRefused` after the block when the cassette would contain a secret; an exception
    in the block leaves any existing cassette untouched.  ``once`` never replaces an existing file.
    With ``judge`` (the default), raises :class:`AnswerRejected` instead of writing a cassette that
    ``lint`` would reject.
    """
    if record_mode not in RECORD_MODES:
        raise ValueError(f"record mode must be one of {', '.join(RECORD_MODES)}")
    remove_stale_temporaries(path)
    kind = JudgingPersister if judge else AtomicPersister
    persister = kind(metadata=metadata, known_secrets=known_secrets, overwrite=record_mode != "once")
    with make_vcr(persister, record_mode, op).use_cassette(str(path)) as cassette:
        yield cassette
    if persister.refused:
        raise SecretRefused(path, persister.refused)
    if isinstance(persister, JudgingPersister) and persister.rejected:
        raise AnswerRejected(path, persister.rejected)


@dataclass
class Outcome:
    scenario: str
    path: Path
    status: str  # written | kept | unchanged | refused | rejected | failed
    detail: str = ""
    findings: list[Finding | str] = field(default_factory=list)  # what was refused or rejected


@dataclass(frozen=True)
class Target:
    endpoint: str
    region: str = "us-east-1"
    credentials: Credentials | None = None  # sign with SigV4 when set
    kind: str | None = None  # detected when None
    timeout: float = 10.0
    rate_limit: RateLimit | None = None  # None: unlimited


def _known(scenario: Scenario, credentials: Credentials | None) -> list[str]:
    values = scenario.sent_values()
    if credentials is not None:
        values += [v for v in (credentials.access_key, credentials.secret_key, credentials.token) if v]
    return values


def record_scenario(
    target: Target,
    scenario: Scenario,
    out: Path,
    record_mode: str,
    kind: str,
    op: ServiceOperation | None = None,
) -> Outcome:
    op = op or mission_operation()
    path = cassette_dir(out, op) / f"{scenario.name}.yaml"
    if record_mode == "once" and path.exists():
        return Outcome(scenario.name, path, "kept", "exists; `once` never overwrites")
    metadata = {
        "provenance": provenance(
            kind=kind, region=target.region, signed=target.credentials is not None, record_mode=record_mode
        ),
        "operation": operation_metadata(op),
        "scenario": {"name": scenario.name, "description": scenario.description, "malformed": scenario.malformed},
    }
    url = target.endpoint.rstrip("/") + (scenario.target or op.request_uri)
    method = scenario.method or op.http_method
    auth = None
    if target.credentials is not None:
        auth = SigV4RequestsAuth(target.credentials, region=target.region, service=op.signing_name)
    before = path.read_bytes() if path.exists() else None
    known = _known(scenario, target.credentials)
    try:
        with (
            recording(path, metadata=metadata, record_mode=record_mode, known_secrets=known, op=op),
            requests.Session() as session,
        ):
            session.request(
                method, url, data=scenario.body, headers=scenario.headers, auth=auth, timeout=target.timeout
            )
    except SecretRefused as refused:
        return Outcome(
            scenario.name, path, "refused", "would contain a secret; nothing written", list(refused.findings)
        )
    except AnswerRejected as rejected:
        detail = "the answer breaks the contract (as lint judges it); nothing written"
        return Outcome(scenario.name, path, "rejected", detail, [f"[{p.check}] {p.message}" for p in rejected.problems])
    changed = path.exists() and path.read_bytes() != before
    return Outcome(scenario.name, path, "written" if changed else "unchanged")


def connection_failure(exc: BaseException) -> str:
    """``connection refused`` (nothing listens there) or the name of the connection error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return "connection refused"
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def record_scenarios(
    target: Target,
    scenarios: Sequence[Scenario],
    out: Path,
    record_mode: str = "once",
    op: ServiceOperation | None = None,
) -> list[Outcome]:
    """Record each scenario.  Bounded time against a bad endpoint: an unreachable one, or one that
    leaves two requests in a row unanswered, fails the remaining scenarios without sending them."""
    kind = target.kind or endpoint_kind(target.endpoint, timeout=min(2.0, target.timeout))
    outcomes: list[Outcome] = []
    given_up, timeouts = "", 0
    op = op or mission_operation()
    for scenario in scenarios:
        path = cassette_dir(out, op) / f"{scenario.name}.yaml"
        remove_stale_temporaries(path)  # whatever the mode or outcome: `once` and a given-up run write nothing
        if given_up:
            outcomes.append(Outcome(scenario.name, path, "failed", given_up))
            continue
        if target.rate_limit is not None:
            target.rate_limit.wait()
        try:
            outcome = record_scenario(target, scenario, out, record_mode, kind, op)
            timeouts = 0
        except requests.ConnectionError as exc:
            given_up = f"endpoint unreachable ({connection_failure(exc)})"
            outcome = Outcome(scenario.name, path, "failed", given_up)
        except requests.Timeout:
            timeouts += 1
            outcome = Outcome(scenario.name, path, "failed", f"no answer within {target.timeout:g} s")
            if timeouts >= GIVE_UP_AFTER_TIMEOUTS:
                given_up = f"not sent: the endpoint left {timeouts} requests in a row unanswered"
        except requests.RequestException as exc:
            outcome = Outcome(scenario.name, path, "failed", f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
    return outcomes
