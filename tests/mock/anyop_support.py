"""Helpers for the any-operation mock tests: covering samples, boto3 clients, JS-ready inputs."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import boto3
import botocore.model
from botocore.config import Config

from connect_contract.operations import ServiceOperation


def _types(shape: botocore.model.Shape, seen: set[str]) -> set[str]:
    """Every member type reachable in a JSON value of ``shape`` (documents and unions named as such)."""
    if shape.name in seen:
        return set()
    seen.add(shape.name)
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {"document"}
        found = {"union" if shape.metadata.get("union") else "structure"}
        for member in shape.members.values():
            found |= _types(member, seen)
        return found
    if kind == "list":
        return {"list"} | _types(shape.member, seen)
    if kind == "map":
        return {"map"} | _types(shape.value, seen)
    if kind == "string" and shape.metadata.get("enum"):
        return {"enum"}
    return {kind}


def features(op: ServiceOperation) -> set[str]:
    """The binding kinds and member types an operation exercises, request and response."""
    found = {f"method:{op.http_method}"}
    if op.paginator:
        found.add("paginated")
    if not op.input:
        found.add("in:no-members")
    if op.model.output_shape is None:
        found.add("out:none")
    elif not op.output:
        found.add("out:empty")
    for side, bindings in (("in", op.input), ("out", op.output)):
        for binding in bindings:
            found.add(f"{side}:{binding.location}:{binding.type_name}")
            if binding.greedy:
                found.add("in:greedy")
            if binding.idempotency_token:
                found.add(f"in:token:{binding.location}")
            for kind in _types(binding.shape, set()):
                found.add(f"{side}:type:{kind}")
    if op.fixed_query:
        found.add("in:fixed-query")
    return found


def covering_sample(operations: tuple[ServiceOperation, ...]) -> list[ServiceOperation]:
    """A few operations that together exercise every feature any of them has (greedy set cover; ties go
    to the first in model order), so the sample is deterministic."""
    wanted = set().union(*(features(op) for op in operations))
    chosen: list[ServiceOperation] = []
    covered: set[str] = set()
    remaining = list(operations)
    while covered != wanted:
        best = max(remaining, key=lambda o: (len(features(o) - covered), -remaining.index(o)))
        chosen.append(best)
        covered |= features(best)
        remaining.remove(best)
    return chosen


def client(service: str, url: str, **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, read_timeout=30, **config),
    )


def method_name(boto: Any, operation: str) -> str:
    return next(method for method, name in boto.meta.method_to_api_mapping.items() if name == operation)


def tagged(value: Any, shape: botocore.model.Shape | None = None) -> Any:
    """botocore parameters as JSON for the JS adapter (dates and bytes tagged, documents kept whole)."""
    if shape is not None and shape.type_name == "structure" and shape.is_document_type:
        return {"$document": value}
    if isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        members = shape.members if shape is not None and shape.type_name == "structure" else {}
        inner = shape.value if shape is not None and shape.type_name == "map" else None
        return {key: tagged(item, members.get(key, inner)) for key, item in value.items()}
    if isinstance(value, list):
        return [
            tagged(item, shape.member if shape is not None and shape.type_name == "list" else None) for item in value
        ]
    return value
