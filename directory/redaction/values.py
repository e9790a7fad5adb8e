"""Redaction of the values of Rasa entities and slots that are personal data.

The assistant's NLU returns two kinds of entity. Label entities carry a code
chosen by the model (`characteristic: religion`, `area: charnwood`), never
the visitor's words, so they are kept. Entities that copy what the visitor
typed (a postcode, a street, a name) are personal data and become placeholders.
A `place` is kept when it is a town, village, neighbourhood or landmark of the
project's place files, because a place that size does not point at a person.
"""

import re
from typing import TYPE_CHECKING

from directory.redaction import patterns
from directory.redaction.lexicon import normalise_phrase

if TYPE_CHECKING:
    from directory.redaction.conversation import ConversationRedactor

PLACE = "PLACE"

# Entities and slots whose values are codes of the assistant's own label sets
# (docs/architecture.md lists them).
LABEL_ENTITIES = frozenset(
    {
        "characteristic",
        "characteristics",
        "faith",
        "faiths",
        "incident_type",
        "incident_types",
        "urgency",
        "severity",
        "role",
        "age_group",
        "area",
        "language",
        "danger_now",
        "wants_anonymous",
        "avoid_police",
    }
)
# Entities that name a place, kept when the place is in the place files.
PLACE_ENTITIES = frozenset(
    {"place", "town", "city", "village", "location", "neighbourhood", "landmark"}
)
# Entities whose whole value is personal data of one type.
PERSONAL_ENTITIES = {
    "postcode": patterns.POSTCODE,
    "postcode_district": patterns.POSTCODE,
    "street": patterns.ADDRESS,
    "address": patterns.ADDRESS,
    "house_number": patterns.ADDRESS,
    "name": patterns.PERSON,
    "person": patterns.PERSON,
    "first_name": patterns.PERSON,
    "last_name": patterns.PERSON,
    "phone": patterns.PHONE,
    "phone_number": patterns.PHONE,
    "email": patterns.EMAIL,
    "url": patterns.URL,
    "handle": patterns.HANDLE,
    "username": patterns.HANDLE,
    "vehicle_registration": patterns.VEHICLE_REG,
    "registration": patterns.VEHICLE_REG,
    "ni_number": patterns.NI_NUMBER,
    "date_of_birth": patterns.DATE_OF_BIRTH,
    "dob": patterns.DATE_OF_BIRTH,
}
LABEL_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def is_personal_entity(
    entity_name: str, value: str, place_names: frozenset[str]
) -> bool:
    """Tell whether the value of `entity_name` is personal data.

    `place_names` are the kept place names, normalised as in
    `directory.redaction.lexicon.normalise_phrase`. An entity this module does
    not list counts as personal.
    """
    name = entity_name.lower()
    if name in LABEL_ENTITIES:
        return not LABEL_CODE.match(value)
    if name in PLACE_ENTITIES:
        return normalise_phrase(value) not in place_names
    return True


def redact_entity_value(
    redactor: "ConversationRedactor", entity_name: str, value: str
) -> str:
    """Return `value` as it may be logged, numbering placeholders with
    `redactor`'s map. Used by `ConversationRedactor.redact_value`."""
    place_names = redactor.engine.lexicon.place_names
    if not is_personal_entity(entity_name, value, place_names):
        return value
    name = entity_name.lower()
    if name in PERSONAL_ENTITIES:
        return redactor.placeholder(PERSONAL_ENTITIES[name], value)
    if name in PLACE_ENTITIES:
        redacted = redactor.redact(value)
        if redacted != value:
            return redacted
        return redactor.placeholder(PLACE, value)
    # A label entity with free text, or an entity this module does not list:
    # redact it as text.
    return redactor.redact(value)


def redact_value(
    entity_name: str, value: str, redactor: "ConversationRedactor | None" = None
) -> str:
    """Return the value of a Rasa entity as it may be logged.

    Pass the conversation's `redactor` so that a postcode in an entity gets the
    same placeholder as in the text. Without one, a fresh redactor numbers the
    placeholder from 1.
    """
    if redactor is None:
        from directory.redaction.conversation import ConversationRedactor

        redactor = ConversationRedactor()
    return redactor.redact_value(entity_name, value)
