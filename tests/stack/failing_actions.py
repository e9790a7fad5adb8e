"""The assistant's actions, with one that fails, for the action server's log test.

The stack test starts the action server with ``--actions
tests.stack.failing_actions`` in place of ``actions``. rasa_sdk 3.6 registers
every subclass of ``Action`` it can find, parents before their subclasses, so
the subclass below replaces ``action_explain_and_signpost``, which Rasa calls on
the action server once the situation is known. Its exception message quotes
what the visitor typed first, as a faulty action could.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import form, safety, situation  # noqa: F401 (registers the actions)
from actions.signposting import ActionExplainAndSignpost


class FailingExplainAndSignpost(ActionExplainAndSignpost):
    """Raises an exception whose message contains the visitor's first message."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """Raise `RuntimeError` quoting the visitor's text."""
        text = next(
            (event.get("text") for event in tracker.events if event["event"] == "user"),
            None,
        )
        raise RuntimeError(f"Could not find routes for {text!r}")
