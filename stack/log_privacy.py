"""A logging filter that keeps visitor text out of Rasa's logs.

Rasa 3.6 logs failures of the REST channel through structlog, with the message
text and, in the traceback, the local variables of every frame. It renders them
as JSON when its standard error is not a terminal, which is the case when the
stack launcher starts it. In a terminal it prints them as text, and this filter
does not change those. This
filter rewrites such records to the event name, the level and the exception
types and code locations, which is enough to find the fault.

The Rasa server loads it through ``bot/logging.yml``; the module imports only
the standard library so that it works in Rasa's Python 3.10 environment.
"""

import json
import logging

# Keys of a structlog event that never contain visitor text.
SAFE_KEYS = (
    "event",
    "level",
    "timestamp",
    "sender_id",
    "conversation_id",
    "placeholder_key",
)


class DropVisitorText(logging.Filter):
    """Reduces JSON log records to keys that cannot hold what a visitor typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite structlog JSON records in place; keep every record."""
        message = record.getMessage()
        if not message.startswith("{"):
            return True

        try:
            event = json.loads(message)
        except ValueError:
            return True
        if not isinstance(event, dict):
            return True

        safe_event = {key: event[key] for key in SAFE_KEYS if key in event}
        if "exception" in event:
            safe_event["exception"] = summarise_exception(event["exception"])
        dropped = sorted(set(event) - set(safe_event))
        if dropped:
            safe_event["dropped_keys"] = dropped

        record.msg = json.dumps(safe_event)
        record.args = ()
        return True


def summarise_exception(exception: object) -> list:
    """Keep the type and the code location of each exception in a chain."""
    if not isinstance(exception, list):
        return []

    summary = []
    for item in exception:
        if not isinstance(item, dict):
            continue
        frames = item.get("frames") or []
        summary.append(
            {
                "exc_type": item.get("exc_type"),
                "frames": [
                    f"{frame.get('filename')}:{frame.get('lineno')} {frame.get('name')}"
                    for frame in frames
                    if isinstance(frame, dict)
                ][-5:],
            }
        )
    return summary
