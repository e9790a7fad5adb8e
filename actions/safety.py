"""Actions for messages the assistant cannot act on: misunderstood or not English.

The 999 and crisis replies are sent by action_validate_slot_mappings, which
Rasa runs after every message.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import format_routes
from actions.signposting import signpost_or_fallback

logger = logging.getLogger(__name__)

# After this many misunderstood messages in a row the assistant stops asking the
# visitor to rephrase and gives the key routes and a person to talk to.
MAX_MISUNDERSTOOD_IN_A_ROW = 3

# Intents of messages the assistant could not act on.
MISUNDERSTOOD_INTENTS = ("nlu_fallback", "out_of_scope")

# Routes offered to a visitor who writes in another language: services where an
# interpreter can be asked for.
INTERPRETER_ROUTES = ("emergency", "crisis", "police_report", "victim_support")


class ActionMisunderstood(Action):
    """Asks the visitor to rephrase, and gives routes after repeated failures."""

    def name(self) -> str:
        return "action_misunderstood"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send a rephrase prompt, or the key routes on the third miss in a row."""
        if count_misunderstood_in_a_row(tracker.events) >= MAX_MISUNDERSTOOD_IN_A_ROW:
            dispatcher.utter_message(response="utter_misunderstood_routes")
        else:
            dispatcher.utter_message(response="utter_please_rephrase")
        return []


class ActionEnglishOnly(Action):
    """Explains in plain English that the assistant works in English only."""

    def name(self) -> str:
        return "action_english_only"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the English-only reply with routes that offer interpreters."""
        dispatcher.utter_message(response="utter_english_only")

        result = await signpost_or_fallback(dispatcher, tracker)
        if result is None:
            return []

        routes = [r for r in result["routes"] if r["route"] in INTERPRETER_ROUTES]
        for text in format_routes(routes):
            dispatcher.utter_message(text=text)
        return []


def count_misunderstood_in_a_row(events: List[Dict[str, Any]]) -> int:
    """Count the visitor's latest messages that were misunderstood, in a row."""
    count = 0

    for event in reversed(events):
        if event.get("event") in ("restart", "session_started"):
            break
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in MISUNDERSTOOD_INTENTS:
            break
        count += 1

    return count
