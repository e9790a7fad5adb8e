"""Mapping of a Rasa `/model/parse` result to the labels of a situation.

Entity names and values follow the NLU contract in docs/architecture.md.
"""

import logging
from dataclasses import dataclass
from typing import Any, Literal

from directory import vocabulary

logger = logging.getLogger(__name__)

Role = Literal["victim", "witness", "third_party"]


def _codes(taxonomy: vocabulary.Vocabulary) -> frozenset[str]:
    """Return the term codes of a vocabulary, without the catch-all `any`."""
    return frozenset(
        term.code for term in taxonomy.terms if term.code != vocabulary.ANY
    )


# The NLU emits the same codes as the directory's taxonomies.
CHARACTERISTICS = _codes(vocabulary.CHARACTERISTICS)
FAITHS = _codes(vocabulary.FAITHS)
INCIDENT_TYPES = _codes(vocabulary.INCIDENT_TYPES)
AREAS = frozenset(vocabulary.COUNCIL_IDS) | {vocabulary.OUTSIDE_LLR}
# The `characteristic` value for "it was not about who I am".
HATE_DENIED_VALUE = "none"
ROLES: frozenset[str] = frozenset({"witness", "third_party"})

CRISIS_INTENT = "crisis"
# Intents that set a preference of the visitor on the situation.
WANTS_ANONYMOUS_INTENT = "ask_anonymous"
AVOID_POLICE_INTENT = "no_police"


@dataclass(frozen=True)
class ParsedMessage:
    """The intent of one message and the situation labels found in it."""

    intent: str | None
    intent_confidence: float
    characteristics: list[str]
    faiths: list[str]
    incident_types: list[str]
    urgent: bool
    self_harm: bool
    area: str | None
    needs_town: bool
    postcode_district: str | None
    role: Role
    under_18: bool
    low_severity: bool
    hate_denied: bool
    wants_anonymous: bool
    avoid_police: bool

    def describes_situation(self) -> bool:
        """Return whether the message describes anything to signpost.

        A message with no characteristic, no incident type and no urgency (a
        greeting, or a question such as "what is a hate crime?") describes
        nothing, even when it names a place.
        """
        return bool(
            self.characteristics
            or self.incident_types
            or self.urgent
            or self.hate_denied
        )


def map_parse_result(parse_result: dict[str, Any]) -> ParsedMessage:
    """Map a Rasa 3.6 `/model/parse` result to the labels of a situation.

    - `characteristic` `none` sets `hate_denied`, unless another characteristic
      is also present, because any perceived characteristic makes it a hate
      incident.
    - `urgency` `danger_now` sets `urgent`. `urgency` `self_harm` and the
      intent `crisis` set `urgent` and `self_harm`.
    - Several different `area` values keep the first and set `needs_town`.
    - A `postcode_district` sets `needs_town` and leaves `area` empty, unless an
      `area` entity names the council.
    - The intents `ask_anonymous` and `no_police` set `wants_anonymous` and
      `avoid_police`.

    Entity values outside the documented lists are dropped.
    """
    intent_name, confidence = _read_intent(parse_result.get("intent"))
    values = _entity_values(parse_result.get("entities"))

    characteristic_values = values.get("characteristic", [])
    hate_denied = HATE_DENIED_VALUE in characteristic_values
    characteristics = _known(
        [value for value in characteristic_values if value != HATE_DENIED_VALUE],
        CHARACTERISTICS,
        "characteristic",
    )
    urgency = values.get("urgency", [])
    is_crisis = intent_name == CRISIS_INTENT
    areas = _known(values.get("area", []), AREAS, "area")
    postcode_districts = values.get("postcode_district", [])
    roles = _known(values.get("role", []), ROLES, "role")

    return ParsedMessage(
        intent=intent_name,
        intent_confidence=confidence,
        characteristics=characteristics,
        faiths=_known(values.get("faith", []), FAITHS, "faith"),
        incident_types=_known(
            values.get("incident_type", []), INCIDENT_TYPES, "incident_type"
        ),
        urgent="danger_now" in urgency or "self_harm" in urgency or is_crisis,
        self_harm="self_harm" in urgency or is_crisis,
        area=areas[0] if areas else None,
        needs_town=len(areas) > 1 or (not areas and bool(postcode_districts)),
        postcode_district=postcode_districts[0] if postcode_districts else None,
        role=_role(roles),
        under_18="under_18" in values.get("age_group", []),
        low_severity="low" in values.get("severity", []),
        hate_denied=hate_denied and not characteristics,
        wants_anonymous=intent_name == WANTS_ANONYMOUS_INTENT,
        avoid_police=intent_name == AVOID_POLICE_INTENT,
    )


def _read_intent(raw_intent: Any) -> tuple[str | None, float]:
    """Return the intent name and confidence, or (None, 0.0) when absent."""
    if not isinstance(raw_intent, dict):
        return None, 0.0

    name = raw_intent.get("name")
    confidence = raw_intent.get("confidence")
    return (
        name if isinstance(name, str) and name else None,
        float(confidence) if isinstance(confidence, int | float) else 0.0,
    )


def _entity_values(raw_entities: Any) -> dict[str, list[str]]:
    """Group the string values of the entities by entity name, in order, once each."""
    grouped: dict[str, list[str]] = {}
    if not isinstance(raw_entities, list):
        return grouped

    for entity in raw_entities:
        if not isinstance(entity, dict):
            continue

        name = entity.get("entity")
        value = entity.get("value")
        if isinstance(name, str) and isinstance(value, str):
            values = grouped.setdefault(name, [])
            if value not in values:
                values.append(value)
    return grouped


def _known(values: list[str], allowed: frozenset[str], entity: str) -> list[str]:
    """Keep the values in `allowed` and log how many were dropped."""
    known_values = [value for value in values if value in allowed]
    dropped = len(values) - len(known_values)
    if dropped:
        # Only the entity name and a count are logged, because a value outside
        # the documented list may be text that the visitor typed.
        logger.warning(
            "Dropped %s undocumented value(s) of the entity %s", dropped, entity
        )
    return known_values


def _role(roles: list[str]) -> Role:
    """Return the first role found, or `victim`, which the NLU never emits."""
    first = roles[0] if roles else None
    if first == "witness":
        return "witness"
    if first == "third_party":
        return "third_party"
    return "victim"
