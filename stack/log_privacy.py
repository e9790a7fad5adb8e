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
import traceback

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


class DropExceptionText(logging.Filter):
    """Replaces a record's traceback with the exception types and code locations.

    When a custom action fails, rasa_sdk 3.6 replies with HTTP 500 and the
    whole request body, the tracker with every message the visitor typed.
    Rasa 3.6 puts that reply into the message of a `ClientResponseError` and
    logs the failure with its traceback. Other exception messages can quote
    visitor text too, so no record keeps any exception message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite records that carry an exception in place; keep every record."""
        if not record.exc_info or record.exc_info[1] is None:
            return True

        chain = " <- ".join(describe_exception_chain(record.exc_info[1]))
        record.msg = f"{record.getMessage()} [exception: {chain}]"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


def describe_exception_chain(exception: BaseException) -> list:
    """Name each exception of a chain, newest first, with where it was raised."""
    descriptions = []
    seen = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        where = (
            f" at {frames[-1].filename}:{frames[-1].lineno} {frames[-1].name}"
            if frames
            else ""
        )
        descriptions.append(f"{type(current).__name__}{where}")
        current = current.__cause__ or current.__context__
    return descriptions
