"""Validation of the situation form and its question about the area."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)


class ValidateSituationForm(FormValidationAction):
    """Sends the 999 reply when the visitor answers yes to the danger question."""

    def name(self) -> str:
        return "validate_situation_form"

    async def validate_danger_now(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        """Accept the answer, replying with 999 first when it is yes.

        A message flagged as danger now has had the 999 reply from
        action_validate_slot_mappings already, so only a plain yes gets it here.
        """
        entities = (tracker.latest_message or {}).get("entities") or []
        flagged = any(
            e.get("entity") == "urgency" and e.get("value") == "danger_now"
            for e in entities
        )

        if slot_value == "yes" and not flagged:
            dispatcher.utter_message(response="utter_danger_now")
            return {"danger_now": slot_value, "danger_warned": True}
        return {"danger_now": slot_value}


class ActionAskArea(Action):
    """Asks where it happened, naming the postcode when it spans councils."""

    def name(self) -> str:
        return "action_ask_area"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the area question that fits what the visitor already said."""
        district: Optional[str] = tracker.get_slot("postcode_district")

        if district:
            dispatcher.utter_message(
                response="utter_ask_area_for_postcode", postcode_district=district
            )
        else:
            dispatcher.utter_message(response="utter_ask_area")
        return []
