"""Judging one vector: what the client put on the wire, and what it reported back.

Each rule is a small function with a stable id (``req.path``, ``resp.error-type``, ...) so the
broken-client catalogue can assert that the rule meant for a defect is the one that caught it.
Details say what was expected and what happened without ever quoting a sensitive value: those are
described by length and hash (:func:`describe`), and every detail is scrubbed again before it leaves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from connect_contract.client import anyjudge
from connect_contract.client.adapters.protocol import AdapterResult
from connect_contract.client.scripted_server import Captured
from connect_contract.client.vectors import Settings, Vector
from connect_contract.model import Operation, load_operation
from connect_contract.operations import load_service_operation
from connect_contract.protocol import JSON_MEDIA_TYPE, media_type
from connect_contract.redaction import scrub
from connect_contract.registry import client_rules
from connect_contract.sigv4 import verify

Verdict = Literal["pass", "fail", "rejected", "broken"]


@dataclass(frozen=True)
class Check:
    rule: str
    detail: str


@dataclass(frozen=True)
class Judgement:
    vector: Vector
    verdict: Verdict
    failures: tuple[Check, ...] = ()
    attempts: int = 0
    outcome: str = ""  # what the client reported, short and redacted (for the matrix)

    @property
    def rules(self) -> set[str]:
        return {check.rule for check in self.failures}


def describe(op: Operation, member: str, value: Any) -> str:
    """A value as it may be shown: sensitive (or unknown) members by type, length and hash only."""
    if value is None:
        return "null"
    if not isinstance(value, str):
        return f"a JSON {type(value).__name__}"
    known = member in op.member_names
    if known and not op.member(member).sensitive and len(value) <= 40:
        return json.dumps(value, ensure_ascii=False)
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
    return f"<{len(value)} code points, sha256 {digest}>"


# --- request rules: each returns None (pass) or a detail ---------------------------------------------

RequestRule = Callable[[Operation, Vector, Captured, Any, Settings], str | None]


def rule_method(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    return None if req.method == op.http_method else f"expected {op.http_method}, got {req.method}"


def rule_path(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    return None if req.raw_path == op.request_uri else f"expected {op.request_uri}, got {req.raw_path[:120]}"


def rule_query(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    return None if not req.query else f"expected no query string, got {len(req.query)} characters of query"


def rule_content_type(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    values = req.header_values("content-type")
    if len(values) != 1:
        return f"expected one Content-Type: {JSON_MEDIA_TYPE}, got {len(values)} Content-Type headers"
    return None if media_type(values[0]) == JSON_MEDIA_TYPE else f"expected {JSON_MEDIA_TYPE}, got {values[0][:60]!r}"


def rule_content_length(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    values = req.header_values("content-length")
    if values != [str(len(req.body))]:
        return f"expected Content-Length: {len(req.body)} (the body's size), got {values or 'none'}"
    return None


def rule_sigv4(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    secrets = {s.access_key_id: s.secret_access_key}
    result = verify(
        req.method,
        req.raw_path,
        req.query,
        req.joined_headers(),
        req.body,
        secrets.get,
        service=op.signing_name,
        region=s.region,
    )
    if result.ok:
        return None
    scope = f"<date>/{s.region}/{op.signing_name}/aws4_request"
    return f"expected a valid SigV4 signature for the given credentials, scope {scope}: {result.reason}"


def rule_body_keys(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    unknown = sorted(set(body) - set(op.member_names))
    return f"keys that are not model member names: {', '.join(unknown)[:200]}" if unknown else None


def rule_omitted_absent(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    not_given = [m for m in op.member_names if vector.input.get(m) is None]
    invented = [f"{m}={describe(op, m, body[m])}" for m in not_given if m in body]
    if invented:
        return f"members omitted or null in the call must be absent; sent {', '.join(invented)}"
    return None


def rule_values(op: Operation, vector: Vector, req: Captured, body: Any, s: Settings) -> str | None:
    problems = []
    for member, expected in vector.input.items():
        if expected is None:
            continue
        if member not in body:
            problems.append(f"{member} missing")
        elif body[member] != expected:
            actual = body[member]
            where = ""
            if isinstance(actual, str):
                pairs = enumerate(zip(actual, expected, strict=False))
                first = next((i for i, (a, b) in pairs if a != b), min(len(actual), len(expected)))
                where = f" (first difference at code point {first})"
            problems.append(
                f"{member}: expected {describe(op, member, expected)}, sent {describe(op, member, actual)}{where}"
            )
    return "; ".join(problems) or None


REQUEST_RULES: dict[str, RequestRule] = {
    "req.method": rule_method,
    "req.path": rule_path,
    "req.query": rule_query,
    "req.content-type": rule_content_type,
    "req.content-length": rule_content_length,
    "req.sigv4": rule_sigv4,
}
BODY_RULES: dict[str, RequestRule] = {
    "req.keys": rule_body_keys,
    "req.omitted-absent": rule_omitted_absent,
    "req.values": rule_values,
}


def parse_body(raw: bytes) -> tuple[Any, str | None]:
    """The body as a JSON object, or why it is not one (duplicate keys count as not one)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate keys")
        return dict(pairs)

    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except UnicodeDecodeError:
        return None, "the body is not UTF-8"
    except ValueError as exc:
        return None, f"the body is not valid JSON ({str(exc)[:60]})"
    if not isinstance(body, dict):
        return None, f"the body is JSON {type(body).__name__}, not an object"
    return body, None


