"""The retention purge keeps counts of the conversations it deletes, for the
quarterly figures; erasure at the visitor's request keeps nothing."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from directory.app import create_app
from directory.db.session import get_session
from directory.logs.capture import ingest_events
from directory.logs.erasure import erase_by_reference
from directory.logs.models import ConversationLog, utc_now
from directory.logs.redactors import RedactorCache
from directory.logs.store import erase_conversation, open_log, purge_expired
from directory.rasa_client import RasaClient
from directory.review.models import PurgedConversationCount
from directory.settings import REPO_ROOT, settings
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa
from tests.logs.events import action_event, slot_event, user_event

FIRST = "31111111-1111-4111-8111-111111111111"
SECOND = "32222222-2222-4222-8222-222222222222"
THIRD = "33333333-3333-4333-8333-333333333333"
# Invented details that must not reach the counts.
NAME = "Dympna Roberts"
STREET = "14 Hazel Close"
# Older than the 90 days of retention whenever the tests run. The last event
# falls on the next day, and the counts go under the day the conversation
# started.
EXPIRED_START = datetime(2026, 6, 1, 23, 58, tzinfo=UTC)
EXPIRED_DAY = date(2026, 6, 1)


def add_log(
    session: Session,
    redactors: RedactorCache,
    conversation_id: str,
    situation: dict[str, Any],
    started_at: datetime = EXPIRED_START,
) -> ConversationLog:
    """Open a log with one turn and the given slots, started at `started_at`
    with its last event five minutes later."""
    open_log(session, conversation_id, None)
    events = [user_event(conversation_id, f"{NAME} from {STREET} shouted at me")]
    events += [
        slot_event(conversation_id, name, value) for name, value in situation.items()
    ]
    events.append(action_event(conversation_id, "action_listen"))
    ingest_events(session, events, redactors)
    log = session.get(ConversationLog, conversation_id)
    assert log is not None
    log.started_at = started_at
    log.last_event_at = started_at + timedelta(minutes=5)
    session.commit()
    return log


def counts(session: Session) -> dict[tuple[date, str, str], int]:
    session.expire_all()
    return {
        (row.started_on, row.area, row.characteristics): row.conversations
        for row in session.scalars(select(PurgedConversationCount))
    }


RELIGION_IN_CHARNWOOD = {"characteristics": ["religion"], "area": "charnwood"}


def test_purge_counts_deleted_conversation(
    session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    recent = utc_now() - timedelta(days=10)
    add_log(session, redactors, SECOND, RELIGION_IN_CHARNWOOD, recent)

    assert purge_expired(session, retention_days=90) == 1

    assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 1}


def test_purge_sorts_characteristics(
    session: Session, redactors: RedactorCache
) -> None:
    situation = {"characteristics": ["religion", "race", "religion"], "area": "melton"}
    add_log(session, redactors, FIRST, situation)

    purge_expired(session, retention_days=90)

    assert counts(session) == {(EXPIRED_DAY, "melton", "race,religion"): 1}


def test_purge_counts_unsaid_labels(session: Session, redactors: RedactorCache) -> None:
    add_log(session, redactors, FIRST, {"characteristics": ["none"]})

    purge_expired(session, retention_days=90)

    assert counts(session) == {(EXPIRED_DAY, "not_said", "not_said"): 1}


def test_purge_adds_to_existing_count(
    session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    add_log(session, redactors, SECOND, RELIGION_IN_CHARNWOOD)
    purge_expired(session, retention_days=90)
    add_log(session, redactors, THIRD, RELIGION_IN_CHARNWOOD)

    assert purge_expired(session, retention_days=90) == 1

    assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 3}


def test_second_purge_adds_nothing(session: Session, redactors: RedactorCache) -> None:
    add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    purge_expired(session, retention_days=90)
    before = counts(session)

    assert purge_expired(session, retention_days=90) == 0

    assert counts(session) == before


def test_purge_in_batches(
    monkeypatch: pytest.MonkeyPatch, session: Session, redactors: RedactorCache
) -> None:
    monkeypatch.setattr("directory.logs.store.PURGE_BATCH_SIZE", 2)
    for conversation_id in (FIRST, SECOND, THIRD):
        add_log(session, redactors, conversation_id, RELIGION_IN_CHARNWOOD)

    assert purge_expired(session, retention_days=90) == 3

    assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 3}
    assert session.scalars(select(ConversationLog)).all() == []


def test_free_text_area_counted_as_not_said(
    session: Session, redactors: RedactorCache
) -> None:
    situation = {"characteristics": ["race"], "area": f"by {NAME}'s house"}
    add_log(session, redactors, FIRST, situation)

    purge_expired(session, retention_days=90)

    assert counts(session) == {(EXPIRED_DAY, "not_said", "race"): 1}


def test_counts_hold_no_text_or_id(
    database_url: str, session: Session, redactors: RedactorCache
) -> None:
    log = add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    reference = log.reference

    purge_expired(session, retention_days=90)

    columns = {
        column["name"]
        for column in inspect(session.get_bind()).get_columns(
            "purged_conversation_count"
        )
    }
    assert columns == {"started_on", "area", "characteristics", "conversations"}
    stored = " ".join(str(key) for key in counts(session))
    for detail in (FIRST, reference, "Dympna", "Roberts", "Hazel", "PERSON"):
        assert detail not in stored


def test_erased_conversation_not_counted(
    session: Session, redactors: RedactorCache, fake_rasa: FakeRasa
) -> None:
    add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    second = add_log(session, redactors, SECOND, RELIGION_IN_CHARNWOOD)
    rasa = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 2.0)

    erase_conversation(session, FIRST)
    erasure = asyncio.run(erase_by_reference(session, second.reference, rasa))
    assert erasure is not None
    assert erasure.conversation_id == SECOND
    assert purge_expired(session, retention_days=90) == 0

    assert counts(session) == {}


def test_conversation_deleted_during_purge_not_counted(
    session_factory: sessionmaker[Session], redactors: RedactorCache
) -> None:
    with session_factory() as setup:
        add_log(setup, redactors, FIRST, RELIGION_IN_CHARNWOOD)
        add_log(setup, redactors, SECOND, RELIGION_IN_CHARNWOOD)

    def erase_first_before_delete(state: ORMExecuteState) -> None:
        # The visitor's erasure commits after the purge read the batch and
        # before it deletes.
        if state.is_delete:
            with session_factory() as other:
                erase_conversation(other, FIRST)

    with session_factory() as session:
        event.listen(session, "do_orm_execute", erase_first_before_delete)
        deleted = purge_expired(session, retention_days=90)
        event.remove(session, "do_orm_execute", erase_first_before_delete)

        assert deleted == 1
        assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 1}


def test_conversation_updated_during_purge_kept(
    session_factory: sessionmaker[Session], redactors: RedactorCache
) -> None:
    with session_factory() as setup:
        add_log(setup, redactors, FIRST, RELIGION_IN_CHARNWOOD)

    def new_event_before_delete(state: ORMExecuteState) -> None:
        # An event of the conversation arrives after the purge read the batch.
        if state.is_delete:
            with session_factory() as other:
                other.execute(
                    update(ConversationLog)
                    .where(ConversationLog.conversation_id == FIRST)
                    .values(last_event_at=utc_now())
                )
                other.commit()

    with session_factory() as session:
        event.listen(session, "do_orm_execute", new_event_before_delete)
        deleted = purge_expired(session, retention_days=90)
        event.remove(session, "do_orm_execute", new_event_before_delete)

        assert deleted == 0
        assert counts(session) == {}
        assert session.get(ConversationLog, FIRST) is not None


def test_purge_command_keeps_counts(
    database_url: str, session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)

    result = subprocess.run(
        [sys.executable, "-m", "directory.logs", "purge"],
        cwd=REPO_ROOT,
        env={**os.environ, "SOS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conversation logs older than 90 days" in result.stdout
    assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 1}


def test_scheduled_purge_keeps_counts(
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
) -> None:
    with session_factory() as session:
        add_log(session, redactors, FIRST, RELIGION_IN_CHARNWOOD)
    monkeypatch.setattr(settings, "log_purge_interval_seconds", 0.2)
    app = create_app()

    def get_test_session():  # type: ignore[no-untyped-def]
        with session_factory() as session:
            yield session

    app.dependency_overrides[get_session] = get_test_session
    with TestClient(app):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with session_factory() as session:
                if session.get(ConversationLog, FIRST) is None:
                    break
            time.sleep(0.1)

    with session_factory() as session:
        assert session.get(ConversationLog, FIRST) is None
        assert counts(session) == {(EXPIRED_DAY, "charnwood", "religion"): 1}
