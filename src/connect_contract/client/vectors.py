"""Client vectors: the data in ``contracts/vectors/client.json`` expanded against the model.

The file holds templates, Smithy-protocol-test style; this module only expands them.  Which errors
exist (and their statuses), which members are optional, their maximum lengths and patterns all come
from :func:`connect_contract.model.load_operation`, so the vectors follow the model when it moves.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from connect_contract.client.scripted_server import Script
from connect_contract.contracts import REQUEST_ID_HEADER, load_data, request_validator
from connect_contract.model import Operation, load_operation
from connect_contract.protocol import JSON_MEDIA_TYPE

VECTORS_FILE = "vectors/client.json"
JSON = JSON_MEDIA_TYPE
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Outcome = Literal["success", "error", "rejected"]


@dataclass(frozen=True)
class Expectation:
    outcome: Outcome
    code: str | None = None
    messages: tuple[str, ...] = ()  # any of these is the right message; empty: the message is not judged
    attempts: Literal["single", "retried"] | None = None  # judged only for retry vectors
    output: dict[str, Any] | None = None  # the parsed output a success must report (None: not judged)
    unknown: tuple[str, ...] = ()  # served member names a client must not report (unknown to the model)


@dataclass(frozen=True)
class Vector:
    id: str
    group: str  # the id with the error/member axis collapsed: one matrix row per group
    kind: Literal["request", "response"]
    required: bool
    summary: str
    source: str  # the Smithy protocol test or spec rule the vector stands on, so a team can look it up
    input: dict[str, Any]  # model member names; a value of None is an explicit null
    script: Script
    expect: Expectation
    isolated: bool = False  # runs alone, with the client's own retry defaults (no AWS_MAX_ATTEMPTS)
    input_valid: bool = True  # valid per the contract: a client may not refuse it
    secrets: tuple[str, ...] = field(default=(), repr=False)  # sensitive values, for scrubbing output
    # Any operation (opvectors.py); empty: the mission operation, judged by its own rules below.
    service: str = ""
    operation: str = ""
    exact_labels: bool = False  # also judge the label bytes exactly (a recommendation)
    exact_timestamps: bool = False  # judge sent body timestamps to the millisecond, not the second
    generated_tokens: tuple[str, ...] = ()  # idempotency-token members left out: the client must fill them


@dataclass(frozen=True)
class Settings:
    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)


def _substitute(value: Any, bindings: Mapping[str, str]) -> Any:
    """Replace ``{name}`` placeholders everywhere (strings, keys, nested values) for bound names."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: bindings.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_substitute(item, bindings) for item in value]
    if isinstance(value, dict):
        return {_substitute(k, bindings): _substitute(v, bindings) for k, v in value.items()}
    return value


