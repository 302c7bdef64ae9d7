"""The recording scenarios: ``contracts/scenarios.json`` expanded against the model.

The catalogue is data.  Templates ("each optional member", "each member at max length", ...) are
expanded here from :func:`connect_contract.model.load_operation`, so a member added to botocore's
model gets its scenarios without anyone editing a list.  Each scenario is one HTTP request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from connect_contract.cassettes.inputs import model_inputs, serialize
from connect_contract.contracts import load_data
from connect_contract.model import Member, Operation, load_operation
from connect_contract.operations import ServiceOperation, mission_operation
from connect_contract.protocol import JSON_MEDIA_TYPE

SCENARIOS_FILE = "scenarios.json"
JSON_CONTENT_TYPE = JSON_MEDIA_TYPE


@dataclass(frozen=True)
class Scenario:
    """One recorded request: what it is, and the exact bytes and Content-Type that are sent."""

    name: str
    description: str
    body: bytes
    content_type: str | None
    malformed: bool
    # Scenarios of operations other than the mission one carry their whole request (from the model).
    method: str | None = None
    target: str | None = None  # path and query, percent-encoded
    extra_headers: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] | None = None

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.extra_headers)
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return headers

    def sent_values(self) -> list[str]:
        """The value of every sensitive member this request sends (the recorder scans for them)."""
        if self.secrets is not None:
            return list(self.secrets)
        try:
            decoded = json.loads(self.body)
        except ValueError:
            return []
        if not isinstance(decoded, dict):
            return []
        sensitive = {m.name for m in load_operation().sensitive_members}
        return [v if isinstance(v, str) else json.dumps(v) for k, v in decoded.items() if k in sensitive]


def kebab(name: str) -> str:
    """``ErrorDescription`` -> ``error-description`` (scenario and cassette names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def sample(member: Member) -> str:
    """A synthetic value for ``member``: ASCII letters, digits and ``-`` fit every pattern in the model."""
    return f"contract-{kebab(member.name)}-value"


def fill(member: Member, length: int) -> str:
    """The member's sample text repeated to exactly ``length`` code points."""
    unit = sample(member) + "-"
    return (unit * (length // len(unit) + 1))[:length]


def _base(op: Operation) -> dict[str, Any]:
    return {m.name: sample(m) for m in op.required_members}


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _from_body(entry: dict[str, Any], body: dict[str, Any], fields: dict[str, Any]) -> Scenario:
    return Scenario(
        name=entry["name"].format(**fields),
        description=entry["description"].format(**fields),
        body=_encode(body),
        content_type=JSON_CONTENT_TYPE,
        malformed=bool(entry.get("malformed", False)),
    )


def _fields(member: Member) -> dict[str, Any]:
    return {
        "member": kebab(member.name),
        "Member": member.name,
        "max": member.shape.max_length,
        "min": member.shape.min_length,
    }


# template name -> (which members it applies to, the body for one member)
_Rule = tuple[Callable[[Member], bool], Callable[[Operation, Member, dict[str, Any]], dict[str, Any]]]


def _without(op: Operation, member: Member, _entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in _base(op).items() if k != member.name}


def _with_value(value: Callable[[Member, dict[str, Any]], Any]) -> Callable[[Operation, Member, dict[str, Any]], Any]:
    return lambda op, member, entry: {**_base(op), member.name: value(member, entry)}


def _max(m: Member) -> int:
    assert m.shape.max_length is not None
    return m.shape.max_length


def _min(m: Member) -> int:
    assert m.shape.min_length is not None
    return m.shape.min_length


_RULES: dict[str, _Rule] = {
    "each-optional-member": (lambda m: not m.required, _with_value(lambda m, _e: sample(m))),
    "each-member-at-max-length": (
        lambda m: m.shape.max_length is not None,
        _with_value(lambda m, _e: fill(m, _max(m))),
    ),
    "each-member-at-min-length": (
        lambda m: bool(m.shape.min_length),
        _with_value(lambda m, _e: fill(m, _min(m))),
    ),
    "each-member-above-max-length": (
        lambda m: m.shape.max_length is not None,
        _with_value(lambda m, _e: fill(m, _max(m) + 1)),
    ),
    "each-member-below-min-length": (
        lambda m: bool(m.shape.min_length),
        _with_value(lambda m, _e: fill(m, _min(m) - 1)),
    ),
    "each-member-wrong-type": (lambda m: m.shape.type == "string", _with_value(lambda _m, e: e["value"])),
    "each-required-member-missing": (lambda m: m.required, _without),
    "each-patterned-member-violating-pattern": (
        lambda m: m.shape.pattern is not None,
        _with_value(lambda _m, e: e["value"]),
    ),
}


def _expand_template(op: Operation, entry: dict[str, Any]) -> Iterator[Scenario]:
    kind = entry["template"]
    if kind == "required-only":
        yield _from_body(entry, _base(op), {})
        return
    if kind not in _RULES:
        raise ValueError(f"{SCENARIOS_FILE}: unknown template {kind!r}")
    applies, body_for = _RULES[kind]
    for member in op.input_members:
        if applies(member):
            yield _from_body(entry, body_for(op, member, entry), _fields(member))


def _explicit(op: Operation, entry: dict[str, Any]) -> Scenario:
    body = _base(op)
    for name in entry.get("with", ()):
        body[name] = sample(op.member(name))  # KeyError if the model lost the member: fail loudly
    body.update(entry.get("extra", {}))
    raw = entry.get("raw_body")
    content_type = entry.get("content_type", JSON_CONTENT_TYPE)
    return Scenario(
        name=entry["name"],
        description=entry["description"],
        body=raw.encode("utf-8") if raw is not None else _encode(body),
        content_type=content_type,
        malformed=bool(entry.get("malformed", False)),
    )


def load_scenarios(catalogue: dict[str, Any] | None = None, op: Operation | None = None) -> list[Scenario]:
    """Every scenario, in catalogue order; names are unique (checked)."""
    data = catalogue if catalogue is not None else load_data(SCENARIOS_FILE)
    op = op or load_operation()
    scenarios = [s for entry in data.get("templates", ()) for s in _expand_template(op, entry)]
    scenarios += [_explicit(op, entry) for entry in data.get("scenarios", ())]
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{SCENARIOS_FILE}: duplicate scenario names {duplicates}")
    return scenarios


def select(scenarios: list[Scenario], names: list[str]) -> list[Scenario]:
    """The named scenarios (all when ``names`` is empty); ``KeyError`` names the unknown ones."""
    if not names:
        return scenarios
    by_name = {s.name: s for s in scenarios}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [by_name[n] for n in names]


def scenarios_for(op: ServiceOperation) -> list[Scenario]:
    """The mission operation's catalogue (``scenarios.json``), or any other operation's scenarios
    expanded from its model (:mod:`.inputs`): required members only, then every member."""
    if (op.service_name, op.name) == (mission_operation().service_name, mission_operation().name):
        return load_scenarios()
    scenarios = []
    for name, description, params in model_inputs(op):
        wire = serialize(op, params)
        headers = {k: v for k, v in wire.headers.items() if k.lower() != "content-type"}
        content_type = next((v for k, v in wire.headers.items() if k.lower() == "content-type"), None)
        scenarios.append(
            Scenario(
                name=name,
                description=description,
                body=wire.body,
                content_type=content_type,
                malformed=False,
                method=wire.method,
                target=wire.target,
                extra_headers=tuple(sorted(headers.items())),
                secrets=wire.secrets,
            )
        )
    return scenarios
