"""The action that gives the visitor the reference for erasure later."""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.erasure import ActionGiveErasureReference
from tests.actions.conftest import load_tracker

REFERENCE = "K7MQ2XPA"


def with_user_metadata(metadata: Dict[str, Any] | None) -> Tracker:
    """Return a recorded tracker whose latest user event has this metadata."""
    tracker = copy.deepcopy(load_tracker("graffiti_routes_given"))
    latest_user = next(e for e in reversed(tracker.events) if e["event"] == "user")
    latest_user.pop("metadata", None)
    if metadata is not None:
        latest_user["metadata"] = metadata
    return tracker


def run(tracker: Tracker) -> tuple[List[Dict[str, Any]], List[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionGiveErasureReference().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_reference_from_metadata_sent() -> None:
    messages, events = run(with_user_metadata({"erasure_reference": REFERENCE}))

    assert [m["response"] for m in messages] == ["utter_erasure_reference"]
    assert messages[0]["erasure_reference"] == REFERENCE
    assert events == []


def test_missing_reference_says_so() -> None:
    messages, _ = run(with_user_metadata(None))

    assert [m["response"] for m in messages] == ["utter_erasure_reference_missing"]


def test_malformed_reference_not_sent() -> None:
    messages, _ = run(with_user_metadata({"erasure_reference": "<b>K7MQ</b>"}))

    assert [m["response"] for m in messages] == ["utter_erasure_reference_missing"]
    assert "erasure_reference" not in messages[0]


def test_older_message_reference_not_used() -> None:
    tracker = with_user_metadata(None)
    user_events = [e for e in tracker.events if e["event"] == "user"]
    assert len(user_events) > 1
    user_events[0]["metadata"] = {"erasure_reference": REFERENCE}

    messages, _ = run(tracker)

    assert [m["response"] for m in messages] == ["utter_erasure_reference_missing"]
