"""Events that Rasa publishes while their conversation is being deleted.

The event broker posts a conversation's last events while the gateway deletes
it. Here the deletion commits, through a second session, after the capture has
read the log and before it writes, so the capture's write finds no row.
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.capture import ingest_events
from directory.logs.consumer import store_messages
from directory.logs.models import ConversationLog, LogTurn
from directory.logs.redactors import RedactorCache
from directory.logs.store import erase_conversation, open_log
from tests.logs.events import action_event, bot_event, slot_event, user_event

DELETED = "7d3e9a41-2b6c-4f1e-9a8d-5c0b7e6f1a92"
KEPT = "0f6a2c58-93d1-4e7b-8c4a-1b2d3e4f5a60"
# Invented person.
NAME = "Ottoline Fairweather"


def last_events(conversation_id: str) -> list[dict[str, Any]]:
    """The eight events of a turn that requests the conversation's deletion."""
    return [
        action_event(conversation_id, "action_listen"),
        user_event(
            conversation_id,
            f"I am {NAME}, delete what I said",
            "delete_conversation",
        ),
        slot_event(conversation_id, "danger_now", "no"),
        action_event(conversation_id, "action_delete_conversation"),
        bot_event(conversation_id, None, custom={"delete_conversation": True}),
        bot_event(conversation_id, "Deleted.", response="utter_deleted"),
        {"sender_id": conversation_id, "event": "restart"},
        action_event(conversation_id, "action_listen"),
    ]


def delete_before_first_flush(
    session: Session, session_factory: sessionmaker[Session], conversation_id: str
) -> None:
    """Make the conversation's deletion commit, in a session of its own, just
    before `session` first writes."""

    done = False

    def delete(*_: Any) -> None:
        nonlocal done
        if done:
            return
        done = True
        with session_factory() as other:
            assert erase_conversation(other, conversation_id)

    event.listen(session, "before_flush", delete)


def stored_logs(session: Session) -> set[str]:
    return set(session.scalars(select(ConversationLog.conversation_id)))


def stored_turns(session: Session, conversation_id: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(LogTurn)
        .where(LogTurn.conversation_id == conversation_id)
    )


def assert_no_error_and_no_event_content(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert NAME not in caplog.text


def test_events_while_deleting_are_dropped(
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="directory")
    with session_factory() as session:
        open_log(session, DELETED, None)
        open_log(session, KEPT, None)

    events = last_events(DELETED) + last_events(KEPT)
    with session_factory() as session:
        delete_before_first_flush(session, session_factory, DELETED)
        counts = ingest_events(session, events, redactors)

    assert counts.dropped == len(last_events(DELETED))
    assert counts.stored == len(last_events(KEPT))
    with session_factory() as session:
        assert stored_logs(session) == {KEPT}
        assert stored_turns(session, DELETED) == 0
        assert stored_turns(session, KEPT) == 1
    assert DELETED not in redactors
    assert_no_error_and_no_event_content(caplog)
    assert any(
        DELETED in r.getMessage() and r.levelno <= logging.INFO for r in caplog.records
    )


def test_consumer_drops_events_while_deleting(
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="directory")
    with session_factory() as session:
        open_log(session, DELETED, None)
    first = True

    @contextmanager
    def racing_session() -> Iterator[Session]:
        nonlocal first
        with session_factory() as session:
            if first:
                first = False
                delete_before_first_flush(session, session_factory, DELETED)
            yield session

    bodies = [json.dumps(e).encode() for e in last_events(DELETED)]
    handled = store_messages(bodies, racing_session, redactors)

    # Dropping an event of a deleted conversation is handling it: the message
    # is acknowledged, not rejected.
    assert handled == [True] * len(bodies)
    with session_factory() as session:
        assert stored_logs(session) == set()
        assert stored_turns(session, DELETED) == 0
    assert DELETED not in redactors
    assert_no_error_and_no_event_content(caplog)
