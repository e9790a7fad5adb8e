"""Actions for messages the assistant cannot act on: misunderstood or not English.

The 999 and crisis replies are sent by action_validate_slot_mappings, which
Rasa runs after every message.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import format_routes
from actions.signposting import signpost_or_fallback

logger = logging.getLogger(__name__)

# After this many misunderstood messages in a row the assistant stops asking the
# visitor to rephrase and gives the key routes and a person to talk to.
MAX_MISUNDERSTOOD_IN_A_ROW = 3

# Intents of messages the assistant could not act on.
MISUNDERSTOOD_INTENTS = ("nlu_fallback", "out_of_scope")

# The questions of the situation form. A message that fills one of them was
# understood as an answer, whatever intent DIET gave it: "not sure" in reply to
# the danger question reads as a fallback but answers it.
FORM_SLOTS = ("danger_now", "incident_types", "characteristics", "area")

# Routes offered to a visitor who writes in another language: services where an
# interpreter can be asked for.
INTERPRETER_ROUTES = ("emergency", "crisis", "police_report", "victim_support")


class ActionMisunderstood(Action):
    """Asks the visitor to rephrase, and gives routes after repeated failures.

    Rules run this action for messages classified as misunderstood. A message
    that answered the form's question anyway gets no prompt. Rasa also
    runs it as the core fallback, for example when the visitor's answer to a
    question of the situation form fills nothing and the form rejects it. Then
    it hands over to the form, which repeats its question, or ends the turn,
    because otherwise Rasa predicts this fallback again and again until its
    limit of actions.
    """

    def name(self) -> str:
        return "action_misunderstood"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send a rephrase prompt, or the key routes on the third miss in a row."""
        # The form, run next by the rule, asks its next question.
        if tracker.active_loop_name and answered_form_question(tracker.events):
            return []

        if count_misunderstood_in_a_row(tracker.events) >= MAX_MISUNDERSTOOD_IN_A_ROW:
            dispatcher.utter_message(response="utter_misunderstood_routes")
        else:
            dispatcher.utter_message(response="utter_please_rephrase")

        if not is_core_fallback(tracker.events):
            return []

        # The form, run straight after this action, repeats its question
        # without reading the message it rejected.
        if tracker.active_loop_name:
            return [FollowupAction(tracker.active_loop_name)]
        return [FollowupAction("action_listen")]


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
    """Count the visitor's latest messages that were misunderstood, in a row.

    A message counts when its intent is a misunderstood one or when this action
    answered it, unless it filled a question of the situation form. The latest
    message counts too, because this action is answering it now.
    """
    count = 0
    answered_here = True
    filled_slot = False

    for event in reversed(events):
        if event.get("event") in ("restart", "session_started"):
            break
        if event.get("event") == "slot" and fills_form_slot(event):
            filled_slot = True
            continue
        if (
            event.get("event") == "action"
            and event.get("name") == "action_misunderstood"
        ):
            answered_here = True
            continue
        if event.get("event") != "user":
            continue

        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if filled_slot or (intent not in MISUNDERSTOOD_INTENTS and not answered_here):
            break
        count += 1
        answered_here = False

    return count


def answered_form_question(events: List[Dict[str, Any]]) -> bool:
    """Return whether the latest message filled a question of the situation form."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and fills_form_slot(event):
            return True
    return False


def fills_form_slot(event: Dict[str, Any]) -> bool:
    """Return whether a slot event gives a value to a question of the form."""
    return event.get("name") in FORM_SLOTS and event.get("value") not in (None, [])


def is_core_fallback(events: List[Dict[str, Any]]) -> bool:
    """Return whether no rule led to this action in the current turn.

    That is the case after the form rejected the visitor's message, or when
    this action already ran since the message.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action_execution_rejected":
            return True
        if (
            event.get("event") == "action"
            and event.get("name") == "action_misunderstood"
        ):
            return True
    return False
