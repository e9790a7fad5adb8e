"""The assessment slots of a turn, reduced to labels, and their signposting.

Slot values come from the NLU components' label vocabularies (see
docs/architecture.md), except `postcode_district`, which is an outward code.
Values that do not look like a label are passed through `redact_value`, so a
slot that a future action fills with free text cannot carry it into the log.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from directory.signposting.engine import likely, signpost
from directory.signposting.recent import recent_results
from directory.signposting.schemas import Situation
from directory.signposting.slots import situation_fields

if TYPE_CHECKING:
    from directory.redaction import ConversationRedactor

logger = logging.getLogger(__name__)


# Slots that describe the visitor's situation (bot/domain/situation.yml).
SITUATION_SLOTS = (
    "characteristics",
    "faiths",
    "incident_types",
    "urgency",
    "severity",
    "danger_now",
    "area",
    "postcode_district",
    "role",
    "age_group",
    "wants_anonymous",
    "avoid_police",
)
LABEL_PATTERN = re.compile(r"[a-z0-9_]{1,40}")


def clean_slot_value(name: str, value: Any, redactor: ConversationRedactor) -> Any:
    """Return a slot value that contains labels only; anything else is redacted."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [clean_slot_value(name, item, redactor) for item in value]
    text = str(value)
    if name != "postcode_district" and LABEL_PATTERN.fullmatch(text):
        return text
    return redactor.redact_value(name, text)


def situation_from_slots(slots: dict[str, Any]) -> Situation | None:
    """Build the signposting situation from the slots, as the actions do.

    It returns None when a slot contains a value that the signposting schema
    does not accept.
    """
    raw = situation_fields(slots)
    try:
        return Situation.model_validate(raw)
    except ValidationError as exc:
        logger.warning(
            "Could not read the logged slots as a situation: %d invalid fields",
            exc.error_count(),
        )
        return None


def describes_anything(situation: Situation) -> bool:
    """Return whether the situation has anything to read or signpost."""
    return bool(
        situation.characteristics
        or situation.incident_types
        or situation.urgent
        or situation.self_harm
        or situation.hate_denied
    )


def assess(
    session: Session, slots: dict[str, Any], replies: list[dict[str, Any]]
) -> tuple[str | None, list[dict[str, str]]]:
    """Return the reading for the slots and the routes that the replies offered.

    The result is the one `POST /api/signpost` gave for the same situation
    lately, in this process, or else the engine runs again on the logged
    slots. A route counts as offered when
    one of the turn's replies starts with its name, because actions/formatting.py
    starts each route's message with it, followed by ": ". Turns with no ": " on
    the first line of any reply, most of a conversation, skip the directory
    query.
    """
    situation = situation_from_slots(slots)
    if situation is None or not describes_anything(situation):
        return None, []

    texts = [str(reply.get("text") or "") for reply in replies]
    if not any(": " in text.split("\n", 1)[0] for text in texts):
        return likely(situation), []

    result = recent_results.get(situation) or signpost(session, situation)
    offered = [
        {"service_id": route.service_id, "route": route.route}
        for route in result.routes
        if any(text.startswith(f"{route.name}: ") for text in texts)
    ]
    return result.likely, offered