def judge_request(op: Operation, vector: Vector, req: Captured, s: Settings) -> list[Check]:
    failures = [Check(rule, detail) for rule, fn in REQUEST_RULES.items() if (detail := fn(op, vector, req, None, s))]
    body, problem = parse_body(req.body)
    if problem:
        return [*failures, Check("req.body-json-object", problem)]
    failures += [Check(rule, detail) for rule, fn in BODY_RULES.items() if (detail := fn(op, vector, req, body, s))]
    return failures


# --- response rules -----------------------------------------------------------------------------------


def _short(value: str | None, limit: int = 160) -> str:
    """What a client reported, quoted and cut (a CLI may report its whole stderr as the message)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(value or '')} characters)"


def judge_response(vector: Vector, result: AdapterResult, attempts: int) -> list[Check]:
    expect = vector.expect
    if result.outcome != expect.outcome:
        got = f"{result.outcome} {result.code or ''}".strip()
        return [Check("resp.outcome", f"expected {expect.outcome} {expect.code or ''}, got {got}".replace("  ", " "))]
    failures = []
    if expect.code is not None and result.code != expect.code:
        failures.append(Check("resp.error-type", f"expected code {expect.code!r}, got {_short(result.code)}"))
    if expect.messages and result.message not in expect.messages:
        wanted = " or ".join(repr(m) for m in expect.messages)
        failures.append(Check("resp.message", f"expected message {wanted}, got {_short(result.message)}"))
    if expect.attempts == "retried" and attempts < 2:
        failures.append(Check("retry.attempts", f"expected the client to retry, it made {attempts} attempt(s)"))
    if expect.attempts == "single" and attempts != 1:
        failures.append(Check("retry.attempts", f"expected a single attempt (not retryable), got {attempts}"))
    return failures


def _outcome_text(result: AdapterResult) -> str:
    if result.outcome == "error":
        return f"error {result.code}"
    return result.outcome or "adapter broke"


def judge(vector: Vector, captured: list[Captured], result: AdapterResult, s: Settings) -> Judgement:
    """The verdict for one vector, with every failing rule."""
    op = load_operation()
    any_op = load_service_operation(vector.service, vector.operation) if vector.operation else None
    attempts = len(captured)
    secrets = (*vector.secrets, s.secret_access_key)
    if any_op is not None and result.outcome is not None and anyjudge.uses_unmodeled(vector.input, result):
        # The call gives a member the client's own model lacks (SDKs are released apart): it cannot send it.
        return Judgement(vector, "rejected", (), attempts, "input member unknown to the client's model")
    if result.outcome is None:
        detail = f"{result.failure}" + (f"; stderr: {result.stderr_tail.strip()[-400:]}" if result.stderr_tail else "")
        return Judgement(vector, "broken", (Check("adapter", scrub(detail, secrets)),), attempts, "adapter broke")
    failures: list[Check] = []
    verdict: Verdict = "pass"
    if result.outcome == "rejected":
        if attempts:
            detail = f"reported a local rejection after {attempts} request(s)"
            failures.append(Check("client.rejected-after-sending", detail))
        elif vector.input_valid:
            failures.append(Check("client.rejected-valid-input", "refused an input that is valid per the contract"))
        else:
            verdict = "rejected"
    else:
        if attempts == 0:
            failures.append(Check("req.sent", f"reported {result.outcome} but no request reached the server"))
        if vector.kind == "request" and any_op is not None:
            if attempts:
                failures += [
                    Check(rule, detail) for rule, detail in anyjudge.judge_request(any_op, vector, captured[0], s)
                ]
        elif vector.kind == "request":
            if attempts:
                failures += judge_request(op, vector, captured[0], s)
            if attempts > 1:
                failures.append(Check("req.single-attempt", f"AWS_MAX_ATTEMPTS=1 but {attempts} requests were sent"))
        failures += judge_response(vector, result, attempts)
        if any_op is not None and result.outcome == "success" and vector.expect.outcome == "success":
            failures += [Check(rule, detail) for rule, detail in anyjudge.judge_output(any_op, vector, result)]
        failures += [Check(rule, msg) for rule, fn in client_rules().items() if (msg := fn(vector, captured, result))]
    if failures:
        verdict = "fail"
    checks = tuple(Check(c.rule, scrub(c.detail, secrets)) for c in failures)
    return Judgement(vector, verdict, checks, attempts, scrub(_outcome_text(result), secrets))
