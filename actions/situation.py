"""Slot extraction for the visitor's situation.

Rasa's ``from_entity`` mapping replaces a list slot with the labels of the
latest message, so an answer about the characteristic would wipe the incident
types told earlier. ``action_validate_slot_mappings`` merges each message's
labels into the slots instead, lets a place correction replace the old area,
and turns yes, no and "I'd rather not say" into answers to the question the
form asked.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.signposting.slots import NOT_SAID, UNSURE, situation_fields

logger = logging.getLogger(__name__)

NOT_ANSWERED = "not_answered"

# A reply that opens with a plain "no" ("no, they left ages ago", "nah im
# home now") counts as "no" to the danger question, even when DIET reads the
# rest as details. "no idea", "no clue" and "no one" do not count.
NO_OPENING = re.compile(
    r"^\W*(?:no+|nope|nah+|naa+)\b(?!\s+(?:idea|clue|one)\b)",
    re.IGNORECASE,
)

# Words of doubt that open a reply to the danger question: "not sure",
# "dunno", "maybe", "might be".
DOUBT = (
    r"(?:i\s*(?:am|'?m)\s+)?(?:not|nt)\s+(?:really\s+|too\s+|that\s+|100%?\s+)?"
    r"(?:sure|certain)"
    r"|unsure|dunno+|d?idk"
    r"|i\s+(?:do\s*n'?t|dont|dnt|don't)\s+(?:really\s+)?know"
    r"|(?:i\s+)?can'?t\s+(?:really\s+)?(?:say|tell)|hard\s+to\s+(?:say|tell)"
    r"|maybe|mayb|perhaps|possibly|potentially|probably\s+not"
    r"|(?:i|they|he|she|it)?\s*(?:might|may|could)\s+be"
)

# "no idea" and "no clue". Each pattern below states where they count as doubt.
NO_IDEA = r"no\s+(?:idea|clue)"

# Filler that may follow the doubt before the clause ends: "not sure tbh".
DOUBT_FILLER = r"(?:\s+(?:tbh|really|honestly|mate))?"

# A reply that opens with doubt and contains no other detail is "unsure" to
# the danger question. It gets the 999 reply, because a visitor who cannot
# say whether anyone is safe should be told how to get help at once. "no
# idea" counts only on its own: "no idea who they were" is about something
# else.
UNSURE_OPENING = re.compile(
    rf"^\W*(?:{DOUBT}|{NO_IDEA}(?=\W*$))\b",
    re.IGNORECASE,
)

# A reply whose first clause is doubt and nothing else ("not sure, it was in
# coalville", "dunno. they called me a paki") answers the danger question
# with "unsure" and gives details besides. Doubt that runs on into the rest
# ("not sure if this counts", "no idea who they were") is about something
# else.
UNSURE_CLAUSE = re.compile(
    rf"^\W*(?:{DOUBT}|{NO_IDEA})\b{DOUBT_FILLER}\s*[,.;:!?\u2013\u2014-]",
    re.IGNORECASE,
)

# A reply to the danger question that is doubt and nothing else ("i might
# be", "could be", "maybe"). The models sometimes read such a short hedge as
# self-harm, but as an answer to that question it is doubt about the danger.
UNSURE_ALONE = re.compile(
    rf"^\W*(?:{DOUBT}|{NO_IDEA})\b{DOUBT_FILLER}\W*$",
    re.IGNORECASE,
)

# A reply to the danger question that is a hedged yes and nothing else ("i
# think so", "yeah i reckon so"), which counts as yes. The models sometimes
# read "i think" in it as the start of a thought of self-harm.
HEDGED_YES = re.compile(
    r"^\W*(?:(?:yes|yeah|yea|yep|yh|ye)\W*)?(?:i\s+)?(?:think|guess|reckon|suppose)"
    r"\s+so\W*$",
    re.IGNORECASE,
)

# Entity name to the list slot that collects its values.
LIST_SLOTS = {
    "characteristic": "characteristics",
    "faith": "faiths",
    "incident_type": "incident_types",
    "urgency": "urgency",
    "severity": "severity",
}


def read_message(tracker: Tracker) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """Return the entities and the intent of the latest message.

    A bare hedge or a hedged yes in reply to the danger question loses the
    self-harm label and the crisis intent that the models may give it. It
    gets the 999 reply instead of the Samaritans' number.
    """
    message = tracker.latest_message or {}
    entities = message.get("entities") or []
    intent = (message.get("intent") or {}).get("name")

    text = message.get("text") or ""
    if tracker.get_slot("requested_slot") == "danger_now" and (
        UNSURE_ALONE.match(text) or HEDGED_YES.match(text)
    ):
        entities = [
            e
            for e in entities
            if (e.get("entity"), e.get("value")) != ("urgency", "self_harm")
        ]
        if intent == "crisis":
            intent = None

    return entities, intent


def situation_events(
    tracker: Tracker,
    reading: Optional[Tuple[List[Dict[str, Any]], Optional[str]]] = None,
) -> List[EventType]:
    """Return a ``SlotSet`` for every situation slot the latest message changes.

    `reading` is what `read_message` returned for the message, when the caller
    has it already.
    """
    message = tracker.latest_message or {}
    entities, intent = reading or read_message(tracker)
    requested = tracker.get_slot("requested_slot")

    found = merge_labels(tracker, entities)
    found.update(extract_place(entities))
    found.update(extract_single(entities, "role"))
    found.update(extract_single(entities, "age_group"))
    updates = {
        slot: value for slot, value in found.items() if tracker.get_slot(slot) != value
    }
    updates.update(
        answer_to_question(intent, requested, updates, message.get("text") or "")
    )

    if intent == "crisis":
        urgency = updates.get("urgency") or tracker.get_slot("urgency") or []
        if "self_harm" not in urgency:
            updates["urgency"] = [*urgency, "self_harm"]

    if "danger_now" in (updates.get("urgency") or []):
        updates["danger_now"] = "yes"

    return [
        SlotSet(slot, value)
        for slot, value in updates.items()
        if tracker.get_slot(slot) != value
    ]


class ActionValidateSlotMappings(Action):
    """Action that fills the situation slots and sends the 999 and crisis replies.

    Rasa runs ``action_validate_slot_mappings`` after the slot extraction of
    every message, before it picks the next action, and passes on the messages
    it sends. So these replies come first whatever the intent and whether or
    not a form is active. The situation slots have custom mappings without an
    action of their own, and the situation form has no validation action, so
    this is the one action server call that a message costs before the next
    action.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Fill the situation slots, send the safety replies and record them."""
        entities, intent = read_message(tracker)
        events = situation_events(tracker, (entities, intent))
        age_group = next(
            (event["value"] for event in events if event["name"] == "age_group"),
            tracker.get_slot("age_group"),
        )

        danger_answer = next(
            (event["value"] for event in events if event["name"] == "danger_now"),
            None,
        )
        sent = send_safety_replies(
            dispatcher,
            entities,
            intent,
            age_group == "under_18",
            danger_confirmed=danger_answer == "yes",
            danger_unsure=danger_answer == UNSURE,
        )
        return events + [SlotSet(slot, value) for slot, value in sent.items()]


def send_safety_replies(
    dispatcher: CollectingDispatcher,
    entities: List[Dict[str, Any]],
    intent: Optional[str],
    under_18: bool,
    *,
    danger_confirmed: bool = False,
    danger_unsure: bool = False,
) -> Dict[str, Any]:
    """Send the 999 and crisis replies for a message flagged as urgent.

    `danger_confirmed` is true when the message answered yes to the danger
    question: a plain "yes" carries no urgency label, and still gets the 999
    reply before the form asks its next question. `danger_unsure` is true when
    the message said the visitor is not sure. That gets the 999 reply too,
    worded for doubt.

    Returns the slots that record which replies were sent.
    """
    flags = {e["value"] for e in entities if e.get("entity") == "urgency"}
    if intent == "crisis":
        flags.add("self_harm")
    if danger_confirmed:
        flags.add("danger_now")
    sent: Dict[str, Any] = {}

    if "danger_now" in flags:
        dispatcher.utter_message(response="utter_danger_now")
        sent["danger_warned"] = True
    elif danger_unsure:
        dispatcher.utter_message(response="utter_danger_unsure")
        sent["danger_warned"] = True

    if "self_harm" in flags:
        dispatcher.utter_message(response="utter_crisis_support")
        if under_18:
            dispatcher.utter_message(response="utter_crisis_support_child")
        sent["crisis_given"] = True

    return sent


def merge_labels(tracker: Tracker, entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Add the message's labels to the list slots, keeping earlier labels.

    An answer that names a real label replaces a placeholder such as
    ``not_said`` or ``none``.
    """
    updates: Dict[str, Any] = {}

    for entity_name, slot in LIST_SLOTS.items():
        found = [e["value"] for e in entities if e.get("entity") == entity_name]
        if not found:
            continue

        current = [
            value
            for value in tracker.get_slot(slot) or []
            if value not in (NOT_SAID, "none")
        ]
        merged = current + [value for value in found if value not in current]
        if len(merged) > 1 and "none" in merged:
            merged.remove("none")
        updates[slot] = merged

    return updates