def _axis(name: str, op: Operation, data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The bindings of one ``for_each`` axis, in model order."""
    errors = op.errors
    if name == "error":
        return [
            {"error": e.name, "status": str(e.status), "other_error": errors[(i + 1) % len(errors)].name}
            for i, e in enumerate(errors)
        ]
    if name == "retry_error":
        picked = []
        for status, policy in data["retry_statuses"].items():
            match = next((e for e in errors if str(e.status) == status), None)
            if match is not None:
                picked.append({"error": match.name, "status": status, "retry_policy": policy})
        return picked
    if name == "encoding":
        return [{"encoding": key} for key in data["error_encodings"]]
    members = {
        "member": op.input_members,
        "optional_member": op.optional_members,
        "free_text_member": tuple(m for m in op.input_members if m.shape.pattern is None),
    }.get(name)
    if members is None:
        raise ValueError(f"{VECTORS_FILE}: unknown for_each axis {name!r}")
    return [{"member": m.name} for m in members]


def _expand(template: Mapping[str, Any], op: Operation, data: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    axes = [_axis(name, op, data) for name in template.get("for_each", [])]
    for combination in itertools.product(*axes):
        bindings = {k: v for k, v in data["defaults"].items() if isinstance(v, str)}
        for part in combination:
            bindings.update(part)
        bindings["vector"] = _substitute(template["id"], bindings)
        bindings["message"] = _substitute(data["defaults"]["message"], bindings)
        expanded = dict(_substitute(dict(template), bindings))
        script = expanded.get("script")
        if script is not None and "encoding" in script:  # an encoding is a shared (headers, body) pair
            encoded = _substitute(data["error_encodings"][script.pop("encoding")], bindings)
            script.setdefault("headers", encoded["headers"])
            script.setdefault("body", encoded["body"])
            expanded.setdefault("source", encoded["source"])
        # One matrix row per group: the error and member axes collapse into "*".
        expanded["group"] = _substitute(template["id"], {**bindings, "error": "*", "member": "*"})
        expanded["member_axis"] = bindings.get("member")
        yield expanded


def member_value(op: Operation, member: str, spec: Any, sample: str) -> Any:
    """One member's value from its spec: 'sample', null, a literal, {"fill": "max", "with": C} or
    {"fill": "printable-ascii"}."""
    shape = op.member(member).shape
    if spec == "sample":
        value = sample.replace("{member}", member)
        return value.ljust(shape.min_length or 0, "x")
    if isinstance(spec, dict) and spec.get("fill") == "max":
        if shape.max_length is None:
            raise ValueError(f"{VECTORS_FILE}: {member} has no maximum length to fill")
        return str(spec.get("with", "x")) * shape.max_length
    if isinstance(spec, dict) and spec.get("fill") == "printable-ascii":
        # every printable ASCII character the member's pattern allows (all of them when it has none)
        allowed = re.compile(shape.pattern) if shape.pattern else None
        return "".join(c for c in map(chr, range(0x20, 0x7F)) if allowed is None or allowed.fullmatch(c))
    if spec is None or isinstance(spec, str):
        return spec
    raise ValueError(f"{VECTORS_FILE}: unsupported value spec for {member}: {spec!r}")


def build_input(op: Operation, members: Mapping[str, Any], sample: str) -> dict[str, Any]:
    built: dict[str, Any] = {}
    for key, spec in members.items():
        names = {
            "$required": [m.name for m in op.required_members],
            "$optional": [m.name for m in op.optional_members],
        }.get(key, [key])
        for name in names:
            built[name] = member_value(op, name, spec, sample)
    return built


def _script(spec: Mapping[str, Any]) -> Script:
    headers = [(str(k), str(v)) for k, v in spec.get("headers", [])]
    content_type = spec.get("content_type", JSON)
    if content_type is not None:
        headers.insert(0, ("Content-Type", content_type))
    headers.append((REQUEST_ID_HEADER, "0c9b5ae1-5b0e-4f55-9a3c-client-vector"))
    if "body_text" in spec:
        body = str(spec["body_text"]).encode("utf-8")
    else:
        body = json.dumps(spec.get("body", {}), ensure_ascii=False).encode("utf-8")
    return Script(int(spec["status"]), tuple(headers), body)


def _expectation(raw: Mapping[str, Any]) -> Expectation:
    message = raw.get("message")  # one message, or a list of acceptable ones
    messages = () if message is None else (message,) if isinstance(message, str) else tuple(message)
    return Expectation(outcome=raw["outcome"], code=raw.get("code"), messages=messages, attempts=raw.get("attempts"))


@cache
def settings() -> Settings:
    defaults = load_data(VECTORS_FILE)["defaults"]
    creds = defaults["credentials"]
    return Settings(defaults["region"], creds["access_key_id"], creds["secret_access_key"])


@cache
def load_vectors() -> tuple[Vector, ...]:
    """Every client vector, request vectors first, in file order."""
    data = load_data(VECTORS_FILE)
    op = load_operation()
    sample = data["defaults"]["sample"]
    sensitive = {m.name for m in op.sensitive_members}
    base_input = build_input(op, {"$required": "sample"}, sample)
    ok = Script(200, (("Content-Type", JSON), (REQUEST_ID_HEADER, "request-vector")), b"{}")
    vectors: list[Vector] = []
    for template in data["requests"]:
        for raw in _expand(template, op, data):
            given = build_input(op, raw["input"], sample)
            present = {k: v for k, v in given.items() if v is not None}
            vectors.append(
                Vector(
                    id=raw["id"],
                    group=raw["group"],
                    kind="request",
                    required=bool(raw.get("required", True)),
                    summary=raw["summary"],
                    source=raw["source"],
                    input=given,
                    script=ok,
                    expect=Expectation("success"),
                    input_valid=request_validator().is_valid(given),
                    secrets=tuple(str(v) for k, v in present.items() if k in sensitive and v),
                )
            )
    for template in data["responses"]:
        for raw in _expand(template, op, data):
            vectors.append(
                Vector(
                    id=raw["id"],
                    group=raw["group"],
                    kind="response",
                    required=bool(raw["required"]),
                    summary=raw["summary"],
                    source=raw["source"],
                    input=dict(base_input),
                    script=_script(raw["script"]),
                    expect=_expectation(raw["expect"]),
                    isolated=bool(raw.get("isolated", False)),
                    secrets=tuple(str(v) for k, v in base_input.items() if k in sensitive),
                )
            )
    ids = [v.id for v in vectors]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"{VECTORS_FILE}: duplicate vector ids {sorted(duplicates)}")
    return tuple(vectors)
