"""Tests of the condition language shared by the content files."""

from typing import Any

import pytest

from directory.signposting.conditions import (
    check_when,
    situation_fact_specs,
    when_holds,
)

FACTS: dict[str, Any] = {
    "characteristics": ["religion"],
    "faiths": ["muslim"],
    "incident_types": ["criminal_damage", "hate_material"],
    "area": "charnwood",
    "urgent": False,
    "self_harm": True,
    "role": "victim",
    "likely": None,
}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (None, True),
        ({}, True),
        ({"urgent": False}, True),
        ({"urgent": True}, False),
        ({"urgent": False, "self_harm": True}, True),
        ({"urgent": True, "self_harm": True}, False),
        ([{"urgent": True}, {"self_harm": True}], True),
        ([{"urgent": True}, {"self_harm": False}], False),
        ({"area": "charnwood"}, True),
        ({"area": "leicester"}, False),
        ({"area": {"in": ["blaby", "charnwood"]}}, True),
        ({"area": {"not_in": ["blaby", "charnwood"]}}, False),
        ({"likely": None}, True),
        ({"likely": "crime"}, False),
        ({"characteristics": "not_empty"}, True),
        ({"characteristics": "empty"}, False),
        ({"incident_types": {"any_of": ["criminal_damage", "threats"]}}, True),
        ({"incident_types": {"any_of": ["threats"]}}, False),
        ({"incident_types": {"only": ["criminal_damage"]}}, False),
        ({"incident_types": {"only": ["criminal_damage", "hate_material"]}}, True),
        ({"faiths": {"none_of": ["jewish"]}}, True),
        ({"faiths": {"none_of": ["muslim"]}}, False),
    ],
)
def test_when_holds_table(when: Any, expected: bool) -> None:
    assert when_holds(when, FACTS) is expected


def test_only_needs_a_value() -> None:
    assert when_holds({"faiths": {"only": ["muslim"]}}, {"faiths": []}) is False


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"urgnet": True}, "unknown field 'urgnet'"),
        ({"urgent": "yes"}, "true or false"),
        ({"characteristics": "some"}, "empty, not_empty"),
        ({"characteristics": {"any_of": ["rase"]}}, "no value"),
        ({"incident_types": {"all_of": ["threats"]}}, "any_of"),
        ({"area": {"in": "charnwood"}}, "must be a list"),
        ({"area": "narnia"}, "no value"),
        ({"likely": "probably"}, "no value"),
        (["urgent"], "mapping"),
    ],
)
def test_check_when_rejects_mistakes(when: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        check_when(when, situation_fact_specs())
