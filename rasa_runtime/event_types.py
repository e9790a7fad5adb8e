"""Find the class of a stored Rasa event in a table instead of a search.

Rasa 3.6 finds the class of every event it reads back, from the tracker store
or from an action server's response, with `Event.resolve_by_type`. That lists
every subclass of `Event`, recursively, checks each for abstract methods and
compares type names, for each event. Reading a tracker does it once per
event, so the cost grows with the conversation. `bench/event_type_lookup.py`
times both on the same tracker.

The replacement keeps a table from type name to class, built from the same
list in the same order, so each name gives the class Rasa would find. A name
missing from the table builds it again first, so that event classes imported
later are still found, and an unknown name ends as it does in Rasa.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_classes_by_type_name: Dict[str, Type[Event]] = {}


def event_classes_by_type_name() -> Dict[str, Type[Event]]:
    """Return the first concrete subclass of `Event` for each type name, in
    the order `Event.resolve_by_type` searches them."""
    table: Dict[str, Type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_by_type(
    type_name: str, default: Optional[Type[Event]] = None
) -> Optional[Type[Event]]:
    """Return the event class of `type_name` as Rasa 3.6 does, from the table."""
    global _classes_by_type_name
    cls = _classes_by_type_name.get(type_name)
    if cls is None:
        _classes_by_type_name = event_classes_by_type_name()
        cls = _classes_by_type_name.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        # Rasa 3.6 gives no class for the TopicSet events of old trackers.
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    """Make `Event.resolve_by_type` look event classes up in the table."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
