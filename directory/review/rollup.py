"""Counts of purged conversations, kept for the quarterly figures.

Logs are deleted `SOS_LOG_RETENTION_DAYS` (90 by default) after their last
event, but a quarter is up to 92 days long and its figures are exported after
it ends. So the retention purge first adds every conversation it deletes to
`purged_conversation_count`, in the same transaction as the deletion: one
count per day started, area and set of characteristics, which is all the
quarterly table reads. The quarterly figures then count the live logs and
these rows. Erasure at the visitor's request does not pass through here, so
an erased conversation leaves no count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory.logs.models import ConversationLog
from directory.logs.situation import LABEL_PATTERN
from directory.review.conversations import NOT_SAID, ConversationSummary, summarise
from directory.review.models import PurgedConversationCount

CHARACTERISTIC_SEPARATOR = ","


@dataclass(frozen=True)
class FigureCount:
    """Conversations with one area and one set of characteristics."""

    area: str
    characteristics: tuple[str, ...]
    conversations: int = 1


def label_or_not_said(value: str) -> str:
    """Return `value` if it is a label code, else `not_said`.

    A slot value that is not a label was redacted as text when it was logged,
    and may still contain words, so it is never copied into the counts.
    """
    return value if LABEL_PATTERN.fullmatch(value) else NOT_SAID


def figure_count(summary: ConversationSummary) -> FigureCount:
    """Reduce one conversation to what the quarterly table counts."""
    characteristics = {
        label_or_not_said(value) for value in summary.characteristics_or_not_said
    }
    return FigureCount(
        area=label_or_not_said(summary.area),
        characteristics=tuple(sorted(characteristics)),
    )


def roll_up(session: Session, conversations: Iterable[ConversationLog]) -> int:
    """Add conversations to the counts of purged conversations; return how many.

    The conversations must be loaded with their turns. The caller deletes
    them and commits in the same transaction.
    """
    totals: Counter[tuple[date, str, str]] = Counter()
    for conversation in conversations:
        summary = summarise(conversation)
        count = figure_count(summary)
        key = (
            summary.started_at.date(),
            count.area,
            CHARACTERISTIC_SEPARATOR.join(count.characteristics),
        )
        totals[key] += 1
    if not totals:
        return 0

    rows = [
        {
            "started_on": started_on,
            "area": area,
            "characteristics": characteristics,
            "conversations": conversations,
        }
        for (started_on, area, characteristics), conversations in totals.items()
    ]
    _add_to_counts(session, rows)
    return sum(totals.values())


def _add_to_counts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows, or add their counts to the rows with the same key.

    The upsert is a single statement, so two purges that run at once (the
    scheduled one and the command) cannot overwrite each other's counts.
    """
    model = PurgedConversationCount
    key = [model.started_on, model.area, model.characteristics]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        postgresql_insert = postgresql.insert(model)
        statement: Any = postgresql_insert.on_conflict_do_update(
            index_elements=key,
            set_={
                "conversations": model.conversations
                + postgresql_insert.excluded.conversations
            },
        )
    elif dialect == "sqlite":
        sqlite_insert = sqlite.insert(model)
        statement = sqlite_insert.on_conflict_do_update(
            index_elements=key,
            set_={
                "conversations": model.conversations
                + sqlite_insert.excluded.conversations
            },
        )
    else:
        raise NotImplementedError(
            f"Counting purged conversations needs PostgreSQL or SQLite, not {dialect}."
        )
    session.execute(statement, rows)


def purged_counts(
    session: Session, first_day: date, last_day: date
) -> list[FigureCount]:
    """Return the counts of purged conversations started between two days,
    both inclusive."""
    query = select(PurgedConversationCount).where(
        PurgedConversationCount.started_on >= first_day,
        PurgedConversationCount.started_on <= last_day,
    )
    return [
        FigureCount(
            area=row.area,
            characteristics=tuple(row.characteristics.split(CHARACTERISTIC_SEPARATOR)),
            conversations=row.conversations,
        )
        for row in session.scalars(query)
    ]
