"""The values of the situation labels, one list for the whole project.

The signposting schema, the taxonomy codes (directory/vocabulary.py), the
scoring of the held-out set (eval/evaluate.py) and two Rasa components (the
place extractor and the reader of messages labelled whole) take their values
from here. The Rasa environment has another pydantic, so this module uses
nothing beyond ``typing``.
"""

from typing import Literal

Characteristic = Literal[
    "race",
    "religion",
    "disability",
    "sexual_orientation",
    "transgender_identity",
    "alternative_subculture",
    "sex_or_gender",
    "other",
    "none",
]
# "none" marks a visitor's statement that the incident was not about who they
# are. It is not a targeted characteristic.
NOT_ABOUT_IDENTITY = "none"
Faith = Literal["muslim", "jewish", "sikh", "hindu", "christian", "other_faith"]
IncidentType = Literal[
    "physical_assault",
    "verbal_abuse",
    "threats",
    "harassment",
    "online_abuse",
    "criminal_damage",
    "hate_material",
    "discrimination",
    "theft_or_robbery",
    "sexual_offence",
    "other",
]
Area = Literal[
    "leicester",
    "blaby",
    "charnwood",
    "harborough",
    "hinckley_and_bosworth",
    "melton",
    "north_west_leicestershire",
    "oadby_and_wigston",
    "rutland",
    "outside_llr",
]
Role = Literal["victim", "witness", "third_party"]
Reading = Literal["crime", "non_crime_incident", "not_hate", "unclear"]
