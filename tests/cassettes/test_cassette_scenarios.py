"""The scenario catalogue is data expanded from the model: every template covers the members it names."""

from __future__ import annotations

import json

import pytest

from connect_contract.cassettes.scenarios import JSON_CONTENT_TYPE, kebab, load_scenarios, select
from connect_contract.contracts import request_validator
from connect_contract.model import load_operation


def test_names_are_unique_and_every_optional_member_has_its_scenario() -> None:
    names = [s.name for s in load_scenarios()]
    assert len(names) == len(set(names))
    for member in load_operation().optional_members:
        assert f"optional-{kebab(member.name)}" in names


@pytest.mark.parametrize("member", load_operation().input_members, ids=lambda m: m.name)
def test_length_limits_are_exact_for_every_member(member: object) -> None:
    by_name = {s.name: s for s in load_scenarios()}
    name = kebab(member.name)  # type: ignore[attr-defined]
    shape = member.shape  # type: ignore[attr-defined]
    at_max = json.loads(by_name[f"{name}-at-max-length"].body)[member.name]  # type: ignore[attr-defined]
    above = json.loads(by_name[f"{name}-above-max-length"].body)[member.name]  # type: ignore[attr-defined]
    assert (len(at_max), len(above)) == (shape.max_length, shape.max_length + 1)


def test_exactly_the_malformed_scenarios_break_the_request_contract() -> None:
    for scenario in load_scenarios():
        try:
            body = json.loads(scenario.body)
        except ValueError:
            body = None
        valid = (
            scenario.content_type == JSON_CONTENT_TYPE and isinstance(body, dict) and request_validator().is_valid(body)
        )
        assert valid is not scenario.malformed, scenario.name


def test_unknown_template_and_duplicates_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        load_scenarios({"templates": [{"template": "nope", "name": "x", "description": "x"}]})
    twice = {"scenarios": [{"name": "a", "description": "d"}, {"name": "a", "description": "d"}]}
    with pytest.raises(ValueError, match="duplicate"):
        load_scenarios(twice)


def test_select_names_the_unknown_scenarios() -> None:
    with pytest.raises(KeyError, match="nope"):
        select(load_scenarios(), [load_scenarios()[0].name, "nope"])
