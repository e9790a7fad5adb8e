"""The assistant's actions, with one that fails, for the action server's log test.

The stack test starts the action server with ``--actions
tests.stack.failing_actions`` in place of ``actions``. rasa_sdk 3.6 registers
every subclass of ``Action`` it can find, parents before their subclasses, so
the subclass below replaces ``action_validate_slot_mappings``, which Rasa calls
after every message. Its exception message quotes what the visitor typed, as a
faulty action could.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import form, safety, signposting  # noqa: F401 (registers the actions)
from actions.situation import ActionValidateSlotMappings


class FailingValidateSlotMappings(ActionValidateSlotMappings):
    """Raises an exception whose message contains the latest message's text."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Raise `RuntimeError` quoting the visitor's text."""
        text = (tracker.latest_message or {}).get("text")
        raise RuntimeError(f"Could not fill the slots from {text!r}")
