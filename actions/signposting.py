"""Actions that explain the situation and offer the routes that fit it."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.directory_client import DirectoryUnavailable, signpost
from actions.formatting import format_routes
from actions.situation import situation_from_slots

logger = logging.getLogger(__name__)

# Entities that change the situation, and so the routes, when they appear.
SITUATION_ENTITIES = ("area", "characteristic", "incident_type", "faith", "role")

# Routes offered when the visitor asks to talk to a person.
HUMAN_ROUTES = (
    "emergency",
    "crisis",
    "third_party_report",
    "emotional_support",
    "victim_support",
)


class ActionExplainAndSignpost(Action):
    """Explains crime versus incident for the situation and lists the routes."""

    def name(self) -> str:
        return "action_explain_and_signpost"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the explanation, one message per route, the notes and next steps."""
        result = await signpost_or_fallback(dispatcher, tracker)
        if result is None:
            return [SlotSet("assessment_given", True)]

        send_result(dispatcher, result)
        dispatcher.utter_message(response="utter_next_steps")
        return [SlotSet("assessment_given", True)]


class ActionHandleShortReply(Action):
    """Handles yes, no or "rather not say" when no question is open.

    "No, it was in Coalville" is classified as no, but it corrects the area:
    when the message carried situation labels and the routes were already
    given, the routes are sent again for the corrected situation.
    """

    def name(self) -> str:
        return "action_handle_short_reply"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send updated routes after a correction, or ask what else is needed."""
        entities = (tracker.latest_message or {}).get("entities") or []
        corrected = any(e.get("entity") in SITUATION_ENTITIES for e in entities)

        if corrected and tracker.get_slot("assessment_given"):
            return await ActionExplainAndSignpost().run(dispatcher, tracker, domain)

        dispatcher.utter_message(response="utter_anything_else")
        return []


class ActionOfferHuman(Action):
    """Lists the services where the visitor can talk to a person."""

    def name(self) -> str:
        return "action_offer_human"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send the support and third-party services that fit the situation."""
        result = await signpost_or_fallback(dispatcher, tracker)
        if result is None:
            return []

        routes = [r for r in result["routes"] if r["route"] in HUMAN_ROUTES]
        dispatcher.utter_message(response="utter_ask_human_intro")
        for text in format_routes(routes):
            dispatcher.utter_message(text=text)
        return []


class ActionDeleteConversation(Action):
    """Asks the gateway to delete the conversation once this turn ends."""

    def name(self) -> str:
        return "action_delete_conversation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Confirm the deletion and send the gateway its delete instruction.

        The action cannot delete the tracker itself, because Rasa holds the
        conversation's lock while the action runs. The gateway reads the
        ``delete_conversation`` instruction from the reply and deletes the
        conversation after the turn.
        """
        dispatcher.utter_message(response="utter_delete_done")
        dispatcher.utter_message(json_message={"delete_conversation": True})
        return [ActiveLoop(None), AllSlotsReset()]


async def signpost_or_fallback(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[Dict[str, Any]]:
    """Return the directory's routes for the slots, or send the fallback routes.

    When the directory service is unavailable, the built-in key routes are
    sent and None is returned, so that the visitor never gets nothing.
    """
    try:
        return await signpost(situation_from_slots(tracker))
    except DirectoryUnavailable as exc:
        logger.warning(
            "Directory unavailable for conversation %s: %s", tracker.sender_id, exc
        )
        dispatcher.utter_message(response="utter_key_routes_fallback")
        return None


def send_result(dispatcher: CollectingDispatcher, result: Dict[str, Any]) -> None:
    """Send the explanation paragraphs, the routes and the notes of a result."""
    explanation = result.get("explanation") or []
    if explanation:
        dispatcher.utter_message(text="\n\n".join(explanation))

    for text in format_routes(result.get("routes") or []):
        dispatcher.utter_message(text=text)

    for note in result.get("notes") or []:
        dispatcher.utter_message(text=note)
