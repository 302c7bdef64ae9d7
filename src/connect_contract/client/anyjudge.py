"""Judging a client on any rest-json operation: the request decoded by location, the output as parsed.

The request's form -- every rule that needs no knowledge of the call -- is judged by
:mod:`connect_contract.client.wirerules`, which the proxy uses too (same rule ids).  This module adds
what needs the vector: the request is split by :func:`connect_contract.contracts.parts.request_parts`
(labels and query values percent-decoded, header names case-insensitive) and compared with the vector's
input in the adapter protocol's encoding: query strings as multisets of decoded pairs (order is not significant,
restjson-bindings.md §2), JSON bodies without regard to key order, timestamps as instants, numbers as
numbers.  The output a client reports is compared with what the scripted server served.  Each rule
has an id, as in :mod:`.judge`; details never quote a ``sensitive`` value.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import botocore.model

from connect_contract.client.adapters.base_path import rules_base_path
from connect_contract.client.adapters.protocol import AdapterResult
from connect_contract.client.scripted_server import Captured
from connect_contract.client.values import TIMESTAMP_RESOLUTION, differences, instant, unb64
from connect_contract.client.vectors import Settings, Vector
from connect_contract.client.wire import from_wire, to_wire
from connect_contract.client.wirerules import judge_form
from connect_contract.contracts.parts import HTTP_DATE_ITEM, request_parts, split_header_list
from connect_contract.operations import Binding, ServiceOperation
from connect_contract.protocol import query_pairs
from connect_contract.sigv4 import parse_authorization, verify

Problem = tuple[str, str]  # (rule id, detail)
_ITEMS = re.compile(r"\[[^\]]*\]")


# Sent timestamps are judged to the second: the AWS CLI v1 (its botocore's default precision) drops the
# fraction of an epoch-seconds body timestamp, and no Smithy rule requires a client to keep it.  Keeping
# milliseconds is the recommended vector ``timestamp-fraction-kept``.
COARSE = Decimal(1)


def _resolution(vector: Vector) -> Decimal:
    return TIMESTAMP_RESOLUTION if vector.exact_timestamps else COARSE


def _text_key(shape: botocore.model.Shape, text: str) -> Any:
    """A label, query or header text as a comparable value: instants for timestamps, numbers as numbers."""
    kind = shape.type_name
    if kind == "timestamp":
        seconds = instant(text)
        return ("instant", seconds.quantize(Decimal("0.001"))) if seconds is not None else ("text", text)
    if kind in ("integer", "long", "float", "double"):
        try:
            return ("number", Decimal(text))
        except ArithmeticError:
            return ("text", text)
    return ("text", text)


def _expected_text(binding: Binding, shape: botocore.model.Shape, value: Any, location: str) -> Any:
    text = to_wire(shape, value, location)
    if shape.type_name == "timestamp" and location == "header":
        return _text_key(shape, text)  # http-date: whole seconds (the fraction is dropped on the wire)
    return _text_key(shape, str(text))


def _show(binding: Binding, value: Any) -> str:
    if binding.sensitive:
        return "<sensitive>"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:80] + "…"


def _labels(op: ServiceOperation, vector: Vector, path: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for binding in op.labels:
        value = vector.input.get(binding.name)
        if value is None:
            continue
        sent = path.get(binding.wire_name)
        want = _expected_text(binding, binding.shape, value, "label")
        if sent is None or _text_key(binding.shape, str(sent)) != want:
            problems.append(
                ("req.label", f"{binding.name}: expected {_show(binding, value)}, decoded {_show(binding, sent)}")
            )
    return problems


def _query(op: ServiceOperation, vector: Vector, req: Captured) -> list[Problem]:
    expected: Counter[tuple[str, Any]] = Counter((k, ("text", v)) for k, v in op.fixed_query)
    shapes: dict[str, botocore.model.Shape] = {}
    for binding in op.query:
        value = vector.input.get(binding.name)
        item_shape = binding.shape.member if binding.type_name == "list" else binding.shape
        shapes[binding.wire_name] = item_shape
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            expected[(binding.wire_name, _expected_text(binding, item_shape, item, "query"))] += 1
    if op.query_map is not None and vector.input.get(op.query_map.name):
        for key, value in vector.input[op.query_map.name].items():
            for item in value if isinstance(value, list) else [value]:
                expected[(key, ("text", str(item)))] += 1
    tokens = {b.wire_name for b in op.query if b.name in vector.generated_tokens}
    actual: Counter[tuple[str, Any]] = Counter()
    problems: list[Problem] = []
    for key, text in query_pairs(req.query):
        if key in tokens:  # a generated token's value is the client's own (its absence is a wire rule)
            tokens.discard(key)
            if not text:
                problems.append(("req.idempotency-token", f"query {key}: an empty generated token"))
            continue
        shape = shapes.get(key)
        actual[(key, _text_key(shape, text) if shape is not None else ("text", text))] += 1
    if actual != expected:
        missing = sorted(k for k in (expected - actual))
        extra = sorted(k for k in (actual - expected))
        names = {b.wire_name: b for b in op.query}

        def pair(key: str, value: Any) -> str:
            binding = names.get(key)
            shown = "<sensitive>" if binding is not None and binding.sensitive else repr(value[1])[:60]
            return f"{key}={shown}"

        detail = "query pairs (compared as a multiset of decoded pairs) differ:"
        if missing:
            detail += " missing " + ", ".join(pair(k, v) for k, v in missing)[:300]
        if extra:
            detail += " unexpected " + ", ".join(pair(k, v) for k, v in extra)[:300]
        problems.append(("req.query", detail))
    return problems


def _headers(op: ServiceOperation, vector: Vector, req: Captured) -> list[Problem]:
    problems: list[Problem] = []
    for binding in op.headers:
        sent = req.header_values(binding.wire_name)
        value = vector.input.get(binding.name)
        if binding.wire_name.lower() == "content-type" and not value:
            continue  # absent or empty: the payload's default media type may stand (Smithy restJson1 Content-Type)
        if binding.name in vector.generated_tokens:
            if sent and not sent[0].strip():  # (a token not sent at all is a wire rule)
                problems.append(("req.idempotency-token", f"header {binding.wire_name}: no token generated"))
            continue
        if value is None or (isinstance(value, list) and not value):
            # absent, or an empty list: botocore omits it, the JS SDK sends an empty header (§3)
            if sent and not (isinstance(value, list) and sent == [""]):
                problems.append(("req.omitted-absent", f"header {binding.wire_name} sent for an absent member"))
            continue
        if len(sent) != 1:
            if not sent:  # (more than one is a wire rule)
                problems.append(("req.header", f"{binding.wire_name}: expected one header, got 0"))
            continue
        if binding.type_name == "list":
            item = binding.shape.member
            items = split_header_list(sent[0])
            if item.type_name == "timestamp":
                items = HTTP_DATE_ITEM.findall(sent[0]) or items
            got = [_text_key(item, text) for text in items]
            want = [_expected_text(binding, item, v, "header") for v in value]
            if got != want:
                problems.append(
                    (
                        "req.header-list",
                        f"{binding.wire_name}: expected {_show(binding, value)}, got {_show(binding, sent[0])}",
                    )
                )
            continue
        if _text_key(binding.shape, sent[0].strip()) != _expected_text(binding, binding.shape, value, "header"):
            problems.append(
                ("req.header", f"{binding.wire_name}: expected {_show(binding, value)}, got {_show(binding, sent[0])}")
            )
    for binding in op.prefix_headers:
        entries = vector.input.get(binding.name) or {}
        prefix = binding.wire_name.lower()
        sent_keys = {k.lower()[len(prefix) :]: v for k, v in req.headers if k.lower().startswith(prefix)}
        wanted = {k.lower(): v for k, v in entries.items()}
        if {k: v.strip() for k, v in sent_keys.items()} != {k: v.strip() for k, v in wanted.items()}:
            problems.append(("req.prefix-headers", f"{prefix}*: expected {sorted(wanted)}, got {sorted(sent_keys)}"))
    return problems


def _body(op: ServiceOperation, vector: Vector, req: Captured, body: Any, body_error: str | None) -> list[Problem]:
    """The body compared with the call (its form -- JSON, keys, types, timestamps, nulls -- is a wire rule)."""
    payload = op.payload
    if payload is not None:
        value = vector.input.get(payload.name)
        if payload.type_name == "blob":
            want = unb64(value) if value is not None else b""
            return (
                []
                if req.body == want
                else [("req.payload", f"{payload.name}: the body is not the blob's {len(want or b'')} raw bytes")]
            )
        if payload.type_name == "string":
            ok = req.body == (value or "").encode("utf-8")
            return [] if ok else [("req.payload", f"{payload.name}: the body is not the string's UTF-8 text")]
        if body_error:
            return []
        if value is None:
            return (
                []
                if body in (None, {})
                else [("req.omitted-absent", "an absent structure payload sent as a non-empty body")]
            )
        decoded, _ = from_wire(payload.shape, body)
        return [
            ("req.values", d) for d in differences(payload.shape, value, decoded, payload.name, _resolution(vector))
        ]
    if not op.body or body_error or not isinstance(body, dict):
        return []
    shape = op.model.input_shape
    assert shape is not None
    decoded, _ = from_wire(shape, body)
    problems: list[Problem] = []
    for binding in op.body:
        given = vector.input.get(binding.name)
        if binding.name in vector.generated_tokens:
            token = decoded.get(binding.name)
            if binding.name in decoded and (not isinstance(token, str) or not token):
                problems.append(("req.idempotency-token", f"{binding.name}: no token generated for the omitted member"))
            continue
        if given is None:
            if decoded.get(binding.name) is not None:  # (a null is a wire rule)
                problems.append(("req.omitted-absent", f"{binding.name} sent although omitted or null in the call"))
            continue
        problems += [
            ("req.values", d)
            for d in differences(binding.shape, given, decoded.get(binding.name), binding.name, _resolution(vector))
        ]
    return problems


def judge_request(op: ServiceOperation, vector: Vector, req: Captured, s: Settings) -> list[Problem]:
    """The wire rules (:func:`connect_contract.client.wirerules.judge_form`) on the path below botocore's base
    path, then the request compared with the call, then the signature (over the path as sent) verified with
    the credentials the client was given."""
    signed, routed = req, _below_base_path(op, req, s)  # clientprefix: botocore's path, its endpoint's base path too
    if routed is None:
        method = (
            [("req.method", f"expected {op.http_method}, got {req.method}")] if req.method != op.http_method else []
        )
        return [*method, ("req.path", f"the path does not start with {_base(op, s)}/"), *_signature(op, signed, s)]
    req = routed
    wire = judge_form(op, req)
    problems: list[Problem] = [(p.rule, p.detail) for p in wire if p.level == "required"]
    if any(p.rule == "req.path" for p in wire):
        return problems + _signature(op, signed, s)
    target = req.raw_path + (f"?{req.query}" if req.query else "")
    parts = request_parts(op, target, dict(req.joined_headers()), req.body)
    labels = _labels(op, vector, parts.path)
    # Exact label bytes are a recommendation, judged on the vectors that ask (when every label decoded right).
    label_ok = not labels and not any(p.location == "label" and p.level == "required" for p in wire)
    if vector.exact_labels and label_ok and any(p.rule == "req.label-bytes" for p in wire):
        problems.append(("req.label-bytes", "label bytes differ from Smithy's encoding (unreserved kept, rest %XX)"))
    problems += labels
    problems += _query(op, vector, req)
    problems += _headers(op, vector, req)
    problems += _body(op, vector, req, parts.body, parts.body_error)
    return problems + _signature(op, signed, s)


def _signature(op: ServiceOperation, req: Captured, s: Settings) -> list[Problem]:
    secrets = {s.access_key_id: s.secret_access_key}
    headers = req.joined_headers()
    if headers.get("x-amz-content-sha256") == UNSIGNED_PAYLOAD and op.model.auth_type == "v4-unsigned-body":
        return _unsigned_payload_signature(op, req, s)
    result = verify(
        req.method, req.raw_path, req.query, req.joined_headers(), req.body, secrets.get,
        service=op.signing_name, region=s.region,
    )  # fmt: skip
    if result.ok:
        return []
    return [
        ("req.sigv4", f"expected a valid SigV4 signature, scope <date>/{s.region}/{op.signing_name}: {result.reason}")
    ]


UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


def _unsigned_payload_signature(op: ServiceOperation, req: Captured, s: Settings) -> list[Problem]:
    """SigV4 with an unsigned payload, which the model allows (``authtype: v4-unsigned-body``: botocore
    signs ``UNSIGNED-PAYLOAD`` for mediastore-data:PutObject's stream): the rest must still verify."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = req.joined_headers()
    auth = parse_authorization(headers.get("authorization", ""))
    if auth is None or auth.access_key != s.access_key_id or auth.service != op.signing_name or auth.region != s.region:
        return [("req.sigv4", f"expected a SigV4 signature scoped to <date>/{s.region}/{op.signing_name}")]
    if any(name not in headers for name in auth.signed_headers) or "host" not in headers:
        return [("req.sigv4", "a signed header is missing from the request")]
    url = f"http://{headers['host']}{req.raw_path}" + (f"?{req.query}" if req.query else "")
    request = AWSRequest(
        method=req.method, url=url, data=req.body, headers={n: headers[n] for n in auth.signed_headers}
    )
    request.context["timestamp"] = headers.get("x-amz-date", "")
    request.context["payload_signing_enabled"] = False
    signer = SigV4Auth(Credentials(auth.access_key, s.secret_access_key), auth.service, auth.region)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return [] if expected == auth.signature else [("req.sigv4", "the signature does not verify (unsigned payload)")]


def judge_output(op: ServiceOperation, vector: Vector, result: AdapterResult) -> list[Problem]:
    """The parsed output a client reported, against what the scripted server served."""
    expected = vector.expect.output
    if expected is None:
        return []
    reported = result.output
    if reported is None:
        return [("resp.output", 'a success without an "output" object (adapter protocol: report the parsed output)')]
    problems: list[Problem] = []
    for binding in op.output:
        if binding.name not in expected:
            continue
        want, got = expected[binding.name], reported.get(binding.name)
        if binding.location == "prefix-headers" and isinstance(got, dict):
            lowered = {str(k).lower(): v for k, v in got.items()}
            missing = {k: v for k, v in want.items() if lowered.get(k.lower()) != v}
            if missing:
                problems.append(("resp.output", f"{binding.name}: entries {sorted(missing)} not reported as served"))
            continue
        for detail in differences(binding.shape, want, got, binding.name):
            path = _ITEMS.sub("[]", detail.split(": ", 1)[0])
            if any(path == p or path.startswith((p + ".", p + "[")) for p in result.unmodeled):
                continue  # the client's own model lacks this member: it cannot parse it (not judged)
            problems.append(("resp.output", detail))
    for name in vector.expect.unknown:
        if _mentions(reported, name):
            problems.append(("resp.output-unknown", f"reported the unknown served member {name}"))
    return problems


def _input_paths(value: Any, at: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict) and not at.endswith("[]"):
        for key, item in value.items():
            where = f"{at}.{key}".lstrip(".")
            paths |= {where} | _input_paths(item, where)
    elif isinstance(value, list):
        for item in value:
            paths |= _input_paths(item, f"{at}[]")
    elif isinstance(value, dict):
        for item in value.values():
            paths |= _input_paths(item, at)
    return paths


def uses_unmodeled(given: dict[str, Any], result: AdapterResult) -> bool:
    """Whether the call gives a member (at any depth) that the client says its own model lacks, or the
    client lacks the whole operation (``"*"``)."""
    lacking = set(result.unmodeled_input)
    return "*" in lacking or bool(_input_paths(given) & lacking)


def _mentions(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_mentions(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, key) for v in value)
    return False


# --- clientprefix: the base path of botocore's endpoint -----------------------------------------------------


def _base(op: ServiceOperation, s: Settings) -> str:
    """The path botocore's endpoint rules put before the requestUri (``""`` for every rest-json service of
    botocore 1.44.8; ``/v2`` for geo-maps in botocore 1.43's).  A client whose own model has ``/static/...``
    and whose rules add ``/v2`` is judged by what the two add up to (adapters/base_path.py)."""
    return rules_base_path(op.service_name, op.name, s.region, plain_loader=True)


def _below_base_path(op: ServiceOperation, req: Captured, s: Settings) -> Captured | None:
    """The request with botocore's base path taken off its path (labels are read below it); None when the
    path does not start with it (the client lost its endpoint's path, or its model adds up to another)."""
    base = _base(op, s)
    if not base:
        return req
    if not req.raw_path.startswith(base + "/"):
        return None
    return dataclasses.replace(req, raw_path=req.raw_path[len(base) :])
