"""The table lookup of Rasa event classes, in Rasa's environment."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.utils.common import all_subclasses

from rasa_runtime import event_types

# Rasa's own lookup, kept before any test installs the table.
RASA_RESOLVE_BY_TYPE = Event.__dict__["resolve_by_type"]


@pytest.fixture
def installed() -> Iterator[None]:
    event_types.install()
    yield
    Event.resolve_by_type = RASA_RESOLVE_BY_TYPE


def test_every_type_name_gives_the_class_rasa_finds(installed: None) -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}

    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is RASA_RESOLVE_BY_TYPE.__func__(name)


def test_stored_events_read_back_equal(installed: None) -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered(
            "someone spat at me",
            intent={"name": "describe_incident", "confidence": 0.9},
        ),
        SlotSet("area", "charnwood"),
    ]

    read_back = deserialise_events([event.as_dict() for event in events])

    assert read_back == events
    assert [type(event) for event in read_back] == [
        ActionExecuted,
        UserUttered,
        SlotSet,
    ]


def test_unknown_name_ends_as_in_rasa(installed: None) -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_event_class_imported_later_is_found(installed: None) -> None:
    Event.resolve_by_type("slot")

    class InventedEvent(Event):
        type_name = "invented_event_for_a_test"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, InventedEvent)

        def as_story_string(self) -> None:
            return None

    assert Event.resolve_by_type("invented_event_for_a_test") is InventedEvent
