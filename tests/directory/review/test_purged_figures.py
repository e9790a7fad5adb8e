"""Quarterly figures after the retention purge: purged conversations are counted
from the kept counts, once, with small counts still suppressed, and erased
conversations are not counted at all."""

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.models import ConversationLog
from directory.logs.store import erase_conversation, purge_expired
from directory.review.conversations import NOT_SAID
from directory.review.models import PurgedConversationCount
from directory.review.quarterly import SUPPRESSED, Quarter, QuarterTable, quarter_table
from directory.staff.models import REVIEWER
from tests.directory.review.conftest import (
    ConversationSpec,
    TurnSpec,
    add_conversation,
)

Q4 = Quarter.parse("2026-Q4")
AREAS = ["leicester", "charnwood", "melton"]
CHARACTERISTICS = ["race", "religion", "disability"]
# Long after every conversation of these tests: a purge at this time with the
# default 90 days deletes them all.
AFTER_EVERYTHING = datetime(2027, 9, 1, tzinfo=UTC)


def download(client: TestClient, quarter: str) -> dict[tuple[str, str], str]:
    response = client.get(f"/staff/reviews/figures.csv?quarter={quarter}")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.text))
    return {(row["area"], row["characteristic"]): row["conversations"] for row in rows}


def add_conversations(
    session_factory: sessionmaker[Session],
    started_at: datetime,
    area: str,
    characteristics: list[str],
    count: int,
) -> None:
    """Write `count` invented one-turn conversations with these labels."""
    with session_factory() as db:
        for _ in range(count):
            reference = uuid.uuid4().hex[:8].upper()
            turn = TurnSpec(
                "someone shouted abuse at me in the street",
                "describe_incident",
                0.9,
                {"characteristics": characteristics, "area": area},
                "crime",
            )
            spec = ConversationSpec(reference, started_at, None, None, (turn,))
            add_conversation(db, spec, str(uuid.uuid4()))
        db.commit()


def raw_counts(table: QuarterTable) -> dict[tuple[str, str], int]:
    return {
        (area, characteristic): table.cells[r][c].count
        for r, area in enumerate(table.areas + ["all"])
        for c, characteristic in enumerate(table.characteristics + ["all"])
    }


def published(table: QuarterTable) -> dict[tuple[str, str], str]:
    return {
        (area, characteristic): table.cells[r][c].published
        for r, area in enumerate(table.areas + ["all"])
        for c, characteristic in enumerate(table.characteristics + ["all"])
    }


def live_logs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ConversationLog)) or 0


def test_quarter_csv_same_after_purge(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    session: Session,
) -> None:
    signed_in(REVIEWER)
    fourth = download(client, "2026-Q4")
    third = download(client, "2026-Q3")

    assert purge_expired(session, retention_days=90, now=AFTER_EVERYTHING) == 6

    assert live_logs(session) == 0
    assert download(client, "2026-Q4") == fourth
    assert download(client, "2026-Q3") == third


def test_purged_and_live_counted_once(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    # Seven conversations early in the quarter, six late in it. A purge 90
    # days after 20 October deletes the early ones only.
    early = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
    late = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    add_conversations(session_factory, early, "leicester", ["race"], 5)
    add_conversations(session_factory, early, "leicester", ["race", "religion"], 2)
    add_conversations(session_factory, late, "leicester", ["race"], 6)
    before = raw_counts(quarter_table(session, Q4, AREAS, CHARACTERISTICS))

    purge_time = datetime(2026, 10, 20, tzinfo=UTC) + timedelta(days=90)
    assert purge_expired(session, retention_days=90, now=purge_time) == 7
    assert purge_expired(session, retention_days=90, now=purge_time) == 0
    after = raw_counts(quarter_table(session, Q4, AREAS, CHARACTERISTICS))

    assert live_logs(session) == 6
    assert after == before
    assert after[("leicester", "race")] == 13
    assert after[("leicester", "religion")] == 2
    assert after[("leicester", "all")] == 13
    assert after[("all", "race")] == 13
    assert after[("all", "all")] == 13


def test_purged_small_counts_suppressed(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    started = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    add_conversations(session_factory, started, "leicester", ["race"], 12)
    add_conversations(session_factory, started, "leicester", ["religion"], 7)
    add_conversations(session_factory, started, "leicester", [], 6)
    add_conversations(session_factory, started, "charnwood", ["religion"], 3)
    add_conversations(session_factory, started, "charnwood", ["race"], 8)
    add_conversations(session_factory, started, "charnwood", [], 9)
    before = published(quarter_table(session, Q4, AREAS, CHARACTERISTICS))

    purge_expired(session, retention_days=90, now=AFTER_EVERYTHING)
    table = quarter_table(session, Q4, AREAS, CHARACTERISTICS)
    after = published(table)

    assert live_logs(session) == 0
    assert after == before
    assert after[("charnwood", "religion")] == SUPPRESSED
    assert after[("charnwood", "disability")] == SUPPRESSED
    assert after[("charnwood", "race")] == "8"
    assert after[("charnwood", "all")] == "20"
    assert after[("leicester", "race")] == "12"
    assert after[("all", "disability")] == SUPPRESSED
    # The row of column totals has one hidden count (disability, 0), so its
    # next smallest, religion (10), is hidden too.
    assert after[("all", "religion")] == SUPPRESSED
    assert after[("all", "race")] == "20"
    assert after[("all", "all")] == "45"
    rows = table.cells
    columns = [[row[c] for row in rows] for c in range(len(rows[0]))]
    for line in rows + columns:
        members, total = line[:-1], line[-1]
        assert total.hidden or sum(1 for cell in members if cell.hidden) != 1


def test_erased_conversation_leaves_figures(
    session: Session, known_logs: dict[str, str]
) -> None:
    erase_conversation(session, known_logs["META2222"])

    purge_expired(session, retention_days=90, now=AFTER_EVERYTHING)
    counts = raw_counts(quarter_table(session, Q4, AREAS, CHARACTERISTICS))

    assert counts[("all", "all")] == 4
    assert counts[("leicester", "race")] == 1
    assert counts[("leicester", "all")] == 1
    assert counts[(NOT_SAID, NOT_SAID)] == 1
    stored = session.scalar(select(func.sum(PurgedConversationCount.conversations)))
    assert stored == 5


def test_counts_outside_quarter_ignored(
    session: Session, known_logs: dict[str, str]
) -> None:
    purge_expired(session, retention_days=90, now=AFTER_EVERYTHING)

    third = raw_counts(quarter_table(session, Quarter.parse("2026-Q3"), AREAS, []))
    first = raw_counts(quarter_table(session, Quarter.parse("2027-Q1"), AREAS, []))

    assert third[("leicester", "all")] == 1
    assert third[("all", "all")] == 1
    assert first[("all", "all")] == 0