def extract_place(entities: List[Dict[str, Any]]) -> Dict[str, Optional[str]]:
    """Return the area named in the message, replacing an earlier area.

    A postcode district that spans councils is kept on its own, with the area
    left empty, so that the form asks for the town.
    """
    areas = [e["value"] for e in entities if e.get("entity") == "area"]
    districts = [e["value"] for e in entities if e.get("entity") == "postcode_district"]

    if areas:
        return {"area": areas[-1], "postcode_district": None}
    if districts:
        return {"area": None, "postcode_district": districts[-1]}
    return {}


def extract_single(entities: List[Dict[str, Any]], entity_name: str) -> Dict[str, str]:
    """Return the last value of a single-valued entity, if the message has one."""
    values = [e["value"] for e in entities if e.get("entity") == entity_name]
    return {entity_name: values[-1]} if values else {}


def answer_to_question(
    intent: Optional[str],
    requested: Optional[str],
    updates: Dict[str, Any],
    text: str = "",
) -> Dict[str, Any]:
    """Turn yes, no and "I'd rather not say" into an answer to the open question."""
    if requested is None or requested in updates:
        return {}

    if intent == "decline_to_say":
        is_list = requested in LIST_SLOTS.values()
        return {requested: [NOT_SAID] if is_list else NOT_SAID}

    # Doubt and nothing else is "unsure" whatever intent the models read in
    # it. They have read a bare "not sure" as affirm.
    if (
        requested == "danger_now"
        and "urgency" not in updates
        and UNSURE_ALONE.match(text)
    ):
        return {"danger_now": UNSURE}

    if requested == "danger_now" and intent in ("affirm", "deny"):
        return {"danger_now": "yes" if intent == "affirm" else "no"}

    hedged_yes = HEDGED_YES.match(text)
    if requested == "danger_now" and "urgency" not in updates and hedged_yes:
        return {"danger_now": "yes"}

    if (
        requested == "danger_now"
        and "urgency" not in updates
        and NO_OPENING.match(text)
    ):
        return {"danger_now": "no"}

    doubt = UNSURE_CLAUSE if updates else UNSURE_OPENING
    if requested == "danger_now" and "urgency" not in updates and doubt.match(text):
        return {"danger_now": UNSURE}

    # A visitor who answers the danger question with other details has seen
    # it once; asking it again after every message would bury what they said.
    if requested == "danger_now" and updates:
        return {"danger_now": NOT_ANSWERED}

    if requested == "characteristics" and intent == "deny":
        return {"characteristics": ["none"]}

    return {}


def situation_from_slots(tracker: Tracker) -> Dict[str, Any]:
    """Build the situation that ``POST /api/signpost`` takes, from the slots."""
    return situation_fields(tracker.slots)
