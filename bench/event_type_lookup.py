"""Time reading a tracker's events back, with Rasa's event class search and
with the table that `rasa_runtime.event_types` keeps.

Rasa 3.6 reads every event of a conversation back from the tracker store on
each turn and finds each event's class by searching every subclass of
`Event`. This script builds the events of an invented conversation of 8
turns, reads them back with `deserialise_events` both ways, in the same run,
and prints the milliseconds per tracker and their ratio.

Run in Rasa's environment: `.venvs/rasa/bin/python bench/event_type_lookup.py`.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
    deserialise_events,
)

from bench.timing import milliseconds_per_call  # noqa: E402
from rasa_runtime import event_types  # noqa: E402

ROUNDS = 50
TURNS = 8


def conversation_events() -> List[Dict[str, Any]]:
    """Return the stored events of an invented conversation of TURNS turns."""
    events: List[Event] = [ActionExecuted("action_session_start")]
    for turn in range(TURNS):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(
                f"message {turn}: a man shouted at me on the bus in loughborough",
                intent={"name": "describe_incident", "confidence": 0.93},
                entities=[
                    {"entity": "incident_type", "value": "verbal_abuse"},
                    {"entity": "area", "value": "charnwood"},
                ],
            ),
            SlotSet("area", "charnwood"),
            SlotSet("incident_types", ["verbal_abuse"]),
            ActionExecuted("situation_form"),
            ActiveLoop("situation_form"),
            SlotSet("requested_slot", "characteristics"),
            BotUttered("What was it about you that they targeted?"),
        ]
    return [event.as_dict() for event in events]


def main() -> int:
    stored = conversation_events()
    rasa_lookup = Event.__dict__["resolve_by_type"]
    searched = milliseconds_per_call(lambda: deserialise_events(stored), ROUNDS)
    event_types.install()
    try:
        looked_up = milliseconds_per_call(lambda: deserialise_events(stored), ROUNDS)
    finally:
        Event.resolve_by_type = rasa_lookup

    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"a tracker of {len(stored)} events ({TURNS} turns), {ROUNDS} reads each")
    print(f"Rasa 3.6's search of Event subclasses: {searched:8.2f} ms per tracker")
    print(f"table (rasa_runtime.event_types):      {looked_up:8.2f} ms per tracker")
    print(f"ratio: {searched / looked_up:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
