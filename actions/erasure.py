"""The action that sends the visitor the reference for erasure later."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

# The gateway's references: 8 characters of directory.logs.store's alphabet.
REFERENCE_PATTERN = re.compile(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}")


class ActionGiveErasureReference(Action):
    """Sends the reference the visitor can quote to have the conversation erased.

    The gateway sends the reference in the metadata of every message
    (``erasure_reference``), and Rasa keeps that metadata with the user event.
    """

    def name(self) -> str:
        return "action_give_erasure_reference"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Send `utter_erasure_reference`, or `utter_erasure_reference_missing`."""
        reference = erasure_reference(tracker)
        if reference is None:
            dispatcher.utter_message(response="utter_erasure_reference_missing")
        else:
            dispatcher.utter_message(
                response="utter_erasure_reference", erasure_reference=reference
            )
        return []


def erasure_reference(tracker: Tracker) -> Optional[str]:
    """Return the reference in the latest user event's metadata, if it is valid."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        metadata = event.get("metadata") or {}
        reference = metadata.get("erasure_reference")
        if isinstance(reference, str) and REFERENCE_PATTERN.fullmatch(reference):
            return reference
        return None
    return None
