"""Table tests of mapping a Rasa parse result to situation labels."""

import logging
from typing import Any

import pytest

from directory.assessment.mapping import ParsedMessage, map_parse_result


def entity(name: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, **extra}


def parse(intent: str | None = "describe_incident", *entities: dict[str, Any]) -> Any:
    return {
        "text": "",
        "intent": {"name": intent, "confidence": 0.87} if intent else None,
        "entities": list(entities),
    }


CASES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "greeting describes nothing",
        parse("greet"),
        {
            "intent": "greet",
            "characteristics": [],
            "urgent": False,
            "role": "victim",
            "area": None,
            "needs_town": False,
        },
    ),
    (
        "characteristics in order, once each",
        parse(
            "describe_incident",
            entity("characteristic", "religion"),
            entity("characteristic", "race"),
            entity("characteristic", "religion"),
        ),
        {"characteristics": ["religion", "race"], "hate_denied": False},
    ),
    (
        "none means hate denied",
        parse("describe_incident", entity("characteristic", "none")),
        {"characteristics": [], "hate_denied": True},
    ),
    (
        "none with another characteristic is not denied",
        parse(
            "describe_incident",
            entity("characteristic", "none"),
            entity("characteristic", "disability"),
        ),
        {"characteristics": ["disability"], "hate_denied": False},
    ),
    (
        "faiths and incident types",
        parse(
            "describe_incident",
            entity("faith", "sikh"),
            entity("incident_type", "criminal_damage"),
            entity("incident_type", "hate_material"),
        ),
        {"faiths": ["sikh"], "incident_types": ["criminal_damage", "hate_material"]},
    ),
    (
        "danger now is urgent",
        parse("describe_incident", entity("urgency", "danger_now")),
        {"urgent": True, "self_harm": False},
    ),
    (
        "self harm urgency",
        parse("describe_incident", entity("urgency", "self_harm")),
        {"urgent": True, "self_harm": True},
    ),
    (
        "crisis intent",
        parse("crisis"),
        {"urgent": True, "self_harm": True},
    ),
    (
        "low severity",
        parse("describe_incident", entity("severity", "low")),
        {"low_severity": True},
    ),
    (
        "witness role",
        parse("describe_incident", entity("role", "witness")),
        {"role": "witness"},
    ),
    (
        "third party role",
        parse("describe_incident", entity("role", "third_party")),
        {"role": "third_party"},
    ),
    (
        "under 18",
        parse("describe_incident", entity("age_group", "under_18")),
        {"under_18": True},
    ),
    (
        "one area",
        parse("describe_incident", entity("area", "melton")),
        {"area": "melton", "needs_town": False, "postcode_district": None},
    ),
    (
        "same area twice",
        parse("describe_incident", entity("area", "blaby"), entity("area", "blaby")),
        {"area": "blaby", "needs_town": False},
    ),
    (
        "two areas take the first",
        parse(
            "describe_incident", entity("area", "charnwood"), entity("area", "rutland")
        ),
        {"area": "charnwood", "needs_town": True},
    ),
    (
        "outside LLR",
        parse("describe_incident", entity("area", "outside_llr")),
        {"area": "outside_llr", "needs_town": False},
    ),
    (
        "postcode district needs town",
        parse(
            "describe_incident",
            entity(
                "postcode_district",
                "LE2",
                candidates=["leicester", "oadby_and_wigston", "blaby"],
            ),
        ),
        {"area": None, "needs_town": True, "postcode_district": "LE2"},
    ),
    (
        "postcode district with named area",
        parse(
            "describe_incident",
            entity("postcode_district", "LE18"),
            entity("area", "oadby_and_wigston"),
        ),
        {"area": "oadby_and_wigston", "needs_town": False, "postcode_district": "LE18"},
    ),
    (
        "anonymous question",
        parse("ask_anonymous"),
        {"wants_anonymous": True, "avoid_police": False},
    ),
    (
        "no police intent",
        parse("no_police"),
        {"avoid_police": True, "wants_anonymous": False},
    ),
    (
        "undocumented values dropped",
        parse(
            "describe_incident",
            entity("characteristic", "height"),
            entity("area", "narnia"),
            entity("role", "bystander"),
        ),
        {"characteristics": [], "area": None, "role": "victim"},
    ),
    (
        "missing intent",
        parse(None),
        {"intent": None, "intent_confidence": 0.0},
    ),
]


@pytest.mark.parametrize(
    ("parse_result", "expected"),
    [
        pytest.param(parse_result, expected, id=name)
        for name, parse_result, expected in CASES
    ],
)
def test_map_parse_result_fields(parse_result: Any, expected: dict[str, Any]) -> None:
    parsed = map_parse_result(parse_result)

    for field, value in expected.items():
        assert getattr(parsed, field) == value, field


def test_map_parse_result_confidence() -> None:
    assert map_parse_result(parse("greet")).intent_confidence == 0.87


@pytest.mark.parametrize(
    "malformed",
    [
        {},
        {"intent": "greet", "entities": "race"},
        {"intent": {"name": 3, "confidence": "high"}, "entities": [None, 5]},
        {"entities": [{"entity": "characteristic", "value": ["race"]}]},
    ],
)
def test_map_parse_result_malformed_input(malformed: Any) -> None:
    parsed = map_parse_result(malformed)

    assert parsed.intent is None
    assert parsed.characteristics == []


@pytest.mark.parametrize(
    ("parsed_fields", "describes"),
    [
        ({}, False),
        ({"area": "melton"}, False),
        ({"characteristics": ["race"]}, True),
        ({"incident_types": ["threats"]}, True),
        ({"urgent": True}, True),
        ({"hate_denied": True}, True),
    ],
)
def test_describes_situation_by_labels(
    parsed_fields: dict[str, Any], describes: bool
) -> None:
    defaults: dict[str, Any] = {
        "intent": None,
        "intent_confidence": 0.0,
        "characteristics": [],
        "faiths": [],
        "incident_types": [],
        "urgent": False,
        "self_harm": False,
        "area": None,
        "needs_town": False,
        "postcode_district": None,
        "role": "victim",
        "under_18": False,
        "low_severity": False,
        "hate_denied": False,
        "wants_anonymous": False,
        "avoid_police": False,
    }
    parsed = ParsedMessage(**{**defaults, **parsed_fields})

    assert parsed.describes_situation() is describes


def test_dropped_value_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    map_parse_result(parse("describe_incident", entity("area", "my street by Jo's")))

    assert "my street" not in caplog.text
    assert "area" in caplog.text
