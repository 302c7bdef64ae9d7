"""The mock's hot-path shortcuts decide exactly what the slow paths they skip would have decided.

Each shortcut (benchmarks/mock_throughput.py measures what it saves) is held here to its reference: the
strict JSON reader's scanner to ``JSONDecoder.decode``, a string member's ``accepts`` to ``problems``, the request-id
counter to the UUID version 4 format and to uniqueness (forked workers included), the media-type
comparison to the parsing it skips.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_contract.mock import responses
from connect_contract.mock.validation import BodyError, MemberRule, parse_request_json
from connect_contract.model import Member, Shape, load_operation, load_service_model
from connect_contract.protocol import NotJsonError, decode_json, is_json_request_media_type

# --- JSON: the scanner shortcut against decode() ----------------------------------------------------

_REFERENCE = json.JSONDecoder(parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))


def reference(raw: bytes) -> tuple[str, Any]:
    """What the strict reader decided before the shortcut: decode() on the whole text, or why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ("error", "not UTF-8")
    try:
        return ("value", _REFERENCE.decode(text))
    except json.JSONDecodeError as exc:
        return ("error", f"{exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}")
    except RecursionError:
        return ("error", "nested too deeply")
    except ValueError as exc:  # the parse_constant hook, or an integer too long to convert
        return ("error", "bare token" if str(exc) in ("NaN", "Infinity", "-Infinity") else "too long")


def decided(raw: bytes) -> tuple[str, Any]:
    try:
        return ("value", decode_json(raw))
    except NotJsonError as exc:
        message = str(exc)
        for kind, words in (
            ("not UTF-8", "not UTF-8"),
            ("nested too deeply", "nested too deeply"),
            ("bare token", "bare"),
            ("too long", "too long to convert"),
        ):
            if words in message:
                return ("error", kind)
        return ("error", message.removeprefix("not JSON (").removesuffix(")"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    # NaN-free values compare with ==; json.dumps keeps -0.0 apart from 0.0, and types apart (1 vs 1.0 vs True).
    return a[0] == b[0] and json.dumps(a[1], sort_keys=True) == json.dumps(b[1], sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(json_values, st.sampled_from(["", " ", "\n", "\t \r\n"]), st.sampled_from(["", " ", "\n", "x", "}", "]"]))
def test_the_scanner_shortcut_reads_every_document_as_decode_does(value: Any, before: str, after: str) -> None:
    raw = (before + json.dumps(value) + after).encode()
    assert same(decided(raw), reference(raw))


@settings(max_examples=400, deadline=None)
@given(json_values, st.data())
def test_a_cut_or_altered_document_fails_with_decodes_own_message(value: Any, data: st.DataObject) -> None:
    text = json.dumps(value)
    cut = data.draw(st.integers(0, len(text)))
    inserted = data.draw(st.sampled_from(["", ",", "NaN", "Infinity", "\\", '"', "{", "]", "\x00", "\ud800"]))
    raw = (text[:cut] + inserted + text[cut:]).encode("utf-8", errors="surrogatepass")
    assert same(decided(raw), reference(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1}x',
        b"{}}",
        b'{"a": NaN}',
        b'{"a": 1e999}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"\\ud800": 1}',
        b"9" * 5000,
    ],
    ids=["extra data", "extra brace", "bare NaN", "float overflow", "deep nesting", "lone surrogate", "long integer"],
)
def test_the_edge_documents_read_as_decode_reads_them(raw: bytes) -> None:
    assert same(decided(raw), reference(raw))


def test_the_mock_says_what_is_wrong_with_a_body_and_never_what_it_held() -> None:
    for raw, said in (
        (b" \n", "Request body is empty; expected a JSON object"),
        (b'{"Code": "zq-secret', "Request body is not JSON (Unterminated string starting at line 1 column 10)"),
        (b'{"Code": NaN}', 'Request body is not JSON (a bare NaN token; restJson1 sends the string "NaN")'),
        (b'{"Code": "\xff"}', "Request body is not UTF-8 text (byte 10)"),
    ):
        with pytest.raises(BodyError) as raised:
            parse_request_json(raw)
        assert str(raised.value) == said


# --- member rules: accepts() against problems() -----------------------------------------------------


def string_rules() -> list[MemberRule]:
    """A rule for every distinct string constraint (length bounds, pattern) among Connect's string shapes."""
    rules: dict[tuple[Any, ...], MemberRule] = {}
    for name, raw in load_service_model()["shapes"].items():
        if raw["type"] != "string" or "enum" in raw:
            continue
        key = (raw.get("min"), raw.get("max"), raw.get("pattern"))
        if key not in rules:
            shape = Shape(name, "string", min_length=key[0], max_length=key[1], pattern=key[2])
            try:
                rules[key] = MemberRule.from_member(Member(name, shape, required=True))
            except re.error:  # \p{...} classes: Python's re cannot compile them (this validator serves the mission)
                continue
    return list(rules.values())


RULES = string_rules()
MISSION_RULES = [MemberRule.from_member(member) for member in load_operation().input_members]


def test_the_sample_of_rules_has_patterns_and_bounds() -> None:
    assert len(RULES) >= 20
    assert sum(rule.pattern is not None for rule in RULES) >= 10
    assert any(rule.min_length for rule in RULES) and any(rule.max_length for rule in RULES)


candidates = (
    st.text(max_size=40)
    | st.text(alphabet="abcdefABCDEF0123456789-_:/.", max_size=300)
    | st.integers()
    | st.booleans()
    | st.lists(st.text(max_size=3), max_size=3)
    | st.floats()
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(RULES + MISSION_RULES), candidates)
def test_accepts_is_true_exactly_when_problems_finds_none(rule: MemberRule, value: Any) -> None:
    assert rule.accepts(value) == (rule.problems(value) == [])


def test_a_non_string_member_has_no_shortcut() -> None:
    number = MemberRule.from_member(Member("N", Shape("N", "integer"), required=False))
    assert number.accepts(5) is False and number.problems(5) == []  # problems() decides
    assert all(MemberRule.from_member(m).type == "string" for m in load_operation().input_members)  # all shortcut


# --- request ids --------------------------------------------------------------------------------------


def test_request_ids_are_version_4_uuids_and_never_repeat() -> None:
    ids = [responses.new_request_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    for raw in (ids[0], ids[-1]):
        parsed = uuid.UUID(raw.decode())
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed).encode() == raw  # lower-case, hyphenated: the form AWS sends


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_does_not_repeat_its_parents_ids() -> None:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(reader)
        os.write(writer, b" ".join(responses.new_request_id() for _ in range(100)))
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    parent = {responses.new_request_id() for _ in range(100)}
    assert len(child) == 100 and not child & parent
    assert {i[:24] for i in child}.isdisjoint({i[:24] for i in parent})  # a new random prefix


# --- media type -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (b"application/json", True),
        ("application/json", True),
        (b"Application/JSON; charset=utf-8", True),
        (b" application/json\t", True),
        (b"application/json\xa0", False),
        (b"application/hal+json", False),
        (None, False),
    ],
)
def test_the_exact_media_type_shortcut_agrees_with_parsing(value: str | bytes | None, accepted: bool) -> None:
    assert is_json_request_media_type(value) is accepted
