"""Retention: the purge function, the purge command and the scheduled purge."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.db.session import get_session
from directory.logs.capture import ingest_events
from directory.logs.models import ConversationLog, LogTurn, utc_now
from directory.logs.redactors import RedactorCache
from directory.logs.store import open_log, purge_expired
from directory.settings import REPO_ROOT, settings
from tests.logs.events import action_event, user_event

OLD = "11111111-1111-4111-8111-111111111111"
RECENT = "22222222-2222-4222-8222-222222222222"


def add_log(
    session: Session, redactors: RedactorCache, conversation_id: str, age_days: float
) -> None:
    """Open a log with one turn whose last event was `age_days` ago."""
    open_log(session, conversation_id, None)
    ingest_events(
        session,
        [
            user_event(conversation_id, "someone shouted at me"),
            action_event(conversation_id, "action_listen"),
        ],
        redactors,
    )
    log = session.get(ConversationLog, conversation_id)
    assert log is not None
    log.last_event_at = utc_now() - timedelta(days=age_days)
    session.commit()


def count(session: Session, model: type[ConversationLog] | type[LogTurn]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_purge_deletes_only_expired(session: Session, redactors: RedactorCache) -> None:
    add_log(session, redactors, OLD, age_days=91)
    add_log(session, redactors, RECENT, age_days=89)

    deleted = purge_expired(session, retention_days=90)

    assert deleted == 1
    assert session.get(ConversationLog, OLD) is None
    assert session.get(ConversationLog, RECENT) is not None


def test_purge_deletes_turns(session: Session, redactors: RedactorCache) -> None:
    add_log(session, redactors, OLD, age_days=91)
    add_log(session, redactors, RECENT, age_days=1)

    purge_expired(session, retention_days=90)
    session.expire_all()

    remaining = session.scalars(select(LogTurn.conversation_id)).all()
    assert remaining == [RECENT]


def test_purge_zero_days_deletes_all(
    session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, OLD, age_days=0.001)

    assert purge_expired(session, retention_days=0) == 1
    assert count(session, ConversationLog) == 0


def run_command(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directory.logs", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, "SOS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_purge_command(
    database_url: str, session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, OLD, age_days=91)
    add_log(session, redactors, RECENT, age_days=10)

    result = run_command(database_url, "purge")

    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conversation logs older than 90 days" in result.stdout
    session.expire_all()
    assert session.get(ConversationLog, OLD) is None
    assert session.get(ConversationLog, RECENT) is not None


def test_purge_command_days_option(
    database_url: str, session: Session, redactors: RedactorCache
) -> None:
    add_log(session, redactors, RECENT, age_days=10)

    result = run_command(database_url, "purge", "--days", "7")

    assert result.returncode == 0, result.stderr
    session.expire_all()
    assert count(session, ConversationLog) == 0


def test_scheduled_purge_runs(
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
) -> None:
    with session_factory() as session:
        add_log(session, redactors, OLD, age_days=91)
        add_log(session, redactors, RECENT, age_days=1)
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
                if session.get(ConversationLog, OLD) is None:
                    break
            time.sleep(0.1)

    with session_factory() as session:
        assert session.get(ConversationLog, OLD) is None
        assert session.get(ConversationLog, RECENT) is not None


def test_scheduled_purge_repeats(
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
) -> None:
    monkeypatch.setattr(settings, "log_purge_interval_seconds", 0.2)
    app = create_app()

    def get_test_session():  # type: ignore[no-untyped-def]
        with session_factory() as session:
            yield session

    app.dependency_overrides[get_session] = get_test_session
    with TestClient(app):
        time.sleep(0.5)
        # Added after the first purge: only a later run can delete it.
        with session_factory() as session:
            add_log(session, redactors, OLD, age_days=91)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with session_factory() as session:
                if session.get(ConversationLog, OLD) is None:
                    break
            time.sleep(0.1)

    with session_factory() as session:
        assert session.get(ConversationLog, OLD) is None
