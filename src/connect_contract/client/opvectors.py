"""Client vectors for any rest-json operation, expanded from ``contracts/vectors/client-bindings.json``.

The templates are data (Smithy-protocol-test style, each naming its ``source``); this module picks the
members each template applies to (by location and type, in model order, at most
``max_members_per_template``), builds values that fit the model (enums, lengths, ranges), and scripts
the responses.  Whether a client may refuse an input is decided by the model: botocore's own parameter
validation (what boto3 and the AWS CLI refuse before sending) and the operation's request contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import botocore.model
import botocore.validate

from connect_contract.client.covering import type_name as pair_type
from connect_contract.client.scripted_server import Script
from connect_contract.client.values import instant, iso, to_python, unb64
from connect_contract.client.vectors import Expectation, Vector, settings
from connect_contract.client.wire import to_wire
from connect_contract.contracts import REQUEST_ID_HEADER, load_data
from connect_contract.operations import Binding, ServiceOperation
from connect_contract.operations.patterns import intended_pattern
from connect_contract.protocol import JSON_MEDIA_TYPE

TEMPLATES_FILE = "vectors/client-bindings.json"
JSON = JSON_MEDIA_TYPE
_NUMBER_LIMITS = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**53 - 1), 2**53 - 1),  # beyond 2^53 the JS SDK rounds (restjson-bindings.md §2, §4)
    "float": (-3.0e38, 3.0e38),
    "double": (-1.0e308, 1.0e308),
}
_DEPTH = 5  # nested structures are filled this deep (recursive shapes terminate)


def _is_document(shape: botocore.model.Shape) -> bool:
    return shape.type_name == "structure" and bool(shape.is_document_type)


def type_of(shape: botocore.model.Shape) -> str:
    return "document" if _is_document(shape) else str(shape.type_name)


class Samples:
    """Values that fit the model, in the documented encoding."""

    def __init__(self, values: dict[str, Any], *, falsy: bool = False) -> None:
        self.values = values
        self.falsy = falsy  # false and 0 (within range) instead of true and 1: must be read, not dropped

    def scalar(self, shape: botocore.model.Shape, name: str) -> Any:
        meta, kind = shape.metadata, shape.type_name
        if kind == "string":
            if meta.get("enum"):
                return meta["enum"][0]
            text = f"sample-{name}"
            return text.ljust(int(meta.get("min", 0)), "x")[: int(meta.get("max", 10**6))]
        if kind in ("integer", "long"):
            low, high = _limits(shape)
            return int(min(max(0 if self.falsy else 1, low), high))
        if kind in ("float", "double"):
            low, high = _limits(shape)
            return float(min(max(0.0 if self.falsy else 1.5, low), high))
        if kind == "boolean":
            return not self.falsy
        if kind == "timestamp":
            return self.values["timestamp"]
        if kind == "blob":
            return self.values["blob"]
        raise ValueError(kind)

    def value(self, shape: botocore.model.Shape, name: str, *, full: bool, depth: int = 0) -> Any:
        kind = type_of(shape)
        if kind == "document":
            return self.values["document"]
        if kind == "structure":
            if depth >= _DEPTH:
                return None  # too deep: left out (recursive shapes end here)
            required = set(shape.required_members)
            chosen = [n for n in shape.members if full or n in required]
            if shape.metadata.get("union"):
                chosen = list(shape.members)
            values = {n: self.value(shape.members[n], n, full=full, depth=depth + 1) for n in chosen}
            values = {n: v for n, v in values.items() if v is not None}
            if shape.metadata.get("union"):  # exactly one member of a union (two fail botocore's parser)
                values = dict(list(values.items())[:1])
                return values or None
            return values
        if kind == "list":
            count = max(int(shape.metadata.get("min", 0)), 1)
            items = [self.value(shape.member, name, full=full, depth=depth + 1) for _ in range(count)]
            return [item for item in items if item is not None]
        if kind == "map":
            key = self.scalar(shape.key, "key") if shape.key.metadata.get("enum") else "key1"
            item = self.value(shape.value, name, full=full, depth=depth + 1)
            return {} if item is None else {key: item}
        if full and kind == "timestamp":
            return self.values["timestamp_fraction"]
        return self.scalar(shape, name)

    def empty_collections(self, shape: botocore.model.Shape, name: str) -> Any:
        """A value whose lists and maps (this one, and those one level down) are all empty."""
        kind = type_of(shape)
        if kind == "list":
            return []
        if kind == "map":
            return {}
        if kind == "structure":
            base = self.value(shape, name, full=False)
            for member_name, member in shape.members.items():
                if member.type_name in ("list", "map") and not shape.metadata.get("union"):
                    base[member_name] = [] if member.type_name == "list" else {}
            return base
        return self.value(shape, name, full=False)

    def named(self, spec: Any, binding: Binding) -> Any:
        """The value a template names for one member."""
        shape = binding.shape
        if spec is None or isinstance(spec, bool):
            return spec
        if spec == "sample":
            return self.value(shape, binding.name, full=False)
        if spec == "full":
            return self.value(shape, binding.name, full=True)
        if spec == "empty-collections":
            return self.empty_collections(shape, binding.name)
        if spec in ("list-1", "list-2"):
            item = self.value(shape.member, binding.name, full=False)
            second = _other(item)
            return [item] if spec == "list-1" else [item, second]
        if spec == "list-empty":
            return []
        if spec == "zero":
            return 0.0 if shape.type_name in ("float", "double") else 0
        if spec in ("range-min", "range-max"):
            low, high = _limits(shape)
            return low if spec == "range-min" else high
        if isinstance(spec, str) and spec in self.values:
            return self.values[spec]
        if isinstance(spec, str):
            return spec
        raise ValueError(f"{TEMPLATES_FILE}: unsupported value {spec!r}")


def _other(item: Any) -> Any:
    if isinstance(item, str):
        seconds = instant(item) if item[:1].isdigit() else None
        if seconds is not None and "T" in item:
            return item.replace("2019", "2020", 1)
        return item + "-2"
    if isinstance(item, bool):
        return not item
    if isinstance(item, int | float):
        return item + 1
    return item


def _limits(shape: botocore.model.Shape) -> tuple[Any, Any]:
    low, high = _NUMBER_LIMITS[shape.type_name]
    meta = shape.metadata
    cast = int if shape.type_name in ("integer", "long") else float
    return cast(meta.get("min", low)), cast(meta.get("max", high))


def _matches(binding: Binding, select: dict[str, Any]) -> bool:
    shape = binding.shape
    if binding.location == "status":
        return False
    if "location" in select and binding.location not in select["location"]:
        return False
    if "type" in select and type_of(shape) not in select["type"]:
        return False
    if "greedy" in select and binding.greedy != select["greedy"]:
        return False
    if "idempotency" in select and binding.idempotency_token != select["idempotency"]:
        return False
    if "optional" in select and binding.required == select["optional"]:
        return False
    if "enum" in select and bool(shape.metadata.get("enum")) != select["enum"]:
        return False
    if "json" in select and bool(shape.serialization.get("jsonvalue")) != select["json"]:
        return False
    return not binding.event_stream  # event streams are binary frames, not judged here


@cache
def _templates() -> dict[str, Any]:
    data: dict[str, Any] = load_data(TEMPLATES_FILE)
    return data


def _violations(op: ServiceOperation, given: dict[str, Any]) -> list[str]:
    """Why a client may refuse ``given``: botocore's own validation, then the request contract's limits."""
    shape = op.model.input_shape
    if shape is None:
        return []
    report = botocore.validate.ParamValidator().validate(to_python(shape, given), shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + _beyond_limits(shape, given)


def _beyond_limits(shape: botocore.model.Shape, value: Any) -> list[str]:
    """max length/value, pattern and enum: what botocore does not check but a client may."""
    meta, kind = shape.metadata, shape.type_name
    found: list[str] = []
    if value is None:
        return found
    if kind == "structure" and not _is_document(shape) and isinstance(value, dict):
        for name, item in value.items():
            if name in shape.members:
                found += _beyond_limits(shape.members[name], item)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            found.append("list too long")
        for item in value:
            found += _beyond_limits(shape.member, item)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += _beyond_limits(shape.key, key) + _beyond_limits(shape.value, item)
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            found.append("string too long")
        if meta.get("enum") and value not in meta["enum"]:
            found.append("not in the enum")
        if meta.get("pattern"):
            try:
                if re.search(intended_pattern(meta["pattern"]), value) is None:
                    found.append("pattern")
            except re.error:
                pass
    elif (
        kind in ("integer", "long", "float", "double")
        and isinstance(value, int | float)
        and value > meta.get("max", value)
    ):
        found.append("above max")
    return found


def _ok_script(op: ServiceOperation) -> Script:
    """A plain success for request vectors: the smallest answer every client reads as success."""
    headers: list[tuple[str, str]] = [(REQUEST_ID_HEADER, "request-vector")]
    body = b""
    if op.has_json_output_body:
        headers.insert(0, ("Content-Type", JSON))
        body = b"{}"
    return Script(op.response_code if op.response_code != 204 else 204, tuple(headers), body)


def base_input(op: ServiceOperation, samples: Samples) -> dict[str, Any]:
    return {b.name: samples.value(b.shape, b.name, full=False) for b in op.input if b.required}


def _chosen(op: ServiceOperation, select: dict[str, Any], limit: int) -> list[Binding | None]:
    """The members a template applies to: the first ``limit`` that match, then, for a template that selects by
    type, the first match of each (location, type) pair those leave out.  The covering set counts pairs
    (covering.py): geo-maps:GetStaticMap's only float query member, Zoom, is its fifth number, so the pair is
    exercised only this way.  The first ``limit`` come first, so every vector id of before stays."""
    matching = [b for b in op.input if _matches(b, select)]
    chosen: list[Binding | None] = list(matching[:limit])
    if "type" in select:
        seen = {(b.location, pair_type(b.shape)) for b in matching[:limit]}
        for binding in matching[limit:]:
            pair = (binding.location, pair_type(binding.shape))
            if pair not in seen:
                seen.add(pair)
                chosen.append(binding)
    return chosen


def request_vectors(op: ServiceOperation) -> Iterator[Vector]:
    data = _templates()
    samples = Samples(data["values"])
    base = base_input(op, samples)
    limit = int(data["max_members_per_template"])
    prefix = f"{op.service_name}:{op.name}/"
    for template in data["requests"]:
        select = template["select"]
        targets: list[Binding | None] = [None] if select is None else _chosen(op, select, limit)
        for binding in targets:
            given = dict(base)
            omitted: tuple[str, ...] = ()
            if binding is not None:
                value = samples.named(template["value"], binding)
                if value == "omit":  # the generated-token templates: the member is left out
                    given.pop(binding.name, None)
                    omitted = (binding.name,)
                else:
                    given[binding.name] = value
            # Every token the call leaves out is the client's to fill (not only the template's member).
            omitted += tuple(b.name for b in op.idempotency_tokens if b.name not in given and b.name not in omitted)
            member = binding.name if binding is not None else "*"
            vector_id = prefix + template["id"].replace("{member}", member)
            # An explicit null may be refused locally (boto3 and the AWS CLI do), like any input the model refuses.
            problems = _violations(op, {k: v for k, v in given.items() if v is not None})
            problems += [f"{k} is null" for k, v in given.items() if v is None]
            yield Vector(
                secrets=_sensitive_values(op.model.input_shape, given),
                id=vector_id,
                group=prefix + template["id"].replace("{member}", "*"),
                kind="request",
                required=bool(template.get("required", True)),
                summary=template["summary"],
                source=template["source"],
                input=given,
                script=_ok_script(op),
                expect=Expectation("success"),
                input_valid=not problems,
                service=op.service_name,
                operation=op.name,
                exact_labels=bool(template.get("exact_labels", False)),
                exact_timestamps=bool(template.get("exact_timestamps", False)),
                generated_tokens=omitted,
            )


# --- responses ------------------------------------------------------------------------------------


def _output_value(op: ServiceOperation, samples: Samples, mode: str) -> dict[str, Any]:
    """The output members served, in the documented encoding (what a client must report back)."""
    out: dict[str, Any] = {}
    for binding in op.output:
        if binding.location == "status" or binding.event_stream:
            continue
        if mode == "required" and not binding.required:
            continue
        if mode == "empty" and binding.location in ("body", "payload"):
            continue
        if binding.location == "prefix-headers":
            # lower-case keys: botocore reports names as received, the JS SDK lower-cased (§3)
            out[binding.name] = {"x-scripted-one": "v1"} if binding.wire_name == "" else {"one": "v1"}
            continue
        if binding.location == "header" and binding.wire_name.lower() in ("content-length", "content-type"):
            continue  # follow the body the script serves (set below)
        if binding.location == "header" and binding.shape.serialization.get("jsonvalue"):
            continue  # botocore decodes the JSON, the JS SDK hands back the text (§3): not comparable
        if binding.location == "header" and binding.type_name == "list":
            out[binding.name] = ["a", "b"]
            continue
        value = samples.value(binding.shape, binding.name, full=mode in ("full", "unknown"))
        if binding.location == "header" and binding.type_name == "timestamp":
            value = iso(Decimal(int(instant(value) or 0)))  # an http-date holds whole seconds
        if value is not None:
            out[binding.name] = value
    return out


def _serve(op: ServiceOperation, output: dict[str, Any], mode: str, unknown: str) -> tuple[Script, dict[str, Any]]:
    headers: list[tuple[str, str]] = []
    body = b""
    expected = dict(output)
    payload = op.output_payload
    content_type = None
    if payload is not None and payload.name in output:
        value = output[payload.name]
        if payload.type_name == "blob":
            body = unb64(value) or b""
            content_type = "application/octet-stream"
        elif payload.type_name == "string":
            body = str(value).encode("utf-8")
            content_type = "text/plain"
        else:
            body = json.dumps(to_wire(payload.shape, value), ensure_ascii=False).encode("utf-8")
            content_type = JSON
    elif op.has_json_output_body and mode != "empty":
        members = {b.name: output[b.name] for b in op.output_body if b.name in output}
        shape = op.model.output_shape
        wire = to_wire(shape, members) if shape is not None else {}
        if mode == "unknown":
            wire[unknown] = {"nested": [1, "x"]}
            for b in op.output_body:  # one unknown key inside the first nested structure too
                inner = wire.get(b.wire_name)
                if b.type_name == "structure" and isinstance(inner, dict) and not _is_document(b.shape):
                    inner[unknown] = "ignored"
                    break
        body = json.dumps(wire, ensure_ascii=False).encode("utf-8")
        content_type = JSON
    headers += _output_headers(op, output, expected, content_type, body)
    for binding in op.output_prefix_headers:
        for key, value in output.get(binding.name, {}).items():
            headers.append((binding.wire_name + key, value))
    if content_type is not None:
        headers.insert(0, ("Content-Type", content_type))
    headers.append((REQUEST_ID_HEADER, "0c9b5ae1-5b0e-4f55-9a3c-client-vector"))
    status = op.response_code
    if op.status_member is not None:
        status = 202 if mode == "status" and status == 200 else status
        expected[op.status_member.name] = status
    if status == 204:
        body = b""
    return Script(status, tuple(headers), body), expected


def _output_headers(
    op: ServiceOperation, output: dict[str, Any], expected: dict[str, Any], content_type: str | None, body: bytes
) -> list[tuple[str, str]]:
    """Header-bound output members as served; Content-Type and Content-Length follow the body served."""
    headers = []
    for binding in op.output_headers:
        name = binding.wire_name
        if name.lower() == "content-type":
            if content_type is not None:
                expected[binding.name] = content_type
        elif name.lower() == "content-length":
            expected[binding.name] = len(body)
        elif binding.name in output and binding.type_name == "list":
            items = output[binding.name]
            headers.append((name, ", ".join(to_wire(binding.shape.member, v, "header") for v in items)))
        elif binding.name in output:
            headers.append((name, to_wire(binding.shape, output[binding.name], "header")))
    return headers


def response_vectors(op: ServiceOperation) -> Iterator[Vector]:
    data = _templates()
    samples = Samples(data["values"])
    given = base_input(op, samples)
    prefix = f"{op.service_name}:{op.name}/"
    unknown = data["values"]["unknown_member"]
    for template in data["responses"]:
        when = template.get("when")
        if when == "output-status" and op.status_member is None:
            continue
        if when == "output-body-timestamp" and not any("timestamp" in _types(b.shape) for b in op.output_body):
            continue
        falsy_types = ("boolean", "integer", "long", "float", "double")
        if when == "output-falsy" and not any(t in falsy_types for b in op.output for t in _types(b.shape)):
            continue
        common = {
            "secrets": _sensitive_values(op.model.input_shape, given),
            "kind": "response",
            "required": bool(template.get("required", True)),
            "summary": template["summary"],
            "source": template["source"],
            "input": dict(given),
            "input_valid": not _violations(op, given),
            "service": op.service_name,
            "operation": op.name,
        }
        if template.get("error"):
            errors = op.errors[: int(template.get("max_errors", len(op.errors)))]
            for error in errors:
                message = f"{error.name} scripted for {op.name}"
                if template["error"] == "body-code":
                    script = Script(
                        error.status,
                        (("Content-Type", JSON),),
                        json.dumps({"code": error.name, "Message": message}).encode(),
                    )
                else:
                    script = Script(
                        error.status,
                        (("Content-Type", JSON), ("X-Amzn-Errortype", error.name)),
                        json.dumps({"Message": message}).encode(),
                    )
                vid = prefix + template["id"].replace("{error}", error.name)
                yield Vector(
                    id=vid,
                    group=prefix + template["id"].replace("{error}", "*"),
                    script=script,
                    expect=Expectation("error", error.name, (message,)),
                    **common,
                )
            continue
        mode = template["serve"]
        if op.model.output_shape is None and mode != "empty":
            continue
        served = Samples(data["values"], falsy=True) if mode == "falsy" else samples
        script, expected = _serve(op, _output_value(op, served, "full" if mode == "falsy" else mode), mode, unknown)
        yield Vector(
            id=prefix + template["id"],
            group=prefix + template["id"],
            script=script,
            expect=Expectation("success", output=expected, unknown=(unknown,) if mode == "unknown" else ()),
            **common,
        )


def _sensitive_values(shape: botocore.model.Shape | None, value: Any) -> tuple[str, ...]:
    """The text of every ``sensitive`` value in an input (any depth), for scrubbing every detail shown."""
    if shape is None or value is None:
        return ()
    if shape.metadata.get("sensitive"):
        return tuple(str(v) for v in (value if isinstance(value, list) else [value]) if str(v))
    if shape.type_name == "structure" and not _is_document(shape) and isinstance(value, dict):
        return tuple(s for k, v in value.items() if k in shape.members for s in _sensitive_values(shape.members[k], v))
    if shape.type_name == "list" and isinstance(value, list):
        return tuple(s for item in value for s in _sensitive_values(shape.member, item))
    if shape.type_name == "map" and isinstance(value, dict):
        return tuple(s for item in value.values() for s in _sensitive_values(shape.value, item))
    return ()


@cache
def _types(shape: botocore.model.Shape) -> tuple[str, ...]:
    seen: set[str] = set()
    todo = [shape]
    found = []
    while todo:
        s = todo.pop()
        if s.name in seen:
            continue
        seen.add(s.name)
        found.append(type_of(s))
        if s.type_name == "structure" and not _is_document(s):
            todo += list(s.members.values())
        elif s.type_name == "list":
            todo.append(s.member)
        elif s.type_name == "map":
            todo += [s.key, s.value]
    return tuple(found)


def operation_vectors(op: ServiceOperation) -> tuple[Vector, ...]:
    vectors = (*request_vectors(op), *response_vectors(op))
    settings()  # the shared defaults (region, credentials) load once, from the mission file
    return vectors
