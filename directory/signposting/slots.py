"""The signposting situation, read from the assistant's slots.

The action server builds it before it asks for routes, and the log reader
builds it again from the logged slots. The action server runs in the Rasa
environment, so this module imports nothing beyond the standard library.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

# The value of a question that the visitor would rather not answer.
NOT_SAID = "not_said"
# The answer to the danger question of a visitor who is not sure.
UNSURE = "unsure"
# Answers to the danger question that get the emergency route.
DANGER_ANSWERS = ("yes", UNSURE)


def situation_fields(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """Return the situation that ``POST /api/signpost`` takes, built from the slots."""
    characteristics = slots.get("characteristics") or []
    urgency = slots.get("urgency") or []
    area = slots.get("area")

    named = [value for value in characteristics if value not in ("none", NOT_SAID)]
    # A visitor who would rather not say what was targeted has not said it was
    # not about who they are, so the reading stays open instead of "not hate".
    if not named and NOT_SAID in characteristics:
        named = ["other"]

    return {
        "characteristics": named,
        "faiths": slots.get("faiths") or [],
        "incident_types": [
            value for value in slots.get("incident_types") or [] if value != NOT_SAID
        ],
        "area": None if area == NOT_SAID else area,
        # A visitor not sure whether anyone is safe gets the emergency route too.
        "urgent": slots.get("danger_now") in DANGER_ANSWERS or "danger_now" in urgency,
        "self_harm": "self_harm" in urgency,
        "under_18": slots.get("age_group") == "under_18",
        "wants_anonymous": bool(slots.get("wants_anonymous")),
        "avoid_police": bool(slots.get("avoid_police")),
        "role": slots.get("role") or "victim",
        "low_severity": "low" in (slots.get("severity") or []),
        "hate_denied": "none" in characteristics,
    }
