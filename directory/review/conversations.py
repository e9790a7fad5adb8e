"""Summaries of logged conversations and the filters of the reviewer list.

A conversation's labels are spread over its turns (the `situation` snapshot
of each turn), so the summary reads every turn. Filters on the labels run in
Python after the date range has been applied in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.logs.models import ConversationLog, LogTurn
from directory.review.campaigns import Channel, channel_of

# A turn whose intent confidence is below this counts as low confidence. It is
# above the FallbackClassifier threshold of bot/config.yml (0.45), so the
# filter also finds the near misses that did not fall back.
LOW_CONFIDENCE = 0.6
NOT_SAID = "not_said"
# "none" is the characteristic a visitor gives when it was not about who they are.
NO_CHARACTERISTIC = "none"


@dataclass(frozen=True)
class ConversationSummary:
    """Labels and counts of one conversation, for the list, dashboard and figures."""

    conversation_id: str
    reference: str
    started_at: datetime
    channel: Channel
    utm_campaign: str | None
    turns: int
    unanswered_turns: int
    characteristics: tuple[str, ...]
    area: str
    reading: str
    routes: tuple[str, ...]
    fallback_turns: int
    low_confidence_turns: int

    @property
    def reached_route(self) -> bool:
        """Return whether the assistant offered at least one route."""
        return bool(self.routes)

    @property
    def characteristics_or_not_said(self) -> tuple[str, ...]:
        """Return the characteristics, or `not_said` when there are none."""
        return self.characteristics or (NOT_SAID,)


@dataclass
class ConversationFilter:
    """The filters of the conversation list; None means no filter."""

    started_from: date | None = None
    started_to: date | None = None
    characteristic: str | None = None
    area: str | None = None
    reading: str | None = None
    channel: str | None = None
    needs_review: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def matches(self, summary: ConversationSummary) -> bool:
        """Return whether a conversation passes the label filters."""
        if (
            self.characteristic
            and self.characteristic not in summary.characteristics_or_not_said
        ):
            return False
        if self.area and summary.area != self.area:
            return False
        if self.reading and summary.reading != self.reading:
            return False
        if self.channel and summary.channel.code != self.channel:
            return False
        if self.needs_review:
            return summary.fallback_turns + summary.low_confidence_turns > 0
        return True


def as_utc(moment: datetime) -> datetime:
    """Return a datetime in UTC, because SQLite returns naive datetimes."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    """Return midnight UTC at the start of a day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def is_low_confidence(turn: LogTurn) -> bool:
    """Return whether a turn's intent confidence is below `LOW_CONFIDENCE`."""
    return (
        turn.intent_confidence is not None and turn.intent_confidence < LOW_CONFIDENCE
    )


def summarise(conversation: ConversationLog) -> ConversationSummary:
    """Reduce a conversation and its turns to its summary.

    Characteristics and routes are the union over the turns. The area and the
    reading are those of the latest turn that has one.
    """
    characteristics: list[str] = []
    routes: list[str] = []
    area: str | None = None
    reading: str | None = None
    for turn in conversation.turns:
        situation = turn.situation or {}
        for value in situation.get("characteristics") or []:
            if value != NO_CHARACTERISTIC and value not in characteristics:
                characteristics.append(str(value))
        if situation.get("area"):
            area = str(situation["area"])
        if turn.reading:
            reading = turn.reading
        for route in turn.routes or []:
            name = route.get("route")
            if name and name not in routes:
                routes.append(str(name))

    return ConversationSummary(
        conversation_id=conversation.conversation_id,
        reference=conversation.reference,
        started_at=as_utc(conversation.started_at),
        channel=channel_of(conversation.utm_source, conversation.utm_medium),
        utm_campaign=conversation.utm_campaign,
        turns=len(conversation.turns),
        unanswered_turns=conversation.unanswered_turns,
        characteristics=tuple(sorted(characteristics)),
        area=area or NOT_SAID,
        reading=reading or NOT_SAID,
        routes=tuple(sorted(routes)),
        fallback_turns=sum(1 for turn in conversation.turns if turn.fallback),
        low_confidence_turns=sum(
            1 for turn in conversation.turns if is_low_confidence(turn)
        ),
    )


def load_summaries(
    session: Session,
    started_from: date | None = None,
    started_to: date | None = None,
) -> list[ConversationSummary]:
    """Return the summaries of conversations started in a date range, newest first.

    Both dates are inclusive, in UTC.
    """
    query = (
        select(ConversationLog)
        .options(selectinload(ConversationLog.turns))
        .order_by(ConversationLog.started_at.desc(), ConversationLog.reference)
    )
    if started_from is not None:
        query = query.where(ConversationLog.started_at >= day_start(started_from))
    if started_to is not None:
        end = day_start(started_to + timedelta(days=1))
        query = query.where(ConversationLog.started_at < end)
    # NOTE: every conversation in the range is loaded with its turns. Logs are
    # kept for 90 days by default, which keeps this to the logs of one quarter.
    return [summarise(conversation) for conversation in session.scalars(query)]


def filter_summaries(
    session: Session, conversation_filter: ConversationFilter
) -> list[ConversationSummary]:
    """Return the summaries that pass every filter, newest first."""
    summaries = load_summaries(
        session, conversation_filter.started_from, conversation_filter.started_to
    )
    return [summary for summary in summaries if conversation_filter.matches(summary)]
