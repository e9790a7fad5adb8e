"""The filter that reduces Rasa's tracebacks to exception types and locations."""

import io
import json
import logging
import sys

from stack.log_privacy import DropExceptionText

PLANTED = "Farida Quennell of 47 Thistlewood Crescent"


class ClientResponseError(Exception):
    """Stands in for rasa.utils.endpoints.ClientResponseError."""


def failed_action_record() -> logging.LogRecord:
    """Build the record that Rasa 3.6 logs for a failed custom action."""
    body = json.dumps({"request_body": {"tracker": {"text": PLANTED}}})
    try:
        try:
            raise ClientResponseError(f"500, Internal Server Error, body={body}")
        except ClientResponseError as exc:
            raise RuntimeError("Failed to execute custom action") from exc
    except RuntimeError:
        logger = logging.getLogger("rasa.core.processor.test")
        return logger.makeRecord(
            logger.name,
            logging.ERROR,
            __file__,
            1,
            "Encountered an exception while running action '%s'.",
            ("action_explain_and_signpost",),
            exc_info=sys.exc_info(),
        )


def formatted(record: logging.LogRecord) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
    handler.addFilter(DropExceptionText())
    handler.handle(record)
    return stream.getvalue()


def test_traceback_loses_text() -> None:
    output = formatted(failed_action_record())

    assert "Quennell" not in output
    assert "Thistlewood" not in output
    assert "Traceback" not in output


def test_traceback_keeps_types_and_message() -> None:
    output = formatted(failed_action_record())

    assert "running action 'action_explain_and_signpost'" in output
    assert "RuntimeError at " in output
    assert "<- ClientResponseError at " in output
    assert "test_log_rasa_tracebacks.py" in output


def test_record_without_exception_unchanged() -> None:
    record = logging.LogRecord(
        "rasa.core.processor", logging.INFO, __file__, 1, "Loading model.", (), None
    )

    assert formatted(record) == "INFO rasa.core.processor - Loading model.\n"
