"""The situation form's question about the area."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

logger = logging.getLogger(__name__)


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
