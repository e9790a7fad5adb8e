"""Tests of the reading rules in content/readings.yml."""

from typing import Any

import pytest

from directory.signposting.engine import likely
from directory.signposting.schemas import Situation

READING_CASES = [
    ({}, None),
    ({"self_harm": True}, None),
    ({"characteristics": ["race"], "incident_types": ["physical_assault"]}, "crime"),
    (
        {"characteristics": ["sexual_orientation"], "incident_types": ["threats"]},
        "crime",
    ),
    (
        {
            "characteristics": ["disability"],
            "incident_types": ["verbal_abuse", "harassment"],
        },
        "crime",
    ),
    (
        {
            "characteristics": ["religion"],
            "incident_types": ["criminal_damage", "hate_material"],
        },
        "crime",
    ),
    (
        {
            "characteristics": ["transgender_identity"],
            "incident_types": ["verbal_abuse"],
            "low_severity": True,
        },
        "non_crime_incident",
    ),
    (
        {"characteristics": ["disability"], "incident_types": ["discrimination"]},
        "non_crime_incident",
    ),
    (
        {
            "characteristics": ["disability"],
            "incident_types": ["discrimination", "threats"],
        },
        "crime",
    ),
    (
        {"characteristics": ["disability"], "incident_types": ["verbal_abuse"]},
        "unclear",
    ),
    ({"characteristics": ["religion"], "incident_types": ["online_abuse"]}, "unclear"),
    ({"characteristics": ["race"]}, "unclear"),
    ({"incident_types": ["theft_or_robbery"]}, "not_hate"),
    ({"characteristics": ["none"], "incident_types": ["verbal_abuse"]}, "not_hate"),
    ({"characteristics": ["none"]}, None),
    (
        {
            "characteristics": ["race"],
            "incident_types": ["physical_assault"],
            "hate_denied": True,
        },
        "not_hate",
    ),
    ({"hate_denied": True}, "not_hate"),
]


@pytest.mark.parametrize(("situation", "reading"), READING_CASES)
def test_likely_reading_table(situation: dict[str, Any], reading: str | None) -> None:
    assert likely(Situation(**situation)) == reading
