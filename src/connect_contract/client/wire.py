"""Between the documented encoding and the wire, for any rest-json operation, by location.

``to_wire`` turns a value in the adapter protocol's encoding (ISO timestamps, base64 blobs, member
names) into what travels in a JSON body, a header or a query string per the model's timestamp format
and ``locationName``s (Smithy restJson1; restjson-bindings.md §1-§4).  ``from_wire`` reads a JSON
body back into the documented encoding and says which keys were not the model's.  ``percent_encode``
is the label encoding Smithy and both SDKs use.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import botocore.model

from connect_contract.client.values import http_date, instant, iso
from connect_contract.contracts.schemas import timestamp_format


def percent_encode(text: str, *, greedy: bool = False) -> str:
    """Every byte but ``A-Za-z0-9-._~`` as %XX (UTF-8, uppercase hex); a greedy label keeps ``/``."""
    return quote(text, safe="/~" if greedy else "~")


def _number(seconds: Decimal) -> int | float:
    return int(seconds) if seconds == seconds.to_integral_value() else float(seconds)


def timestamp_on_wire(shape: botocore.model.Shape, value: str, location: str) -> Any:
    seconds = instant(value)
    if seconds is None:
        return value
    form = timestamp_format(shape, location)
    if form == "unixTimestamp":
        return _number(seconds) if location in ("body", "payload") else str(_number(seconds))
    if form == "rfc822":
        return http_date(seconds)
    return iso(seconds)


def to_wire(shape: botocore.model.Shape, value: Any, location: str = "body") -> Any:
    """A JSON body value (location body/payload), or the text of a label, query value or header."""
    if value is None:
        return None
    kind = shape.type_name
    if location not in ("body", "payload"):
        if kind == "timestamp":
            return timestamp_on_wire(shape, value, location)
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "string" and shape.serialization.get("jsonvalue"):
            import base64

            return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
        return str(value)
    if kind == "structure" and not shape.is_document_type:
        members = shape.members
        return {
            members[name].serialization.get("name", name): to_wire(members[name], item)
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        return [to_wire(shape.member, item) for item in value]
    if kind == "map":
        return {key: to_wire(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return timestamp_on_wire(shape, value, "body")
    return value


def from_wire(shape: botocore.model.Shape, value: Any, where: str = "") -> tuple[Any, list[str]]:
    """A JSON body value in the documented encoding, and the paths of keys that are not the model's."""
    kind = shape.type_name
    if value is None:
        return None, []
    if kind == "structure" and not shape.is_document_type:
        if not isinstance(value, dict):
            return value, []
        by_wire = {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()}
        decoded, unknown = {}, []
        for key, item in value.items():
            if key not in by_wire:
                unknown.append(f"{where}.{key}".lstrip("."))
                continue
            name, member = by_wire[key]
            decoded[name], deeper = from_wire(member, item, f"{where}.{key}".lstrip("."))
            unknown += deeper
        return decoded, unknown
    if kind == "list" and isinstance(value, list):
        items = [from_wire(shape.member, item, f"{where}[{i}]") for i, item in enumerate(value)]
        return [item for item, _ in items], [u for _, deeper in items for u in deeper]
    if kind == "map" and isinstance(value, dict):
        entries = {k: from_wire(shape.value, item, f"{where}[{k!r}]") for k, item in value.items()}
        return {k: item for k, (item, _) in entries.items()}, [u for _, deeper in entries.values() for u in deeper]
    if kind == "timestamp":
        seconds = instant(value)
        return (iso(seconds) if seconds is not None else value), []
    return value, []
