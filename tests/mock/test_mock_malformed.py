"""Raw HTTP for every malformed-request row of the wire reference (section 3), plus the mock's
documented semantics.  Cases are data: the table below is expanded from the model (every member,
every required / optional / patterned member), never written out per member by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from mock_support import Mock

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER, error_validator
from connect_contract.mock import responses
from connect_contract.mock.semantics import CODE, ERROR, ERROR_DESCRIPTION, PARAMETER_ERROR, REQUEST_ERROR
from connect_contract.model import Member, load_operation

OP = load_operation()
MARK = "zq-secret"  # every sensitive value sent contains it; no response may ever contain it
OK = "OK"


def sample(member: Member) -> str:
    return f"{MARK}-{member.name}" if member.sensitive else f"sample-{member.name}"


def body_with(*selected: str, **overrides: Any) -> dict[str, Any]:
    """The required members plus ``selected`` optional members (sample values), then ``overrides``."""
    body: dict[str, Any] = {m.name: sample(m) for m in OP.required_members}
    body.update({name: sample(OP.member(name)) for name in selected})
    body.update(overrides)
    return body


def companions(member: Member) -> tuple[str, ...]:
    """Optional members a valid body sends beside ``member`` (Code, or Error for ErrorDescription)."""
    if member.name == ERROR_DESCRIPTION:
        return (ERROR,)
    return () if member.name in (CODE, ERROR) else (CODE,)


@dataclass(frozen=True)
class Case:
    id: str
    body: bytes
    expected: str  # error name, or OK
    content_type: str | None = "application/json"
    mentions: tuple[str, ...] = ()  # substrings the error message must contain


def js(document: Any) -> bytes:
    return json.dumps(document).encode()


def cases() -> list[Case]:
    table: list[Case] = []
    valid = js(body_with(CODE))
    # 1. not JSON, or not a JSON object -> SerializationException
    for name, raw in {
        "brace-bracket": b"{[",
        "trailing-garbage": valid + b" x",
        "comment": b'{"InstanceId": "i" /* c */}',
        "single-quotes": b"{'InstanceId': 'i'}",
        "trailing-comma": valid[:-1] + b",}",
        "array": b"[]",
        "array-of-object": b"[" + valid + b"]",
        "number": b"10",
        "null": b"null",
        "string": b'"text"',
        "boolean": b"true",
        "empty": b"",
        "whitespace": b"  \n",
        "invalid-utf8": b'{"InstanceId": "\xff\xfe"}',
        "nan": b'{"InstanceId": NaN}',
        "huge-integer": b'{"InstanceId": ' + b"9" * 5000 + b"}",
        "utf8-bom": b"\xef\xbb\xbf" + valid,
        "deeply-nested": b"[" * 5000 + b"]" * 5000,
        "secret-in-broken-json": b'{"Code": "' + MARK.encode() + b'-broken", ',
    }.items():
        table.append(Case(f"serialization-{name}", raw, responses.SERIALIZATION))
    # 2. media type: missing or not JSON -> 415; parameters and case are fine
    for content_type in (None, "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "text/json"):
        table.append(Case(f"media-{content_type}", valid, responses.UNSUPPORTED_MEDIA_TYPE, content_type))
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        table.append(Case(f"media-ok-{content_type}", valid, OK, content_type))
    # order: a broken body is a serialization problem first; a bad member is a media-type problem first
    table.append(Case("order-broken-json-text-plain", b"{[", responses.SERIALIZATION, "text/plain"))
    bad_member = js(body_with(CODE, **{OP.required_members[0].name: 5}))
    table.append(Case("order-bad-member-text-plain", bad_member, responses.UNSUPPORTED_MEDIA_TYPE, "text/plain"))
    # 3. members: type, required, null, length (code points), pattern
    for member in OP.input_members:
        shape, name = member.shape, member.name
        base = companions(member)
        for label, wrong in {"object": {}, "array": [], "number": 1, "boolean": True, "float": 1.5}.items():
            table.append(
                Case(
                    f"type-{name}-{label}",
                    js(body_with(*base, **{name: wrong})),
                    PARAMETER_ERROR,
                    mentions=(name, "type string"),
                )
            )
        if member.required:
            missing = body_with(CODE)
            del missing[name]
            table.append(Case(f"required-missing-{name}", js(missing), PARAMETER_ERROR, mentions=(name, "not be null")))
            table.append(
                Case(
                    f"required-null-{name}",
                    js(body_with(CODE, **{name: None})),
                    PARAMETER_ERROR,
                    mentions=(name, "not be null"),
                )
            )
        else:
            others = (CODE,) if name != CODE else (ERROR,)
            table.append(Case(f"optional-null-{name}", js(body_with(*others, **{name: None})), OK))
        prefix = MARK if member.sensitive else "v"
        if shape.min_length:
            table.append(
                Case(
                    f"below-min-{name}",
                    js(body_with(*base, **{name: ""})),
                    PARAMETER_ERROR,
                    mentions=(name, f"greater than or equal to {shape.min_length}"),
                )
            )
        if shape.max_length:
            at_max = (prefix + "a" * shape.max_length)[: shape.max_length]
            over = prefix + "a" * shape.max_length
            table.append(Case(f"at-max-{name}", js(body_with(*base, **{name: at_max})), OK))
            table.append(
                Case(
                    f"over-max-{name}",
                    js(body_with(*base, **{name: over})),
                    PARAMETER_ERROR,
                    mentions=(name, f"less than or equal to {shape.max_length}"),
                )
            )
            if shape.pattern is None:  # lengths count code points: multi-byte and astral characters count once
                for label, char in {"2-byte": "é", "astral": "\U0001f600"}.items():
                    table.append(
                        Case(f"at-max-{label}-{name}", js(body_with(*base, **{name: char * shape.max_length})), OK)
                    )
                    table.append(
                        Case(
                            f"over-max-{label}-{name}",
                            js(body_with(*base, **{name: char * (shape.max_length + 1)})),
                            PARAMETER_ERROR,
                            mentions=(name, "less than or equal to"),
                        )
                    )
        if shape.pattern is not None:
            suffixes = {
                "quote": '"',
                "backslash": "\\",
                "non-ascii": "×ø",
                "newline-inside": "\nx",
                "trailing-newline": "\n",
                "del": "\x7f",
                "control": "\x1f",
            }
            for label, suffix in suffixes.items():
                table.append(
                    Case(
                        f"pattern-{label}-{name}",
                        js(body_with(*base, **{name: prefix + suffix})),
                        PARAMETER_ERROR,
                        mentions=(name, "regular expression pattern"),
                    )
                )
            # ReDoS-shaped: a long run of allowed characters that fails at the very end
            redos = (prefix + "a" * shape.max_length)[: shape.max_length - 1] + '"'
            table.append(
                Case(f"pattern-redos-{name}", js(body_with(*base, **{name: redos})), PARAMETER_ERROR, mentions=(name,))
            )
    every_member_wrong = {m.name: 7 for m in OP.input_members}
    table.append(
        Case(
            "all-members-wrong",
            js(every_member_wrong),
            PARAMETER_ERROR,
            mentions=tuple(m.name for m in OP.input_members),
        )
    )
    table.append(
        Case("unknown-members-ignored", js(body_with(CODE, Unknown=1, **{"x-schemathesis-unknown-property": 42})), OK)
    )
    # 4. semantics: exactly one of Code / Error; ErrorDescription only with Error
    table.append(Case("semantics-neither", js(body_with()), REQUEST_ERROR, mentions=(CODE, ERROR)))
    table.append(Case("semantics-both", js(body_with(CODE, ERROR)), REQUEST_ERROR, mentions=(CODE, ERROR)))
    table.append(
        Case(
            "semantics-description-with-code",
            js(body_with(CODE, ERROR_DESCRIPTION)),
            REQUEST_ERROR,
            mentions=(ERROR_DESCRIPTION,),
        )
    )
    table.append(Case("semantics-description-alone", js(body_with(ERROR_DESCRIPTION)), REQUEST_ERROR))
    table.append(Case("semantics-error-and-description", js(body_with(ERROR, ERROR_DESCRIPTION)), OK))
    table.append(Case("semantics-code", js(body_with(CODE)), OK))
    table.append(Case("semantics-error", js(body_with(ERROR)), OK))
    return table


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_request(lenient: Mock, case: Case) -> None:
    headers = {} if case.content_type is None else {"Content-Type": case.content_type}
    response = lenient.http.post(lenient.operation_url, data=case.body, headers=headers, timeout=10)
    assert response.headers.get(REQUEST_ID_HEADER)
    assert response.headers.get("Content-Type") == "application/json"
    assert MARK not in response.text, "a sensitive value was echoed"
    if case.expected == OK:
        assert (response.status_code, response.json()) == (200, {}), response.text
        assert ERROR_TYPE_HEADER not in response.headers
        return
    assert response.status_code == responses.error_status(case.expected), response.text
    assert response.headers.get(ERROR_TYPE_HEADER) == case.expected
    document = response.json()
    assert isinstance(document.get("Message"), str) and document["Message"]
    if case.expected in OP.error_names:
        assert not list(error_validator(case.expected).iter_errors(document))
    for fragment in case.mentions:
        assert fragment in document["Message"]
