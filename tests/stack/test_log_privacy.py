"""The logging filter that keeps visitor text out of Rasa's error records."""

from __future__ import annotations

import json
import logging

from stack.log_privacy import DropVisitorText

PLANTED = "Priya Shah of 12 Invented Road said this"


def record_with(message: str) -> logging.LogRecord:
    return logging.LogRecord(
        "rasa.core.channels.rest", 40, __file__, 1, message, (), None
    )


def test_structlog_record_loses_text() -> None:
    event = {
        "text": PLANTED,
        "event": "rest.message.received.failure",
        "level": "error",
        "exception": [
            {
                "exc_type": "GraphComponentException",
                "exc_value": PLANTED,
                "frames": [
                    {
                        "filename": "rest.py",
                        "lineno": 162,
                        "name": "receive",
                        "locals": {"text": PLANTED},
                    }
                ],
            }
        ],
    }
    record = record_with(json.dumps(event))

    assert DropVisitorText().filter(record) is True
    rewritten = record.getMessage()
    assert PLANTED not in rewritten
    assert "rest.message.received.failure" in rewritten
    assert "GraphComponentException" in rewritten
    assert "rest.py:162 receive" in rewritten


def test_plain_record_is_unchanged() -> None:
    record = record_with("Rasa server is up and running.")

    DropVisitorText().filter(record)

    assert record.getMessage() == "Rasa server is up and running."


def test_json_list_record_is_unchanged() -> None:
    record = record_with("[1, 2]")

    DropVisitorText().filter(record)

    assert record.getMessage() == "[1, 2]"
